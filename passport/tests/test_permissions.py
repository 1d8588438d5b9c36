"""Who may see and change what: every passport URL × every kind of badge × every persona.

Personas: the owner, another signed-in learner, an anonymous visitor, and the staff of the
organisation that issued the badge (they made the award, but the passport is not theirs).
A badge a persona may not see answers 404, exactly as a badge that does not exist.
"""

import json

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from issuing.tests.conftest import png_bytes
from openbadges.verify import VerificationReport
from passport import services
from passport.models import BadgeState, PassportBadge, Visibility

from .conftest import award_to

PERSONAS = ("owner", "other", "anonymous", "staff")
SECRET_EVIDENCE = "Secret-evidence-narrative-7f3a"


def valid_report() -> VerificationReport:
    report = VerificationReport(format="ob3-json")
    report.add("proof", "passed", "The signature is valid.")
    return report


def _imported(w, name: str, **changes) -> PassportBadge:
    credential = {
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": name,
        "evidence": [{"id": "https://portfolio.example.org/x", "narrative": SECRET_EVIDENCE}],
        "credentialSubject": {"achievement": {"name": name}},
    }
    badge = services.passport_badge_import_create(
        actor=w.learner,
        original=json.dumps(credential).encode(),
        original_format="json",
        original_filename="badge.json",
        credential=credential,
        report=valid_report(),
        snapshot={
            "name": name,
            "issuer_name": "Elsewhere Academy",
            "spec": "ob3",
            "image": ContentFile(png_bytes(), name="image.png"),
        },
    )
    PassportBadge.objects.filter(pk=badge.pk).update(**changes)
    badge.refresh_from_db()
    return badge


@pytest.fixture
def badges(w):
    """One badge of the learner for every situation, keyed by situation."""
    classes = [w.badge_class, w.second_class]
    made = {}
    for number, situation in enumerate(("private", "signed_in", "public", "pending", "declined")):
        from issuing import services as issuing_services

        if number >= len(classes):
            classes.append(
                issuing_services.badge_class_create(
                    actor=w.awarder,
                    organisation=w.organisation,
                    image=png_bytes(colour=(10 * number, 60, 90, 255)),
                    name=f"Badge {situation}",
                    description="A badge for the permission matrix.",
                    criteria_narrative="Did it.",
                )
            )
        award_to(w, "kadri.tamm@example.org", badge_class=classes[number])
    services.passport_sync_for_user(user=w.learner)
    rows = list(PassportBadge.objects.filter(owner=w.learner).order_by("award__badge_class_id"))
    situations = ("private", "signed_in", "public", "pending", "declined")
    for row, situation in zip(rows, situations, strict=True):
        changes = {"pending": {}, "declined": {"state": BadgeState.DECLINED}}.get(
            situation, {"state": BadgeState.ACCEPTED, "visibility": situation}
        )
        if situation == "declined":
            # Even with a leftover public setting and share link, a declined badge stays hidden.
            changes.update(visibility=Visibility.PUBLIC, share_token="declined-token-123")
        PassportBadge.objects.filter(pk=row.pk).update(**changes)
        made[situation] = row
    made["shared"] = _imported(
        w,
        "Shared Imported Badge",
        state=BadgeState.ACCEPTED,
        visibility=Visibility.PRIVATE,
        share_token="shared-token-456",
    )
    made["hidden_evidence"] = _imported(
        w,
        "Hidden Evidence Badge",
        state=BadgeState.ACCEPTED,
        visibility=Visibility.PUBLIC,
        hide_evidence=True,
        share_token="hidden-token-789",
    )
    for badge in made.values():
        badge.refresh_from_db()
    return made


def _client(client, w, persona):
    user = {"owner": w.learner, "other": w.other, "staff": w.awarder}.get(persona)
    if user is not None:
        client.force_login(user)
    return client


