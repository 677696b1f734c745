"""URL map: staff pages, admin, REST API v1."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from appeals.api import AppealViewSet
from appeals.views import dashboard
from classification.api import ClassifierViewSet
from core.views import healthz
from intake.api import IncomingAppealCreate, IncomingAppealStatus

admin.site.site_header = "Отклик — администрирование"
admin.site.site_title = "Отклик"
admin.site.index_title = "Настройка системы"

router = DefaultRouter()
router.register("appeals", AppealViewSet, basename="appeal")
router.register("classifier", ClassifierViewSet, basename="classifier")

urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("appeals/", include("appeals.urls")),
    path("people/", include("people.urls")),
    path("workflow/", include("workflow.urls")),
    path("promises/", include("promises.urls")),
    path("classification/", include("classification.urls")),
    path("routing/", include("routing.urls")),
    path("groups/", include("grouping.urls")),
    path("letters/", include("letters.urls")),
    path("delivery/", include("delivery.urls")),
    path("intake/", include("intake.urls")),
    path("reception/", include("intake.reception_urls")),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="registration/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/intake/appeals/", IncomingAppealCreate.as_view(), name="api-intake-create"),
    path("api/v1/intake/appeals/<str:external_id>/", IncomingAppealStatus.as_view(), name="api-intake-status"),
    path("api/v1/", include(router.urls)),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("healthz", healthz, name="healthz"),
]
