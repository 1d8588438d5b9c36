"""The demo world: a realistic European set of organisations and people.

Each app adds its part here as features land. Every step is idempotent (get_or_create on stable
keys), so running `manage.py demo` twice changes nothing the second time.
"""

from django.db import transaction

from accounts.models import Membership, Organisation, OrganisationKind, Role, User

DEMO_PASSWORD = "badge-europe-demo"  # noqa: S105 - published in the README for the local demo

ORGANISATIONS = [
    ("univ-tartu", "University of Tartu", OrganisationKind.UNIVERSITY, "EE", "Tartu"),
    ("ville-de-lyon", "Ville de Lyon", OrganisationKind.PUBLIC, "FR", "Lyon"),
    ("vhs-muenchen", "Münchner Volkshochschule", OrganisationKind.TRAINING, "DE", "München"),
]

PEOPLE = [
    ("kadri.tamm@example.org", "Kadri Tamm", "univ-tartu", Role.OWNER),
    ("claire.martin@example.org", "Claire Martin", "ville-de-lyon", Role.OWNER),
    ("jonas.weber@example.org", "Jonas Weber", "vhs-muenchen", Role.OWNER),
]


@transaction.atomic
def load_demo() -> list[str]:
    from allauth.account.models import EmailAddress

    orgs = {}
    for slug, name, kind, country, city in ORGANISATIONS:
        orgs[slug], _ = Organisation.objects.get_or_create(
            slug=slug, defaults={"name": name, "kind": kind, "country": country, "city": city}
        )
    for email, name, org_slug, role in PEOPLE:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=DEMO_PASSWORD, name=name)
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        Membership.objects.get_or_create(
            organisation=orgs[org_slug], user=user, defaults={"role": role}
        )
    return [
        f"Demo data: {Organisation.objects.count()} organisations, {User.objects.count()} people.",
        f"Sign in as {PEOPLE[0][0]} with the password {DEMO_PASSWORD}",
    ]
