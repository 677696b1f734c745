from django.urls import path

from grouping import views

app_name = "groups"

urlpatterns = [
    path("", views.group_list, name="list"),
    path("<int:pk>/", views.group_detail, name="detail"),
    path("<int:pk>/lead/", views.group_lead, name="lead"),
    path("<int:pk>/answer/", views.group_answer, name="answer"),
    path("<int:pk>/letters/", views.group_send_letters, name="letters"),
    path("<int:pk>/<str:decision>/", views.group_decide, name="decide"),
    path("questions/<int:question_id>/leave/", views.member_leave, name="leave"),
    path("questions/<int:question_id>/create/", views.question_group_create, name="create"),
    path("questions/<int:question_id>/join/", views.question_group_join, name="join"),
    path("questions/<int:question_id>/merge/", views.question_merge, name="merge"),
    path("proposals/<int:pk>/<str:decision>/", views.proposal_decide, name="proposal"),
    path("appeals/<int:pk>/split/", views.appeal_split, name="split"),
    path("public/<str:token>/", views.public_answer, name="public"),
]
