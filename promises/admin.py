from django.contrib import admin

from promises.models import ApplicantNotice, Promise, PromiseChange


class PromiseChangeInline(admin.TabularInline):
    model = PromiseChange
    extra = 0
    can_delete = False
    readonly_fields = ("at", "actor", "old_status", "new_status", "old_due_date", "new_due_date", "note")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Promise)
class PromiseAdmin(admin.ModelAdmin):
    """Read-only: promises change through the appeal card and the registry (with history)."""

    list_display = ("appeal", "due_date", "status", "responsible", "source")
    list_filter = ("status", "source")
    search_fields = ("appeal__number", "sentence", "responsible")
    inlines = [PromiseChangeInline]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(ApplicantNotice)
class ApplicantNoticeAdmin(admin.ModelAdmin):
    list_display = ("appeal", "created_at", "status")
    list_filter = ("status",)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
