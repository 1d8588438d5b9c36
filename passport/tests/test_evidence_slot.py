"""The evidence slot on a share link: nobody gets its edit controls there, and evidence the
owner hid stays hidden from the link's holders — the owner following their own link included,
since a shared page shows what the people holding the link see."""

import pytest
from django.urls import reverse
from django.utils import timezone

from evidence import services as evidence_services
from passport.models import BadgeSource, BadgeState, PassportBadge, Visibility

from .conftest import make_user

TOKEN = "share-" + "h" * 30
ISSUER_EVIDENCE = "Workshop portfolio from the issuer"
LEARNER_EVIDENCE = "My facilitation diary"
EDIT_MARKERS = ("Add evidence", "Remove from this badge", "Upload and attach", "/detach/")


@pytest.fixture
def shared(db, w):
    badge = PassportBadge.objects.create(
        owner=w.learner,
        source=BadgeSource.IMPORTED,
        state=BadgeState.ACCEPTED,
        state_changed_at=timezone.now(),
        visibility=Visibility.PRIVATE,
        share_token=TOKEN,
        original=b"{}",
        original_format="json",
        name="Digital Facilitator",
        issuer_name="Hansa Academy",
        issued_at=timezone.now(),
        spec="ob3",
        credential={
            "evidence": [{"id": "https://hansa.example.org/portfolio", "name": ISSUER_EVIDENCE}]
        },
    )
    item = evidence_services.evidence_link_add(
        actor=w.learner, url="https://kadri.example.org/diary", title=LEARNER_EVIDENCE
    )
    evidence_services.badge_evidence_attach(actor=w.learner, badge=badge, evidence=item)
    return badge


def _page(client, badge, *, user=None, via_link=True) -> str:
    if user is not None:
        client.force_login(user)
    url = (
        reverse("passport:shared", kwargs={"token": TOKEN})
        if via_link
        else reverse("passport:detail", args=[badge.public_id])
    )
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("viewer", ["anonymous", "outsider", "owner"])
def test_share_link_shows_evidence_without_edit_controls(client, w, shared, viewer):
    user = {"anonymous": None, "outsider": make_user("stranger@example.com"), "owner": w.learner}
    body = _page(client, shared, user=user[viewer])
    assert ISSUER_EVIDENCE in body and LEARNER_EVIDENCE in body
    for marker in EDIT_MARKERS:
        assert marker not in body
    assert reverse("evidence:attach", args=[shared.public_id]) not in body
    assert reverse("evidence:upload") not in body
    assert "Evidence you added after the badge was issued." not in body


@pytest.mark.parametrize("viewer", ["anonymous", "outsider", "owner"])
def test_share_link_hides_hidden_evidence_from_everybody(client, w, shared, viewer):
    shared.hide_evidence = True
    shared.save(update_fields=["hide_evidence"])
    user = {"anonymous": None, "outsider": make_user("stranger@example.com"), "owner": w.learner}
    body = _page(client, shared, user=user[viewer])
    assert "Digital Facilitator" in body
    assert ISSUER_EVIDENCE not in body
    assert LEARNER_EVIDENCE not in body
    assert "Added by the learner" not in body
    for marker in EDIT_MARKERS:
        assert marker not in body


def test_owner_page_keeps_hidden_evidence_and_controls_for_the_owner(client, w, shared):
    shared.hide_evidence = True
    shared.save(update_fields=["hide_evidence"])
    body = _page(client, shared, user=w.learner, via_link=False)
    assert ISSUER_EVIDENCE in body and LEARNER_EVIDENCE in body
    assert "Hidden from everybody but you." in body
    assert "Add evidence" in body and "Remove from this badge" in body
    assert reverse("evidence:upload") in body
