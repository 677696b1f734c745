from django.contrib import admin

from routing.models import Competence, ExternalBody, ForwardingProposal, RoutingDecision, RoutingRule


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = (
        "priority",
        "name",
        "code_prefix",
        "local_category",
        "district",
        "department",
        "executor",
        "balance",
        "is_active",
    )
    list_display_links = ("name",)
    list_editable = ("priority", "is_active")
    list_filter = ("is_active", "department", "balance")
    search_fields = ("name", "code_prefix", "district", "keywords")
    autocomplete_fields = ("local_category",)
    list_select_related = ("local_category", "department", "executor__user")


@admin.register(ExternalBody)
class ExternalBodyAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "email", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "short_name", "aliases", "keywords", "code_prefixes")


@admin.register(Competence)
class CompetenceAdmin(admin.ModelAdmin):
    list_display = ("code_prefix", "note")
    search_fields = ("code_prefix", "note")


@admin.register(RoutingDecision)
class RoutingDecisionAdmin(admin.ModelAdmin):
    list_display = ("question", "source", "department", "executor", "confidence", "applied", "created_at")
    list_filter = ("source", "applied")
    list_select_related = ("question__appeal", "department", "executor__user")
    readonly_fields = [f.name for f in RoutingDecision._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(ForwardingProposal)
class ForwardingProposalAdmin(admin.ModelAdmin):
    list_display = ("question", "external_body", "forward_by", "status", "decided_at")
    list_filter = ("status",)
    list_select_related = ("question__appeal", "external_body")
    raw_id_fields = ("question",)
