from django.contrib import admin

from .models import AwardNotification


@admin.register(AwardNotification)
class AwardNotificationAdmin(admin.ModelAdmin):
    """Read-only: delivery records are written by the sending tasks alone."""

    list_display = ["award", "status", "language", "attempts", "last_error", "sent_at"]
    list_filter = ["status", "language"]
    search_fields = ["award__recipient_identity", "award__public_id"]
    list_select_related = ["award__badge_class_version"]
    readonly_fields = [field.name for field in AwardNotification._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
