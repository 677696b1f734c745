from django.urls import path

from appeals import views

app_name = "appeals"

urlpatterns = [
    path("", views.registry_list, name="registry"),
    path("export.<str:fmt>", views.registry_export, name="export"),
    path("new/", views.appeal_register, name="register"),
    path("new/applicants/", views.applicant_lookup, name="applicant_lookup"),
    path("applicants/<int:pk>/", views.applicant_detail, name="applicant"),
    path("<int:pk>/", views.appeal_detail, name="detail"),
    path("<int:pk>/edit/", views.appeal_edit, name="edit"),
    path("<int:pk>/close/", views.appeal_close, name="close"),
    path("<int:pk>/comment/", views.appeal_comment, name="comment"),
    path("<int:pk>/attach/", views.appeal_attach, name="attach"),
    path("<int:pk>/attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("<int:pk>/questions/add/", views.question_add, name="question_add"),
    path("<int:pk>/questions/<int:question_id>/assign/", views.question_assign, name="question_assign"),
    path("<int:pk>/questions/<int:question_id>/answer/", views.question_answer, name="question_answer"),
    path("<int:pk>/questions/<int:question_id>/edit/", views.question_edit, name="question_edit"),
    path("<int:pk>/questions/<int:question_id>/<str:decision>/", views.question_decide, name="question_decide"),
]
