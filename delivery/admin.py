from django.contrib import admin

from delivery.models import OutboxAttachment, OutboxMessage, PrintBatch


class AttachmentInline(admin.TabularInline):
    model = OutboxAttachment
    extra = 0
    readonly_fields = ("name", "content_type", "file")


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("subject", "channel", "status", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("channel", "status")
    search_fields = ("subject", "appeal__number")
    raw_id_fields = ("appeal", "applicant", "print_batch", "created_by")
    readonly_fields = ("attempts", "sent_at", "external_id", "last_error", "warning")
    inlines = [AttachmentInline]


@admin.register(PrintBatch)
class PrintBatchAdmin(admin.ModelAdmin):
    list_display = ("__str__", "count", "created_at", "created_by")
