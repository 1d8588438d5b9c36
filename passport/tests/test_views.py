"""The passport pages as their owner uses them: receiving, answering, showing, sharing."""

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.core.files.base import ContentFile
from django.urls import reverse

from issuing import services as issuing_services
from issuing.tests.conftest import SVG, png_bytes
from passport import services
from passport.demo import load_passport_demo
from passport.models import BadgeState, PassportBadge, PassportProfile, Visibility

from .conftest import award_to
from .test_services import report


@pytest.fixture
def owner(client, w):
    client.force_login(w.learner)
    return client


def test_opening_the_passport_brings_awards_pending_first(owner, w):
    award_to(w, "kadri.tamm@example.org", recipient_name="Kadri")
    response = owner.get(reverse("passport:list"))
    badge = PassportBadge.objects.get(owner=w.learner)
    assert badge.state == BadgeState.PENDING
    html = response.content.decode()
    assert "Digital Facilitator" in html and "Waiting for your answer" in html
    assert reverse("passport:state", args=[badge.public_id]) in html
    services.passport_badge_set_state(actor=w.learner, badge=badge, state="accepted")
    award_to(w, "kadri.tamm@example.org", badge_class=w.second_class)
    html = owner.get(reverse("passport:list")).content.decode()
    # The new pending badge comes before the older accepted one.
    assert html.index("Open Data Steward") < html.index("Digital Facilitator")


def test_bulk_awards_arrive_on_opening(owner, w):
    """Awards written with bulk_create send no signal: the sync on opening finds them."""
    from issuing.services import AwardRequest

    result = issuing_services.awards_create_bulk(
        actor=w.awarder,
        badge_class=w.second_class,
        requests=[
            AwardRequest(recipient_type="email", recipient_identity="kadri.tamm@example.org")
        ],
        source="csv",
    )
    assert len(result.created) == 1
    owner.get(reverse("passport:list"))
    assert PassportBadge.objects.filter(owner=w.learner).count() == 1


def test_confirming_an_address_brings_its_earlier_awards(w, rf):
    award_to(w, "kadri@work.example.eu")
    address = EmailAddress.objects.create(user=w.learner, email="kadri@work.example.eu")
    address.verified = True
    address.save()
    # django.tasks runs immediately in tests; on_commit fires with the test's captured callbacks.
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        email_confirmed.send(sender=EmailAddress, request=rf.get("/"), email_address=address)
    assert PassportBadge.objects.filter(owner=w.learner).count() == 1


def test_removed_address_keeps_its_badges(owner, w):
    address = EmailAddress.objects.create(
        user=w.learner, email="kadri@old.example.eu", verified=True
    )
    award_to(w, "kadri@old.example.eu")
    owner.get(reverse("passport:list"))
    address.delete()
    award_to(w, "kadri@old.example.eu", badge_class=w.second_class)
    owner.get(reverse("passport:list"))
    names = set(PassportBadge.objects.filter(owner=w.learner).values_list("name", flat=True))
    assert names == {"Digital Facilitator"}


