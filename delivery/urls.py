from django.urls import path

from delivery import views

app_name = "delivery"

urlpatterns = [
    path("failed/", views.failed_list, name="failed"),
    path("print/", views.print_page, name="print"),
    path("print/<int:pk>.pdf", views.print_batch_file, name="batch"),
    path("<int:pk>/retry/", views.retry, name="retry"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/redirect/", views.redirect_channel, name="redirect"),
]
