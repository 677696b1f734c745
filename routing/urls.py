from django.urls import path

from routing import views

app_name = "routing"

urlpatterns = [
    path("test/", views.test_panel, name="test"),
    path("decisions/<int:pk>/apply/", views.apply, name="apply"),
    path("proposals/<int:pk>/<str:decision>/", views.proposal, name="proposal"),
]
