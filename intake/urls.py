from django.urls import path

from intake import import_views, messenger_views, scan_views, views

app_name = "intake"

urlpatterns = [
    path("", views.inbox_list, name="inbox"),
    path("import/", import_views.import_page, name="import"),
    path("import/<int:pk>/", import_views.import_run, name="import_run"),
    path("telegram/webhook/", messenger_views.telegram_webhook, name="telegram_webhook"),
    path("vk/callback/", messenger_views.vk_callback, name="vk_callback"),
    path("scan/", scan_views.scan_upload, name="scan_upload"),
    path("<int:pk>/", views.item_detail, name="item"),
    path("<int:pk>/scan/", scan_views.scan_check, name="scan"),
    path("<int:pk>/scan/<int:number>/", scan_views.scan_page, name="scan_page"),
    path("<int:pk>/payload/", views.item_payload, name="payload"),
    path("<int:pk>/retry/", views.item_retry, name="retry"),
    path("<int:pk>/disposition/", views.item_disposition, name="disposition"),
]
