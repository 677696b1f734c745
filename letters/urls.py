from django.urls import path

from letters import views

app_name = "letters"

urlpatterns = [
    path("appeal/<int:appeal_id>/new/", views.letter_new, name="new"),
    path("templates/", views.template_usage, name="usage"),
    path("<int:pk>/", views.letter_detail, name="detail"),
    path("<int:pk>/edit/", views.letter_edit, name="edit"),
    path("<int:pk>/issue/", views.letter_issue, name="issue"),
    path("<int:pk>/send/", views.letter_send, name="send"),
    path("<int:pk>/cancel/", views.letter_cancel, name="cancel"),
    path("<int:pk>/letter.<str:fmt>", views.letter_file, name="file"),
]
