from django.contrib import admin

from people.models import Applicant, Contact, PersonalDataAccess


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ("kind", "value", "is_primary")


@admin.register(Applicant)
class ApplicantAdmin(admin.ModelAdmin):
    list_display = ("display_name", "kind", "gosuslugi_id", "consent_personal_data", "created_at")
    list_filter = ("kind", "consent_personal_data")
    search_fields = ("search_name", "gosuslugi_id", "contacts__normalized")
    inlines = [ContactInline]


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    list_display = ("at", "user", "applicant", "action", "context")
    list_filter = ("action",)
    date_hierarchy = "at"
    raw_id_fields = ("applicant", "user")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