def test_accept_from_the_list_keeps_the_filters(owner, w):
    award_to(w, "kadri.tamm@example.org")
    owner.get(reverse("passport:list"))
    badge = PassportBadge.objects.get(owner=w.learner)
    response = owner.post(
        reverse("passport:state", args=[badge.public_id]),
        {"state": "accepted", "from": "list", "filter_state": "pending", "evil": "x"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("passport:list") + "?state=pending"
    badge.refresh_from_db()
    assert badge.state == BadgeState.ACCEPTED
    # A double submit is harmless.
    owner.post(reverse("passport:state", args=[badge.public_id]), {"state": "accepted"})
    badge.refresh_from_db()
    assert badge.state == BadgeState.ACCEPTED


def test_list_filters_by_state_and_tag(owner, w):
    award_to(w, "kadri.tamm@example.org")
    award_to(w, "kadri.tamm@example.org", badge_class=w.second_class)
    services.passport_sync_for_user(user=w.learner)
    first, second = PassportBadge.objects.filter(owner=w.learner).order_by("name")
    services.passport_badge_set_state(actor=w.learner, badge=first, state="accepted")
    services.passport_badge_tag_add(actor=w.learner, badge=second, tag="Open Data")
    html = owner.get(reverse("passport:list"), {"state": "accepted"}).content.decode()
    assert str(first.public_id) in html and str(second.public_id) not in html
    html = owner.get(reverse("passport:list"), {"tag": "open data"}).content.decode()
    assert str(second.public_id) in html and str(first.public_id) not in html
    response = owner.get(reverse("passport:list"), {"state": "nonsense"})
    assert response.status_code == 200
    assert "The filters could not be applied" in response.content.decode()


def test_badge_page_verifies_and_offers_downloads(owner, w):
    award = award_to(w, "kadri.tamm@example.org", narrative="Ran three workshops.")
    services.passport_sync_for_user(user=w.learner)
    badge = PassportBadge.objects.get(owner=w.learner)
    services.passport_badge_set_state(actor=w.learner, badge=badge, state="accepted")
    html = owner.get(reverse("passport:detail", args=[badge.public_id])).content.decode()
    assert "This badge is valid" in html
    assert "Ran three workshops." in html
    assert reverse("issuing:baked_png", args=[award.public_id]) in html
    assert reverse("issuing:credential_jwt", args=[award.public_id]) in html
    assert "linkedin.com" in html
    assert f"/badges/{w.badge_class.public_id}?v=1" in html  # criteria


def test_revoked_badge_page(owner, w):
    award = award_to(w, "kadri.tamm@example.org")
    services.passport_sync_for_user(user=w.learner)
    issuing_services.award_revoke(actor=w.awarder, award=award, reason="Sent to the wrong address")
    badge = PassportBadge.objects.get(owner=w.learner)
    html = owner.get(reverse("passport:detail", args=[badge.public_id])).content.decode()
    assert "This badge was revoked by its issuer." in html
    assert "Sent to the wrong address" in html
    html = owner.get(reverse("passport:list")).content.decode()
    assert "Revoked" in html


def test_sharing_flow(owner, client, w):
    award_to(w, "kadri.tamm@example.org")
    services.passport_sync_for_user(user=w.learner)
    badge = PassportBadge.objects.get(owner=w.learner)
    detail = reverse("passport:detail", args=[badge.public_id])
    # Not yet accepted: sharing is refused with a message, not an error page.
    response = owner.post(reverse("passport:share", args=[badge.public_id]), follow=True)
    assert "Accept the badge before you show or share it." in response.content.decode()
    owner.post(reverse("passport:state", args=[badge.public_id]), {"state": "accepted"})
    owner.post(reverse("passport:share", args=[badge.public_id]), {"action": "create"})
    badge.refresh_from_db()
    html = owner.get(detail).content.decode()
    assert reverse("passport:shared", args=[badge.share_token]) in html
    owner.post(reverse("passport:visibility", args=[badge.public_id]), {"visibility": "public"})
    badge.refresh_from_db()
    assert badge.visibility == Visibility.PUBLIC
    response = owner.post(
        reverse("passport:visibility", args=[badge.public_id]), {"visibility": "everyone!"}
    )
    assert response.status_code == 302
    badge.refresh_from_db()
    assert badge.visibility == Visibility.PUBLIC
    token = badge.share_token
    owner.post(reverse("passport:share", args=[badge.public_id]), {"action": "revoke"})
    owner.logout()
    assert client.get(reverse("passport:shared", args=[token])).status_code == 404


def test_tag_errors_are_messages(owner, w):
    award_to(w, "kadri.tamm@example.org")
    services.passport_sync_for_user(user=w.learner)
    badge = PassportBadge.objects.get(owner=w.learner)
    response = owner.post(
        reverse("passport:tags", args=[badge.public_id]),
        {"action": "add", "tag": "x" * 500},
        follow=True,
    )
    assert response.status_code == 200
    assert "A tag has at most 40 characters." in response.content.decode()


def _imported(w, fmt: str, original: bytes, image=None):
    snapshot = {"name": "Imported <b>badge</b>", "spec": "ob2"}
    if image:
        snapshot["image"] = image
    return services.passport_badge_import_create(
        actor=w.learner,
        original=original,
        original_format=fmt,
        credential={
            "evidence": [
                {"id": "javascript:alert(1)", "name": "Bad link"},
                {"id": "https://ok.example.org/e", "name": "Good link"},
            ],
            "badge": {"criteria": {"id": "javascript:alert(2)"}},
        },
        report=report(),
        snapshot=snapshot,
    )


def test_imported_svg_is_served_as_inert_download(owner, w):
    hostile = SVG.replace(b"</svg>", b"<script>alert(1)</script></svg>")
    badge = _imported(w, "svg", hostile, image=ContentFile(SVG, name="x.svg"))
    response = owner.get(reverse("passport:original", args=[badge.public_id]))
    assert response.content == hostile
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in response["Content-Security-Policy"]
    image = owner.get(reverse("passport:image", args=[badge.public_id]))
    assert image["Content-Type"] == "image/svg+xml" and image.content == SVG


def test_imported_badge_page_escapes_and_links_only_http(owner, w):
    badge = _imported(w, "png", png_bytes(), image=ContentFile(png_bytes(), name="x.png"))
    html = owner.get(reverse("passport:detail", args=[badge.public_id])).content.decode()
    assert "Imported &lt;b&gt;badge&lt;/b&gt;" in html
    assert "javascript:" not in html
    assert 'href="https://ok.example.org/e"' in html
    assert "was valid when last checked" in html
    response = owner.post(reverse("passport:remove", args=[badge.public_id]))
    assert response["Location"] == reverse("passport:list")
    assert not PassportBadge.objects.filter(pk=badge.pk).exists()


def test_profile_settings(owner, client, w):
    response = owner.post(
        reverse("passport:profile"), {"handle": "admin", "headline": "", "enabled": "on"}
    )
    assert response.status_code == 200
    assert "This handle is reserved" in response.content.decode()
    response = owner.post(
        reverse("passport:profile"), {"handle": "kadri", "headline": "Hi", "enabled": "on"}
    )
    assert response.status_code == 302
    assert PassportProfile.objects.get(user=w.learner).enabled
    assert owner.get(reverse("passport_profile:public", args=["kadri"])).status_code == 200


def test_demo_is_idempotent(db):
    from badgeeurope.demo import load_demo
    from issuing.demo import load_issuing_demo

    load_demo()
    load_issuing_demo()
    first = load_passport_demo()
    count = PassportBadge.objects.count()
    states = dict(PassportBadge.objects.values_list("pk", "state"))
    assert load_passport_demo() == [
        "  passport badges: 0",
        "  accepted: 0",
        "  public profiles: 0",
    ]
    assert first != load_passport_demo()
    assert PassportBadge.objects.count() == count > 0
    assert dict(PassportBadge.objects.values_list("pk", "state")) == states
    profile = PassportProfile.objects.get(handle="lea-dubois")
    assert profile.enabled
    assert PassportBadge.objects.filter(
        owner=profile.user, state="accepted", visibility="public"
    ).exists()
    assert PassportBadge.objects.filter(owner=profile.user, state="pending").exists()


def test_long_passport_is_paged(owner, w):
    from passport.views import BADGES_PER_PAGE

    PassportBadge.objects.bulk_create(
        PassportBadge(owner=w.learner, source="imported", state="accepted", name=f"Badge {n:03}")
        for n in range(BADGES_PER_PAGE + 2)
    )
    first = owner.get(reverse("passport:list")).content.decode()
    assert first.count('class="card stack passport-card"') == BADGES_PER_PAGE
    assert "Page 1 of 2" in first
    second = owner.get(reverse("passport:list"), {"page": 2}).content.decode()
    assert second.count('class="card stack passport-card"') == 2
    assert owner.get(reverse("passport:list"), {"page": "x"}).status_code == 200
