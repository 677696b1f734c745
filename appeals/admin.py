from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms import ModelForm

from appeals.models import Appeal, AppealEvent, NumberCounter, NumberingScheme, Question
from appeals.numbering import validate_pattern


class NumberingSchemeForm(ModelForm):
    class Meta:
        model = NumberingScheme
        fields = ["body", "kind", "pattern"]

    def clean_pattern(self) -> str:
        pattern = self.cleaned_data["pattern"]
        try:
            validate_pattern(pattern)
        except ValidationError as exc:
            raise exc
        return pattern


@admin.register(NumberingScheme)
class NumberingSchemeAdmin(admin.ModelAdmin):
    form = NumberingSchemeForm
    list_display = ("body", "kind", "pattern")


@admin.register(NumberCounter)
class NumberCounterAdmin(admin.ModelAdmin):
    list_display = ("scheme", "year", "last_value")
    readonly_fields = ("scheme", "year", "last_value")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # counters are issued only by registration, so numbers stay gapless


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    can_delete = False
    fields = ("position", "text", "classifier", "qtype", "department", "executor", "status", "outcome", "due_date")
    readonly_fields = fields


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    """Read-mostly: appeals are registered and changed through the staff interface's services."""

    list_display = ("number", "registered_at", "channel", "kind", "status", "due_date")
    list_filter = ("status", "channel", "kind", "body")
    search_fields = ("number", "external_id")
    date_hierarchy = "registered_at"
    inlines = [QuestionInline]

    # Appeals change only through the services, which keep the history; here they are shown.
    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(AppealEvent)
class AppealEventAdmin(admin.ModelAdmin):
    list_display = ("at", "appeal", "kind", "actor", "field")
    list_filter = ("kind",)
    raw_id_fields = ("appeal", "question")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
