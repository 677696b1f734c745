from django.urls import path

from people import views

app_name = "people"

urlpatterns = [
    path("<int:pk>/", views.applicant_detail, name="applicant"),
    path("duplicates/", views.queue, name="queue"),
    path("duplicates/<int:pk>/dismiss/", views.dismiss, name="dismiss"),
    path("merge/", views.merge, name="merge"),
    path("merges/", views.merges, name="merges"),
    path("merges/<int:pk>/undo/", views.merge_undo, name="merge_undo"),
    path("dedup/", views.dedup, name="dedup"),
    path("dedup/<int:pk>/", views.dedup_progress, name="dedup_progress"),
]
