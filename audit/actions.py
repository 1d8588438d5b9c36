"""Readable labels for dotted audit action names.

Services record actions as dotted names ("organisation.member_added"); the log shows the label
when one is known here and the dotted name otherwise, so a new action never needs a label to be
recorded. Apps add the names they record to ACTION_LABELS as they land.
"""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "organisation.created": _("Organisation created"),
    "organisation.updated": _("Organisation profile changed"),
    "organisation.deleted": _("Organisation deleted"),
    "membership.created": _("Member added"),
    "membership.role_changed": _("Member role changed"),
    "membership.removed": _("Member removed"),
    "membership.left": _("Member left"),
    "invitation.sent": _("Invitation sent"),
    "invitation.resent": _("Invitation sent again"),
    "invitation.revoked": _("Invitation withdrawn"),
    "invitation.accepted": _("Invitation accepted"),
    "invitation.declined": _("Invitation declined"),
    "user.profile_updated": _("Profile changed"),
    "issuer.profile_updated": _("Issuer profile changed"),
    "signing_key.created": _("Signing key created"),
    "signing_key.rotated": _("Signing key rotated"),
    "signing_key.revoked": _("Signing key revoked"),
    "badge_class.created": _("Badge class created"),
    "badge_class.updated": _("Badge class changed"),
    "badge_class.archived": _("Badge class archived"),
    "award.created": _("Badge awarded"),
    "award.bulk_created": _("Badges awarded in bulk"),
    "award.revoked": _("Badge revoked"),
    "award.notification_failed": _("Email to the recipient failed"),
    "award.notifications_cancelled": _("Emails to recipients stopped"),
    "bulk_award.uploaded": _("CSV file for a bulk award uploaded"),
    "bulk_award.confirmed": _("Bulk award confirmed"),
    "bulk_award.resumed": _("Bulk award resumed"),
    "bulk_award.cancelled": _("Bulk award cancelled"),
    "bulk_award.finished": _("Bulk award finished"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))
