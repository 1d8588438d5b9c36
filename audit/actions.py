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
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))
