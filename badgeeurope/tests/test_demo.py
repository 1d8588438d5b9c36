import io

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command

from accounts.models import Invitation, Membership, Organisation, Role, User
from audit.models import AuditEvent
from badgeeurope import demo
from issuing.models import Award, BadgeClass

pytestmark = pytest.mark.django_db

MODELS = [Organisation, User, Membership, EmailAddress, Invitation, AuditEvent, BadgeClass, Award]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def loaded():
    out = io.StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def test_second_run_creates_nothing(loaded):
    first = counts()
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert counts() == first
    assert "nothing (already loaded)" in out.getvalue()


def test_summary_lists_one_sign_in_account_per_role(loaded):
    assert f"{len(demo.INITIATIVES)} initiatives" in loaded
    for role in Role:
        assert f"{role.label}: " in loaded
    for _label, email in demo.SIGN_IN_ACCOUNTS:
        assert email in loaded
        user = User.objects.get(email=email)
        assert user.check_password(demo.DEMO_PASSWORD)
        assert EmailAddress.objects.filter(user=user, email=email, verified=True).exists()


def test_sign_in_accounts_hold_the_role_they_are_listed_for(loaded):
    for role in Role:
        email = dict((str(label), address) for label, address in demo.SIGN_IN_ACCOUNTS)[
            str(role.label)
        ]
        assert Membership.objects.filter(user__email=email, role=role).exists()


def test_the_world_is_realistic(loaded):
    initiatives = Organisation.objects.filter(slug__in=[i.slug for i in demo.INITIATIVES])
    assert initiatives.count() >= 20
    assert len(set(initiatives.values_list("country", flat=True))) >= 12
    kinds = set(Organisation.objects.values_list("kind", flat=True))
    assert {"network", "ngo", "public", "university", "school", "employer"} <= kinds
    assert 5 <= len(demo.ISSUERS) <= 6
    assert User.objects.count() >= 35
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    learners = User.objects.filter(memberships=None)
    assert learners.count() >= 5
    assert EmailAddress.objects.filter(verified=False).count() == 0
    assert User.objects.filter(emailaddress__primary=False).exists()  # several addresses
    assert Invitation.objects.filter(accepted_at=None, revoked_at=None).count() >= 3


def test_descriptions_are_in_the_local_language_and_english(loaded):
    for organisation in Organisation.objects.all():
        assert organisation.description, organisation.slug
        assert organisation.website.startswith(f"https://{organisation.slug}.example.org")
        assert organisation.city and len(organisation.country) == 2
    tartu = Organisation.objects.get(slug="open-badges-lab-tartu").description
    assert "digimärkide" in tartu and "open badges lab" in tartu


def test_no_placeholder_text(loaded):
    texts = [
        value
        for row in Organisation.objects.values_list("name", "description", "city")
        for value in row
    ]
    texts += list(User.objects.values_list("name", flat=True))
    assert all(text.strip() for text in texts)
    assert not [text for text in texts if "lorem" in text.lower() or "ipsum" in text.lower()]


def test_audit_log_tells_what_the_demo_did(loaded):
    tartu = Organisation.objects.get(slug="univ-tartu")
    actions = set(tartu.audit_events.values_list("action", flat=True))
    assert {"organisation.created", "membership.created", "invitation.sent"} <= actions
    # Only the platform itself acts without a person: it creates an issuer's first signing key.
    system = set(AuditEvent.objects.filter(actor=None).values_list("action", flat=True))
    assert system <= {"signing_key.created"}
    dates = {event.created_at.date() for event in AuditEvent.objects.all()}
    assert len(dates) > 10


def test_demo_has_badge_classes_and_learners_with_badges(loaded):
    assert BadgeClass.objects.count() >= 5
    assert Award.objects.filter(revoked_at__isnull=True).count() >= 10
    assert Award.objects.values("organisation").distinct().count() >= 3


def test_a_platform_administrator_can_review_a_waiting_proposal(loaded, client):
    from campaign.demo import PLATFORM_ADMIN_EMAIL
    from campaign.models import Initiative, InitiativeStatus

    assert f"Platform administrator (reviews proposed initiatives): {PLATFORM_ADMIN_EMAIL}" in (
        loaded
    )
    admin = User.objects.get(email=PLATFORM_ADMIN_EMAIL)
    assert admin.is_staff and not admin.is_superuser
    assert admin.check_password(demo.DEMO_PASSWORD)
    waiting = Initiative.objects.get(status=InitiativeStatus.PROPOSED)
    assert waiting.proposed_by.email == "lea.dubois@example.org"
    client.force_login(admin)
    page = client.get("/initiatives/review/")
    assert page.status_code == 200
    assert waiting.name in page.content.decode()
    client.logout()
    assert client.get(f"/initiatives/{waiting.slug}/").status_code == 404  # not public yet
