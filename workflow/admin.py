from django.contrib import admin
from django.db.models import F

from workflow.models import (
    EscalationRule,
    ExtensionRequest,
    Notification,
    Regime,
    StageDefinition,
    StageStatistic,
    Workflow,
)


@admin.register(Regime)
class RegimeAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "consideration_days", "day_kind", "count_from", "shift", "max_extension_days")


class StageInline(admin.TabularInline):
    model = StageDefinition
    extra = 0
    fields = (
        "position",
        "code",
        "name",
        "norm_value",
        "norm_unit",
        "min_value",
        "responsible_role",
        "optional",
        "pauses_clock",
        "returns_to",
    )


@admin.register(Workflow)
class WorkflowAdmin(admin.ModelAdmin):
    """Editing the stages makes a new version; questions already under way keep the norms they started with."""

    list_display = ("name", "path", "regime", "kind", "classifier_section", "department", "version", "is_active")
    list_filter = ("path", "regime", "is_active")
    inlines = [StageInline]

    def save_related(self, request, form, formsets, change):  # type: ignore[no-untyped-def]
        super().save_related(request, form, formsets, change)
        if change and any(fs.has_changed() for fs in formsets):
            Workflow.objects.filter(pk=form.instance.pk).update(version=F("version") + 1)


@admin.register(EscalationRule)
class EscalationRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "stage_code", "percent", "notify", "is_active")


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(admin.ModelAdmin):
    list_display = ("question", "days", "status", "requested_by", "decided_by", "new_due")
    list_filter = ("status",)
    raw_id_fields = ("question",)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "title", "read_at")
    raw_id_fields = ("user",)


@admin.register(StageStatistic)
class StageStatisticAdmin(admin.ModelAdmin):
    list_display = ("code", "department", "median_seconds", "samples", "refreshed_at")
