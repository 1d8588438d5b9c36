"""The claims part of the demo world: the Badge Europe campaign's own organisation with its
"I support #BadgeEurope" badge, open for anyone to claim and registered as the campaign's
supporter badge (unless a platform administrator chose another). Idempotent."""

from django.db import transaction

from accounts.models import Membership, Organisation, OrganisationKind, Role, User
from campaign.services import supporter_badge_register
from issuing import designer, services
from issuing.models import BadgeClass

from . import links
from .models import ClaimableBadge
from .services import claimable_configure

SLUG = "badge-europe"
BADGE_NAME = "I support #BadgeEurope"
OWNER_EMAIL = "kadri.tamm@example.org"
DESIGN = designer.Design(
    shape="circle",
    primary="#0e2456",
    secondary="#f2b632",
    icon="heart",
    line1="#BadgeEurope",
)


def load_claims_demo() -> list[str]:
    owner = User.objects.filter(email=OWNER_EMAIL).first()
    if owner is None:
        return []
    with transaction.atomic():
        organisation, _created = Organisation.objects.get_or_create(
            slug=SLUG,
            defaults={
                "name": "Badge Europe",
                "kind": OrganisationKind.NETWORK,
                "description": (
                    "The Badge Europe campaign: one million open badges for Europe, and everyone "
                    "who supports it."
                ),
                "country": "BE",
                "city": "Brussels",
                "website": "https://badge-europe.example.org",
                "email": "hello@badge-europe.example.org",
            },
        )
        Membership.objects.get_or_create(
            organisation=organisation, user=owner, defaults={"role": Role.OWNER}
        )
        badge_class = BadgeClass.objects.filter(
            organisation=organisation, current_version__name=BADGE_NAME
        ).first()
        if badge_class is None:
            badge_class = services.badge_class_create(
                actor=owner,
                organisation=organisation,
                image=designer.render(DESIGN),
                name=BADGE_NAME,
                description=(
                    "Supports the Badge Europe campaign for open, verifiable recognition of "
                    "learning everywhere in Europe."
                ),
                criteria_narrative=(
                    "Claimed by a person who supports the campaign and confirmed their email "
                    "address."
                ),
                achievement_type="Membership",
                tags=["BadgeEurope", "campaign"],
            )
            designer.design_store(actor=owner, version=badge_class.current_version, design=DESIGN)
        claimable = ClaimableBadge.objects.filter(badge_class=badge_class).first()
        if claimable is None:
            claimable = claimable_configure(actor=owner, badge_class=badge_class, enabled=True)
        # Its holders are the campaign's supporters (the totals page counts them).
        supporter_badge_register(actor=owner, badge_class=badge_class)
    return [
        f"Claimable badge: {BADGE_NAME} at {links.claim_url(claimable)} "
        f"(badge class {badge_class.public_id})"
    ]
