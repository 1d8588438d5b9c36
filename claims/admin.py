"""Read-only admin: every change goes through claims.services."""

from django.contrib import admin

from .models import ClaimableBadge, ClaimRequest


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ClaimableBadge)
class ClaimableBadgeAdmin(ReadOnly):
    list_display = ["badge_class", "enabled", "opens_at", "closes_at", "configured_by"]
    list_select_related = ["badge_class__current_version", "configured_by"]


@admin.register(ClaimRequest)
class ClaimRequestAdmin(ReadOnly):
    list_display = ["claimable", "email", "created_at", "confirmed_at"]
    list_filter = ["claimable"]
    search_fields = ["email"]
    list_select_related = ["claimable__badge_class__current_version"]
