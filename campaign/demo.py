"""The campaign part of the demo world: every demo initiative (an organisation of
badgeeurope.demo.INITIATIVES) also becomes an approved `campaign.Initiative` at the real
coordinates of its city, with its organisation linked, a nearby issuing organisation where there
is one (so its demo awards count), one or two pledges and, for one initiative, a report of a
connected system. Idempotent: keyed by slugs and references. Runs after the issuing demo."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, OrganisationKind, Role
from badgeeurope.demo import INITIATIVES

from . import counting
from .models import ExternalReport, Initiative, InitiativeKind, InitiativeStatus, Pledge


@dataclass(frozen=True)
class Place:
    language: str  # of the local description
    latitude: str
    longitude: str


# Real coordinates of each initiative's city centre.
PLACES = {
    "open-badges-lab-tartu": Place("et", "58.378025", "26.728493"),
    "reseau-badges-occitanie": Place("fr", "43.604652", "1.444209"),
    "digitale-kompetenzen-steiermark": Place("de", "47.070714", "15.439504"),
    "scuola-aperta-torino": Place("it", "45.070312", "7.686856"),
    "oppimisen-merkit-tampere": Place("fi", "61.497753", "23.760954"),
    "competencias-abiertas-valencia": Place("es", "39.469907", "-0.376288"),
    "rede-competencias-porto": Place("pt", "41.157944", "-8.629105"),
    "odznaki-kompetencji-krakow": Place("pl", "50.064650", "19.944980"),
    "open-leren-utrecht": Place("nl", "52.090737", "5.121420"),
    "competences-wallonie-liege": Place("fr", "50.632557", "5.579666"),
    "jugendwerkstatt-leipzig": Place("de", "51.339695", "12.373075"),
    "digital-skills-network-galway": Place("en", "53.270668", "-9.056791"),
    "anoichta-simata-thessaloniki": Place("el", "40.640063", "22.944419"),
    "kompetensmarken-malmo": Place("sv", "55.604981", "13.003822"),
    "otevrene-odznaky-brno": Place("cs", "49.195060", "16.606837"),
    "znacke-znanja-ljubljana": Place("sl", "46.056947", "14.505751"),
    "poslodavci-za-vjestine-zagreb": Place("hr", "45.815011", "15.981919"),
    "insigne-deschise-cluj": Place("ro", "46.770439", "23.591423"),
    "kompetencemaerker-aarhus": Place("da", "56.162939", "10.203921"),
    "atviri-zenkleliai-vilnius": Place("lt", "54.687156", "25.279651"),
}

KINDS = {
    OrganisationKind.SCHOOL: InitiativeKind.SCHOOL,
    OrganisationKind.UNIVERSITY: InitiativeKind.UNIVERSITY,
    OrganisationKind.TRAINING: InitiativeKind.VET,
    OrganisationKind.PUBLIC: InitiativeKind.CITY_REGION,
    OrganisationKind.EMPLOYER: InitiativeKind.EMPLOYER,
    OrganisationKind.NGO: InitiativeKind.NGO,
    OrganisationKind.NETWORK: InitiativeKind.NETWORK,
}

# Issuing organisations of the demo that award badges for an initiative of their region.
ISSUERS_OF = {
    "open-badges-lab-tartu": "univ-tartu",
    "reseau-badges-occitanie": "ville-de-lyon",
    "oppimisen-merkit-tampere": "ammattiopisto-koskikaupunki",
    "competencias-abiertas-valencia": "fundacion-puentes",
    "open-leren-utrecht": "havenlicht-logistiek",
    "jugendwerkstatt-leipzig": "vhs-muenchen",
}

# Pledged badge counts: (first pledge, optional second pledge with a theme).
PLEDGES = [
    (5000, (1200, "Digital skills")),
    (2500, None),
    (12000, (3000, "Volunteering")),
    (800, None),
    (4000, (1500, "Vocational skills")),
    (1500, None),
    (3000, None),
    (2000, (500, "Languages")),
    (6000, None),
    (2500, (1000, "Green skills")),
]


def _owner(organisation: Organisation):
    membership = organisation.memberships.filter(role=Role.OWNER).select_related("user").first()
    return membership.user if membership else None


def load_campaign_demo() -> list[str]:
    created = {"initiatives": 0, "pledges": 0, "reports": 0}
    today = timezone.localdate()
    with transaction.atomic():
        for number, demo in enumerate(INITIATIVES):
            organisation = Organisation.objects.filter(slug=demo.slug).first()
            place = PLACES.get(demo.slug)
            if organisation is None or place is None:
                continue
            owner = _owner(organisation)
            translations = (
                {"en": {"name": demo.name, "description": demo.english}}
                if place.language != "en"
                else {}
            )
            initiative, is_new = Initiative.objects.get_or_create(
                slug=demo.slug,
                defaults={
                    "name": demo.name,
                    "language": place.language,
                    "description": demo.local,
                    "translations": translations,
                    "kind": KINDS.get(demo.kind, InitiativeKind.OTHER),
                    "latitude": Decimal(place.latitude),
                    "longitude": Decimal(place.longitude),
                    "country": demo.country,
                    "city": demo.city,
                    "website": demo.website,
                    "contact_name": owner.name if owner else "",
                    "contact_email": f"contact@{demo.slug}.example.org",
                    "status": InitiativeStatus.APPROVED,
                    "proposed_by": owner,
                    "reviewed_at": timezone.now(),
                },
            )
            if not is_new:
                continue
            created["initiatives"] += 1
            initiative.organisations.add(organisation)
            issuer = Organisation.objects.filter(slug=ISSUERS_OF.get(demo.slug, "")).first()
            if issuer is not None:
                initiative.organisations.add(issuer)
            first, second = PLEDGES[number % len(PLEDGES)]
            started = today - timedelta(days=240 - 7 * number)
            Pledge.objects.create(
                initiative=initiative,
                badge_count=first,
                starts_on=started,
                deadline=date(today.year + 1, 12, 31),
                organisation=organisation,
                created_by=owner,
            )
            created["pledges"] += 1
            if second is not None:
                count, theme = second
                Pledge.objects.create(
                    initiative=initiative,
                    badge_count=count,
                    starts_on=started + timedelta(days=60),
                    deadline=date(today.year + 2, 6, 30),
                    theme=theme,
                    organisation=organisation,
                    created_by=owner,
                )
                created["pledges"] += 1
        galway = Initiative.objects.filter(slug="digital-skills-network-galway").first()
        if galway is not None:
            for months_ago, count in ((3, 140), (2, 185), (1, 230)):
                start = _month_start(today, months_ago)
                end = _month_start(today, months_ago - 1) - timedelta(days=1)
                _report, is_new = ExternalReport.objects.get_or_create(
                    initiative=galway,
                    reference=f"moodle-{start:%Y-%m}",
                    defaults={
                        "count": count,
                        "period_start": start,
                        "period_end": end,
                        "system": "Moodle",
                    },
                )
                created["reports"] += is_new
        _platform_admin_and_a_proposal(created)
    counting.counters_rebuild_all()
    return [
        f"Campaign: {created['initiatives']} initiatives, {created['pledges']} pledges, "
        f"{created['reports']} external reports created; counters rebuilt.",
        f"  Platform administrator (reviews proposed initiatives): {PLATFORM_ADMIN_EMAIL}",
    ]


PLATFORM_ADMIN_EMAIL = "ana.ferreira@example.org"


def _platform_admin_and_a_proposal(created: dict[str, int]) -> None:
    """Somebody must be able to try the review of proposed initiatives: a platform
    administrator, and one initiative proposed by a learner that waits for them."""
    from allauth.account.models import EmailAddress

    from accounts.models import User
    from badgeeurope.demo import DEMO_PASSWORD

    admin = User.objects.filter(email=PLATFORM_ADMIN_EMAIL).first()
    if admin is None:
        admin = User.objects.create_user(
            email=PLATFORM_ADMIN_EMAIL,
            password=DEMO_PASSWORD,
            name="Ana Ferreira",
            language="en",
            is_staff=True,
        )
    EmailAddress.objects.get_or_create(
        user=admin, email=PLATFORM_ADMIN_EMAIL, defaults={"verified": True, "primary": True}
    )
    proposer = User.objects.filter(email="lea.dubois@example.org").first()
    _proposal, is_new = Initiative.objects.get_or_create(
        slug="badges-citoyens-luxembourg",
        defaults={
            "name": "Badges citoyens Luxembourg",
            "language": "fr",
            "description": (
                "Des associations de quartier reconnaissent l'engagement bénévole des jeunes "
                "avec des badges numériques."
            ),
            "translations": {
                "en": {
                    "name": "Citizen badges Luxembourg",
                    "description": "Neighbourhood associations recognising young people's "
                    "volunteering with digital badges.",
                }
            },
            "kind": InitiativeKind.NGO,
            "latitude": Decimal("49.611600"),
            "longitude": Decimal("6.131900"),
            "country": "LU",
            "city": "Luxembourg",
            "contact_name": proposer.name if proposer else "",
            "contact_email": "contact@badges-citoyens.example.org",
            "status": InitiativeStatus.PROPOSED,
            "proposed_by": proposer,
        },
    )
    created["initiatives"] += is_new


def _month_start(today: date, months_ago: int) -> date:
    year, month = today.year, today.month - months_ago
    while month < 1:
        year, month = year - 1, month + 12
    return date(year, month, 1)
