"""REST API v1 for appeals: read access through the same access rule as the pages."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets

from appeals.forms import RegistryFilterForm
from appeals.models import Appeal
from appeals.selectors import registry, with_list_relations
from appeals.serializers import AppealSerializer


@extend_schema(
    parameters=[
        OpenApiParameter(name, str, description=desc)
        for name, desc in [
            ("q", "поиск по номеру, тексту и ФИО"),
            ("status", "статус"),
            ("channel", "канал"),
            ("kind", "вид"),
            ("section", "раздел классификатора (0001–0005)"),
            ("date_from", "зарегистрировано с (ГГГГ-ММ-ДД)"),
            ("date_to", "зарегистрировано по"),
            ("overdue", "только просроченные (true)"),
        ]
    ]
)
class AppealViewSet(viewsets.ReadOnlyModelViewSet):
    """Appeals visible to the caller, filtered like the registry."""

    serializer_class = AppealSerializer

    def get_queryset(self) -> QuerySet[Appeal]:
        form = RegistryFilterForm(self.request.query_params or None)
        return with_list_relations(registry(self.request.user, form.to_filter()))
