from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from classification.models import ClassificationRule, ClassifierEntry, LocalCategory, ModelVersion, Suggestion
from classification.services import model_activate


@admin.register(ClassifierEntry)
class ClassifierEntryAdmin(admin.ModelAdmin):
    list_display = ("code", "level", "name", "is_active")
    list_filter = ("level", "section", "is_active")
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)
    fields = ("code", "level", "name", "parent", "section", "description", "is_active")


@admin.register(LocalCategory)
class LocalCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "parent", "classifier", "is_active")
    list_filter = ("is_active", "parent")
    search_fields = ("code", "name", "description")
    autocomplete_fields = ("parent", "classifier")


@admin.register(ClassificationRule)
class ClassificationRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "classifier", "local_category", "qtype", "weight", "is_active")
    list_filter = ("is_active", "qtype")
    list_editable = ("weight", "is_active")
    search_fields = ("name", "keywords", "phrases")
    autocomplete_fields = ("classifier", "local_category")


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = ("number", "status", "is_active", "samples", "size", "created_at", "finished_at")
    list_filter = ("status", "is_active")
    readonly_fields = (
        "number", "status", "is_active", "progress", "stage", "created_at", "started_at", "finished_at",
        "trained_by", "samples", "metrics", "size", "error",
    )  # fmt: skip
    actions = ["make_active"]
    change_list_template = "classification/admin/modelversion_change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # versions come from training only

    @admin.action(description="Сделать действующей (откат к этой версии)")
    def make_active(self, request: HttpRequest, queryset: QuerySet[ModelVersion]) -> None:
        if queryset.count() != 1:
            self.message_user(request, "Выберите ровно одну версию.", messages.ERROR)
            return
        try:
            version = model_activate(version=queryset.get(), actor=request.user)  # type: ignore[arg-type]
        except (ValidationError, PermissionDenied) as exc:
            self.message_user(request, " ".join(getattr(exc, "messages", [str(exc)])), messages.ERROR)
            return
        self.message_user(request, f"Действующая модель: v{version.number}.")


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ("question", "classifier", "confidence", "source", "status", "decided_at")
    list_filter = ("status", "source")
    list_select_related = ("question__appeal", "classifier")
    raw_id_fields = ("question",)
    readonly_fields = [f.name for f in Suggestion._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
