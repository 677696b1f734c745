from django.contrib import admin

from people.models import Applicant, ApplicantMerge, Contact, DedupRun, DuplicateSuspicion, PersonalDataAccess


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ("kind", "value", "is_primary")


@admin.register(Applicant)
class ApplicantAdmin(admin.ModelAdmin):
    list_display = ("display_name", "kind", "gosuslugi_id", "consent_personal_data", "created_at", "merged_into")
    list_filter = ("kind", "consent_personal_data")
    search_fields = ("search_name", "gosuslugi_id", "contacts__normalized")
    readonly_fields = ("merged_into", "anonymised_at")
    inlines = [ContactInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Audit records: looked at, never edited by hand."""

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ReadOnlyAdmin):
    list_display = ("at", "user", "applicant", "action", "context")
    list_filter = ("action",)
    date_hierarchy = "at"
    raw_id_fields = ("applicant", "user")


@admin.register(ApplicantMerge)
class ApplicantMergeAdmin(ReadOnlyAdmin):
    list_display = ("pk", "at", "actor", "target", "reason", "undone_at")
    date_hierarchy = "at"
    raw_id_fields = ("target", "merged", "actor", "undone_by")
    exclude = ("snapshot",)  # personal data of the cards before the merge; the merge page shows it


@admin.register(DuplicateSuspicion)
class DuplicateSuspicionAdmin(ReadOnlyAdmin):
    list_display = ("pk", "first", "second", "probability", "source", "status", "created_at")
    list_filter = ("status", "source")
    raw_id_fields = ("first", "second", "run", "decided_by")


@admin.register(DedupRun)
class DedupRunAdmin(ReadOnlyAdmin):
    list_display = ("pk", "status", "created_at", "processed", "total", "suspicions", "merges")
