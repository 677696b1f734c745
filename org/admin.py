from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from org.models import Body, Department, Role, StaffMember, Substitution


class StaffInline(admin.StackedInline):
    """The staff card is edited together with the login: unit, position, roles."""

    model = StaffMember
    can_delete = False
    fk_name = "user"
    fields = ("body", "department", "position", "patronymic", "phone", "roles", "is_absent")
    filter_horizontal = ("roles",)
    verbose_name_plural = "карточка сотрудника"


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    inlines = [StaffInline]
    list_display = ("username", "last_name", "first_name", "is_active", "is_staff")


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ("short_name", "code", "head_name")
    search_fields = ("name", "short_name")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "parent", "head", "is_active")
    list_filter = ("body", "kind", "is_active")
    search_fields = ("name", "short_name")
    autocomplete_fields = ("parent", "head")


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("name", "code")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # the codes are wired into access rules

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ("__str__", "position", "department", "role_list", "is_absent")
    list_filter = ("roles", "department", "is_absent")
    search_fields = ("user__last_name", "user__first_name", "user__username", "position")
    autocomplete_fields = ("user", "department")
    filter_horizontal = ("roles",)

    @admin.display(description="роли")
    def role_list(self, obj: StaffMember) -> str:
        return ", ".join(r.name for r in obj.roles.all())

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).select_related("user", "department").prefetch_related("roles")


@admin.register(Substitution)
class SubstitutionAdmin(admin.ModelAdmin):
    list_display = ("absent", "substitute", "starts_on", "ends_on", "reason")
    autocomplete_fields = ("absent", "substitute")
