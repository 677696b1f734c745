from django.contrib import admin

from intake.models import ImportMapping, IncomingItem, IntegrationClient


@admin.register(IncomingItem)
class IncomingItemAdmin(admin.ModelAdmin):
    list_display = ["pk", "channel", "source_id", "status", "received_at", "appeal"]
    list_filter = ["status", "channel"]
    search_fields = ["source_id", "title"]
    readonly_fields = [f.name for f in IncomingItem._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # items come only through the channels' entry service


@admin.register(IntegrationClient)
class IntegrationClientAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "channel", "is_active", "token_prefix", "last_used_at"]
    readonly_fields = ["token_prefix", "last_used_at"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # a token is issued by `otklik api-client`, which shows it once


@admin.register(ImportMapping)
class ImportMappingAdmin(admin.ModelAdmin):
    list_display = ["source", "channel", "id_column", "updated_at"]
