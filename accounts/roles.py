"""What each organisation role may do.

Permissions are plain dotted strings checked by services (before writing) and selectors (before
reading). Roles are cumulative from the bottom: an admin can do what a designer, awarder and
reviewer can, an owner what an admin can plus manage owners and delete the organisation.
"""

from .models import Role

VIEW = "organisation.view"  # see the organisation's private pages (members, dashboards)
CHANGE = "organisation.change"  # edit the organisation's profile
DELETE = "organisation.delete"
MANAGE_MEMBERS = "organisation.manage_members"  # invite, change roles, remove (not owners)
MANAGE_OWNERS = "organisation.manage_owners"  # grant or remove the owner role
VIEW_AUDIT = "organisation.view_audit"
DESIGN_BADGES = "badges.design"  # create and edit badge classes
AWARD_BADGES = "badges.award"  # award and revoke
REVIEW_APPLICATIONS = "applications.review"

_MEMBER = {VIEW}
PERMISSIONS: dict[str, frozenset[str]] = {
    Role.REVIEWER: frozenset(_MEMBER | {REVIEW_APPLICATIONS}),
    Role.AWARDER: frozenset(_MEMBER | {AWARD_BADGES}),
    Role.DESIGNER: frozenset(_MEMBER | {DESIGN_BADGES}),
    Role.ADMIN: frozenset(
        _MEMBER
        | {
            CHANGE,
            MANAGE_MEMBERS,
            VIEW_AUDIT,
            DESIGN_BADGES,
            AWARD_BADGES,
            REVIEW_APPLICATIONS,
        }
    ),
}
PERMISSIONS[Role.OWNER] = PERMISSIONS[Role.ADMIN] | {DELETE, MANAGE_OWNERS}


def role_permissions(role: str | None) -> frozenset[str]:
    return PERMISSIONS.get(role, frozenset()) if role else frozenset()


# For "keep the higher role" decisions (an invitation accepted by an existing member). Designer,
# awarder and reviewer do not contain each other; the order reflects how much each may change.
ROLE_RANK: dict[str, int] = {
    Role.REVIEWER: 1,
    Role.AWARDER: 2,
    Role.DESIGNER: 3,
    Role.ADMIN: 4,
    Role.OWNER: 5,
}


def higher_role(first: str, second: str) -> str:
    return first if ROLE_RANK[first] >= ROLE_RANK[second] else second


def abilities(role: str | None) -> dict[str, bool]:
    """What a role may do, by short name, for templates (for example the organisation's page
    navigation in accounts/_organisation_nav.html reads `can.change`, `can.view_audit`)."""
    granted = role_permissions(role)
    return {
        "view": VIEW in granted,
        "change": CHANGE in granted,
        "delete": DELETE in granted,
        "manage_members": MANAGE_MEMBERS in granted,
        "manage_owners": MANAGE_OWNERS in granted,
        "view_audit": VIEW_AUDIT in granted,
        "design_badges": DESIGN_BADGES in granted,
        "award_badges": AWARD_BADGES in granted,
        "review_applications": REVIEW_APPLICATIONS in granted,
    }