# Expected status of GET /passport/badges/<id>/ for each situation and persona.
DETAIL = {
    "private": {"owner": 200, "other": 404, "anonymous": 404, "staff": 404},
    "signed_in": {"owner": 200, "other": 200, "anonymous": 404, "staff": 200},
    "public": {"owner": 200, "other": 200, "anonymous": 200, "staff": 200},
    "pending": {"owner": 200, "other": 404, "anonymous": 404, "staff": 404},
    "declined": {"owner": 200, "other": 404, "anonymous": 404, "staff": 404},
    "shared": {"owner": 200, "other": 404, "anonymous": 404, "staff": 404},
    "hidden_evidence": {"owner": 200, "other": 200, "anonymous": 200, "staff": 200},
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("situation", list(DETAIL))
def test_badge_page(client, w, badges, situation, persona):
    badge = badges[situation]
    response = _client(client, w, persona).get(reverse("passport:detail", args=[badge.public_id]))
    assert response.status_code == DETAIL[situation][persona]
    if response.status_code == 200:
        html = response.content.decode()
        managing = reverse("passport:visibility", args=[badge.public_id]) in html
        tagging = reverse("passport:tags", args=[badge.public_id]) in html
        # Only the owner gets the controls (the visibility form only once accepted).
        assert tagging == (persona == "owner")
        if persona != "owner":
            assert not managing
            assert "kadri.tamm@example.org" not in html
        assert response["Cache-Control"] == "private, no-store"


# The imported badges' own files: the image follows the page; the original bytes carry the
# evidence, so hidden evidence hides them from everyone but the owner.
FILES = {
    ("shared", "image"): {"owner": 200, "other": 404, "anonymous": 404, "staff": 404},
    ("shared", "original"): {"owner": 200, "other": 404, "anonymous": 404, "staff": 404},
    ("hidden_evidence", "image"): {"owner": 200, "other": 200, "anonymous": 200, "staff": 200},
    ("hidden_evidence", "original"): {"owner": 200, "other": 404, "anonymous": 404, "staff": 404},
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("situation", "kind"), list(FILES))
def test_imported_files(client, w, badges, situation, kind, persona):
    badge = badges[situation]
    response = _client(client, w, persona).get(reverse(f"passport:{kind}", args=[badge.public_id]))
    assert response.status_code == FILES[(situation, kind)][persona]
    if response.status_code == 200:
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
        if kind == "original":
            assert bytes(response.content) == bytes(badge.original)
            assert response["Content-Type"] == "application/vc+ld+json"
            assert response["Content-Disposition"] == 'attachment; filename="badge.json"'


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("token", "page", "original"),
    [
        ("shared-token-456", 200, 200),  # shared private badge: the link is the permission
        ("hidden-token-789", 200, 404),  # hidden evidence: the page, not the original bytes
        ("declined-token-123", 404, 404),  # a declined badge is shown nowhere
        ("no-such-token", 404, 404),
    ],
)
def test_share_links(client, w, badges, persona, token, page, original):
    client = _client(client, w, persona)
    assert client.get(reverse("passport:shared", args=[token])).status_code == page
    assert client.get(reverse("passport:share_original", args=[token])).status_code == original
    assert client.get(reverse("passport:share_image", args=[token])).status_code == page
    if page == 200:
        response = client.get(reverse("passport:shared", args=[token]))
        assert response["X-Robots-Tag"] == "noindex"
        html = response.content.decode()
        # The shared view never offers the owner's controls, even to the owner.
        assert reverse("passport:tags", args=[badges["shared"].public_id]) not in html
        assert (SECRET_EVIDENCE in html) == (token == "shared-token-456")


@pytest.mark.parametrize("persona", PERSONAS)
def test_hidden_evidence_is_not_in_the_page(client, w, badges, persona):
    badge = badges["hidden_evidence"]
    html = (
        _client(client, w, persona)
        .get(reverse("passport:detail", args=[badge.public_id]))
        .content.decode()
    )
    assert (SECRET_EVIDENCE in html) == (persona == "owner")
    assert (reverse("passport:original", args=[badge.public_id]) in html) == (persona == "owner")


