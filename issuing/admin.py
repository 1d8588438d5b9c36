"""Read-only admin views of the issuing data, for operators.

Everything here is written by services (signing, status lists, audit), so the admin never
edits: a change made by hand would bypass signatures and the audit log. Private keys are never
shown.
"""

from django.contrib import admin

from .models import Award, BadgeClass, BadgeClassVersion, IssuerProfile, SigningKey, StatusList


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IssuerProfile)
class IssuerProfileAdmin(ReadOnlyAdmin):
    list_display = ["name", "organisation", "email", "updated_at"]
    search_fields = ["name", "organisation__name", "public_id"]


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "key_id", "algorithm", "status", "created_at", "revoked_at"]
    list_filter = ["status", "algorithm"]
    exclude = ["private_key_encrypted"]


class VersionInline(admin.TabularInline):
    model = BadgeClassVersion
    fields = ["number", "name", "achievement_type", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(BadgeClass)
class BadgeClassAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "organisation", "created_at", "archived_at"]
    list_select_related = ["current_version", "organisation"]
    search_fields = ["current_version__name", "public_id"]
    inlines = [VersionInline]


@admin.register(Award)
class AwardAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "organisation", "recipient_identity", "issued_at", "revoked_at"]
    list_select_related = ["organisation"]
    list_filter = ["source", "revoked_at"]
    search_fields = ["public_id", "recipient_identity", "recipient_name"]
    exclude = ["credential_json", "assertion_json", "credential_jwt"]
    show_full_result_count = False


@admin.register(StatusList)
class StatusListAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "organisation", "purpose", "next_index", "size", "updated_at"]
    exclude = ["bits", "signed_json"]
