from django.urls import path

from intake import reception_views

app_name = "reception"

urlpatterns = [
    path("", reception_views.reception_form, name="form"),
    path("<str:token>/confirm/", reception_views.reception_confirm, name="confirm"),
    path("<str:token>/", reception_views.reception_done, name="done"),
]
