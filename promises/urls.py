from django.urls import path

from promises import views

app_name = "promises"

urlpatterns = [
    path("", views.registry, name="registry"),
    path("questions/<int:question_id>/propose/", views.propose, name="propose"),
    path("questions/<int:question_id>/drafts/", views.draft_add, name="draft_add"),
    path("<int:promise_id>/draft/", views.draft_edit, name="draft_edit"),
    path("<int:promise_id>/status/", views.status_change, name="status"),
]
