from django.contrib import admin

from classification.models import ClassifierEntry


@admin.register(ClassifierEntry)
class ClassifierEntryAdmin(admin.ModelAdmin):
    list_display = ("code", "level", "name", "is_active")
    list_filter = ("level", "section", "is_active")
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)
