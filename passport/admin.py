from django.contrib import admin

from .models import PassportBadge, PassportProfile


class ReadOnlyAdmin(admin.ModelAdmin):
    """Read-only: passports are the learners' own; changes go through passport.services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PassportBadge)
class PassportBadgeAdmin(ReadOnlyAdmin):
    list_display = ["name", "owner", "source", "state", "visibility", "verification_status"]
    list_filter = ["source", "state", "visibility", "verification_status"]
    search_fields = ["owner__email", "name", "issuer_name", "public_id"]
    list_select_related = ["owner"]
    # The original bytes can be megabytes; the admin lists their format and name instead.
    exclude = ["original"]
    readonly_fields = [f.name for f in PassportBadge._meta.fields if f.name != "original"]


@admin.register(PassportProfile)
class PassportProfileAdmin(ReadOnlyAdmin):
    list_display = ["handle", "user", "enabled"]
    list_filter = ["enabled"]
    search_fields = ["handle", "user__email"]
    readonly_fields = [f.name for f in PassportProfile._meta.fields]
