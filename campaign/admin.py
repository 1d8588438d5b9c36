from django.contrib import admin

from .models import ExternalReport, Initiative, JoinRequest, Pledge, ReportToken


class ReadOnlyAdmin(admin.ModelAdmin):
    """Every change goes through campaign/services.py (audit log, counters)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Initiative)
class InitiativeAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "country", "city", "status", "created_at"]
    list_filter = ["status", "kind", "country"]
    search_fields = ["name", "slug", "city"]


@admin.register(Pledge)
class PledgeAdmin(ReadOnlyAdmin):
    list_display = ["initiative", "badge_count", "starts_on", "deadline", "withdrawn_at"]


@admin.register(JoinRequest)
class JoinRequestAdmin(ReadOnlyAdmin):
    list_display = ["initiative", "organisation", "status", "created_at"]


@admin.register(ReportToken)
class ReportTokenAdmin(ReadOnlyAdmin):
    list_display = ["initiative", "name", "prefix", "created_at", "revoked_at"]
    exclude = ["digest"]


@admin.register(ExternalReport)
class ExternalReportAdmin(ReadOnlyAdmin):
    list_display = ["initiative", "system", "count", "period_start", "period_end", "reference"]
