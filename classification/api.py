"""REST API v1 for the thematic classifier."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import serializers, viewsets

from classification.models import ClassifierEntry


class ClassifierEntrySerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", default=None, read_only=True)

    class Meta:
        model = ClassifierEntry
        fields = ["code", "level", "name", "parent_code", "section", "is_active"]
        read_only_fields = fields


class ClassifierViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ClassifierEntrySerializer
    lookup_field = "code"
    lookup_value_regex = r"[0-9.]+"

    def get_queryset(self) -> QuerySet[ClassifierEntry]:
        qs = ClassifierEntry.objects.select_related("parent").order_by("code")
        level = self.request.query_params.get("level")
        if level and level.isdigit():
            qs = qs.filter(level=int(level))
        return qs
