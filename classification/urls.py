from django.urls import path

from classification import views

app_name = "classification"

urlpatterns = [
    path("questions/<int:question_id>/confirm/", views.confirm, name="confirm"),
    path("questions/<int:question_id>/correct/", views.correct, name="correct"),
    path("models/", views.models_page, name="models"),
    path("models/train/", views.train_start, name="train"),
    path("models/off/", views.deactivate, name="deactivate"),
    path("models/<int:pk>/progress/", views.model_progress, name="progress"),
    path("models/<int:pk>/activate/", views.activate, name="activate"),
]
