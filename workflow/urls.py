from django.urls import path

from workflow import views

app_name = "workflow"

urlpatterns = [
    path("my/", views.my_deadlines, name="my"),
    path("board/", views.control_board, name="board"),
    path("calculator/", views.calculator, name="calculator"),
    path("notifications/", views.notifications, name="notifications"),
    path("questions/<int:question_id>/extension/", views.extension_request, name="extension_request"),
    path("extensions/<int:request_id>/decide/", views.extension_decide, name="extension_decide"),
    path("questions/<int:question_id>/pause/<str:action>/", views.pause, name="pause"),
    path("questions/<int:question_id>/stage/insert/", views.stage_insert, name="stage_insert"),
    path("questions/<int:question_id>/stage/complete/", views.stage_complete, name="stage_complete"),
    path("questions/<int:question_id>/path/", views.path_set, name="path"),
]
