"""Readable labels for dotted audit action names.

Services record actions as dotted names ("organisation.member_added"); the log shows the label
when one is known here and the dotted name otherwise, so a new action never needs a label to be
recorded. Apps add the names they record to ACTION_LABELS as they land.
"""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "organisation.created": _("Organisation created"),
    "organisation.changed": _("Organisation profile changed"),
    "organisation.deleted": _("Organisation deleted"),
    "organisation.member_added": _("Member added"),
    "organisation.member_role_changed": _("Member role changed"),
    "organisation.member_removed": _("Member removed"),
    "organisation.invitation_sent": _("Invitation sent"),
    "organisation.invitation_accepted": _("Invitation accepted"),
    "organisation.invitation_revoked": _("Invitation revoked"),
    "user.signed_up": _("Account created"),
    "user.email_added": _("Email address added"),
    "user.email_verified": _("Email address verified"),
    "demo.loaded": _("Demo data loaded"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))
