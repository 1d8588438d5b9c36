from django.contrib import admin

from .models import BadgeEvidence, EvidenceItem


class ReadOnlyAdmin(admin.ModelAdmin):
    """Read-only, and no file links: evidence is the learners' own, served only through the
    permission-checking views; staff see metadata (sizes for quota questions), not content."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(EvidenceItem)
class EvidenceItemAdmin(ReadOnlyAdmin):
    list_display = ["title", "owner", "kind", "category", "size", "thumbnail_state", "created_at"]
    list_filter = ["kind", "category", "thumbnail_state"]
    search_fields = ["owner__email", "public_id", "sha256"]
    list_select_related = ["owner"]
    exclude = ["file", "thumbnail"]
    readonly_fields = [
        f.name for f in EvidenceItem._meta.fields if f.name not in ("file", "thumbnail")
    ]


@admin.register(BadgeEvidence)
class BadgeEvidenceAdmin(ReadOnlyAdmin):
    list_display = ["evidence", "badge", "position", "created_at"]
    search_fields = ["badge__owner__email", "badge__public_id", "evidence__public_id"]
    list_select_related = ["evidence", "badge"]
    readonly_fields = [f.name for f in BadgeEvidence._meta.fields]
