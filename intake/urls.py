from django.urls import path

from intake import views

app_name = "intake"

urlpatterns = [
    path("", views.inbox_list, name="inbox"),
    path("<int:pk>/", views.item_detail, name="item"),
    path("<int:pk>/payload/", views.item_payload, name="payload"),
    path("<int:pk>/retry/", views.item_retry, name="retry"),
    path("<int:pk>/disposition/", views.item_disposition, name="disposition"),
]