ACTIONS = [
    ("state", {"state": "accepted"}),
    ("state", {"state": "declined"}),
    ("visibility", {"visibility": "public"}),
    ("share", {"action": "create"}),
    ("share", {"action": "revoke"}),
    ("evidence", {"hide": "1"}),
    ("tags", {"action": "add", "tag": "mine"}),
    ("tags", {"action": "remove", "tag": "mine"}),
    ("remove", {}),
]


@pytest.mark.parametrize("persona", ["other", "anonymous", "staff"])
@pytest.mark.parametrize(("action", "data"), ACTIONS)
@pytest.mark.parametrize("situation", ["private", "public", "shared"])
def test_only_the_owner_changes_a_badge(client, w, badges, situation, action, data, persona):
    badge = badges[situation]
    before = PassportBadge.objects.filter(pk=badge.pk).values().get()
    response = _client(client, w, persona).post(
        reverse(f"passport:{action}", args=[badge.public_id]), data
    )
    assert response.status_code == 404
    assert PassportBadge.objects.filter(pk=badge.pk).values().get() == before


@pytest.mark.parametrize(("action", "data"), ACTIONS)
def test_owner_actions_redirect(client, w, badges, action, data):
    badge = badges["shared"]
    response = _client(client, w, "owner").post(
        reverse(f"passport:{action}", args=[badge.public_id]), data
    )
    assert response.status_code == 302


@pytest.mark.parametrize("action", ["state", "visibility", "share", "evidence", "tags", "remove"])
def test_actions_refuse_get(client, w, badges, action):
    badge = badges["public"]
    response = _client(client, w, "owner").get(
        reverse(f"passport:{action}", args=[badge.public_id])
    )
    assert response.status_code == 405


@pytest.mark.parametrize("persona", ["other", "staff"])
def test_list_page_shows_only_ones_own_badges(client, w, badges, persona):
    response = _client(client, w, persona).get(reverse("passport:list"))
    assert response.status_code == 200
    html = response.content.decode()
    for badge in badges.values():
        assert str(badge.public_id) not in html
    assert "Shared Imported Badge" not in html
    assert "Hidden Evidence Badge" not in html


def test_list_page_needs_sign_in(client, badges):
    response = client.get(reverse("passport:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_owner_list_shows_every_own_badge(client, w, badges):
    html = _client(client, w, "owner").get(reverse("passport:list")).content.decode()
    for badge in badges.values():
        assert str(badge.public_id) in html


@pytest.mark.parametrize("persona", PERSONAS)
def test_public_profile_lists_only_public_accepted_badges(client, w, badges, persona):
    services.passport_profile_update(actor=w.learner, handle="kadri", enabled=True)
    response = _client(client, w, persona).get(reverse("passport_profile:public", args=["kadri"]))
    assert response.status_code == 200
    html = response.content.decode()
    shown = {situation for situation, badge in badges.items() if str(badge.public_id) in html}
    assert shown == {"public", "hidden_evidence"}
    if persona != "owner":  # the owner's own account menu names their address
        assert "kadri.tamm@example.org" not in html
    assert SECRET_EVIDENCE not in html


@pytest.mark.parametrize("persona", PERSONAS)
def test_switched_off_or_unknown_profile_is_404(client, w, badges, persona):
    services.passport_profile_update(actor=w.learner, handle="kadri", enabled=False)
    client = _client(client, w, persona)
    assert client.get(reverse("passport_profile:public", args=["kadri"])).status_code == 404
    assert client.get(reverse("passport_profile:public", args=["nobody"])).status_code == 404


def test_profile_settings_need_sign_in(client):
    response = client.get(reverse("passport:profile"))
    assert response.status_code == 302
