from django.contrib import admin

from grouping.models import GroupingSettings, GroupMembership, MemberAnswer, SubjectGroup


@admin.register(GroupingSettings)
class GroupingSettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "auto_join", "auto_join_score", "propose_score", "radius_m", "window_days")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return not GroupingSettings.objects.exists()


class MembershipInline(admin.TabularInline):
    model = GroupMembership
    extra = 0
    fields = ("question", "joined_at", "joined_by", "score", "left_at")
    readonly_fields = fields
    can_delete = False


@admin.register(SubjectGroup)
class SubjectGroupAdmin(admin.ModelAdmin):
    list_display = ("pk", "title", "status", "lead", "created_at", "published_at")
    list_filter = ("status",)
    search_fields = ("title",)
    raw_id_fields = ("lead", "department", "classifier", "created_by")
    readonly_fields = ("status", "answer", "outcome", "answered_at", "published_at")
    inlines = [MembershipInline]


@admin.register(MemberAnswer)
class MemberAnswerAdmin(admin.ModelAdmin):
    list_display = ("question", "group", "kind", "addressee", "send_by", "sent_at")
    list_filter = ("kind",)
    raw_id_fields = ("question", "group")
