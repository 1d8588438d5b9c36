import pytest

from accounts.models import Membership, Organisation, OrganisationKind, Role, User
from audit.services import audit_record


@pytest.fixture
def organisation(db):
    return Organisation.objects.create(
        slug="open-badges-lab-tartu", name="Open Badges Lab Tartu", kind=OrganisationKind.NETWORK
    )


@pytest.fixture
def other_organisation(db):
    return Organisation.objects.create(
        slug="scuola-aperta-torino", name="Scuola Aperta Torino", kind=OrganisationKind.SCHOOL
    )


@pytest.fixture
def members(organisation):
    """One member per role, keyed by role value."""
    people = {}
    for role in Role:
        user = User.objects.create_user(email=f"{role.value}@example.org", password="x")
        Membership.objects.create(organisation=organisation, user=user, role=role)
        people[role.value] = user
    return people


@pytest.fixture
def owner(members):
    return members[Role.OWNER]


@pytest.fixture
def outsider(db):
    return User.objects.create_user(email="outsider@example.org", password="x")


@pytest.fixture
def recorded(organisation, other_organisation, owner):
    """A few events in the organisation and one in another organisation."""
    return {
        "added": audit_record(
            actor=owner,
            action="membership.created",
            organisation=organisation,
            target=owner,
            data={"role": "admin"},
        ),
        "changed": audit_record(
            actor=owner, action="organisation.updated", organisation=organisation
        ),
        "custom": audit_record(
            actor=None, action="campaign.pledge_made", organisation=organisation
        ),
        "elsewhere": audit_record(
            actor=owner, action="organisation.secret_elsewhere", organisation=other_organisation
        ),
    }
