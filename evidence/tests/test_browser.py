"""A learner uploads a PDF and an image, sees their thumbnails, attaches them to a badge and
sees them on the badge page, in a real browser with axe on every page."""

import pytest
from django.urls import reverse

from badgeeurope.tests.browser import serious_violations
from evidence.models import BadgeEvidence, EvidenceItem

from .conftest import pdf_bytes, png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, user):
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", "x")
    page.press("input[name=password]", "Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def thumbnails_loaded(page, selector: str) -> list[int]:
    """The natural width of each image once the browser is done with it (0: it failed).
    Read at once, an image still on its way also counts 0; lazy ones load when in view."""
    for image in page.locator(selector).all():
        image.scroll_into_view_if_needed()
    page.wait_for_function(
        "selector => [...document.querySelectorAll(selector)].every(image => image.complete)",
        arg=selector,
    )
    return page.eval_on_selector_all(selector, "images => images.map(image => image.naturalWidth)")


def test_upload_see_thumbnails_attach_and_show_on_the_badge(page, live_server, w, tmp_path):
    (tmp_path / "certificate.pdf").write_bytes(pdf_bytes((300, 420), (30, 160, 60)))
    (tmp_path / "workshop.png").write_bytes(png_bytes((640, 360), (0, 82, 147)))
    sign_in(page, live_server, w.learner)

    page.goto(live_server.url + reverse("evidence:library"))
    assert "Your library is empty" in page.inner_text("main")
    assert serious_violations(page) == []
    page.locator("#id_files").set_input_files(
        [str(tmp_path / "certificate.pdf"), str(tmp_path / "workshop.png")]
    )
    page.get_by_role("button", name="Upload", exact=True).click()
    page.get_by_text("2 files added to your library.").wait_for()
    assert page.locator(".evidence-card").count() == 2
    widths = thumbnails_loaded(
        page, ".evidence-card img.evidence-visual:not(.evidence-visual--icon)"
    )
    assert len(widths) == 2 and all(width > 0 for width in widths)
    assert serious_violations(page) == []
    page.screenshot(path=str(tmp_path / "library.png"), full_page=True)

    page.goto(live_server.url + reverse("passport:detail", args=[w.badge.public_id]))
    slot = page.locator(".evidence-slot")
    assert "Added by the learner" in slot.inner_text()
    assert "You have not added any evidence to this badge yet." in slot.inner_text()
    for title in ["certificate", "workshop"]:
        page.get_by_label("From your library").select_option(label=title)
        page.get_by_role("button", name="Attach", exact=True).click()
        page.get_by_text(f"“{title}” was attached.").wait_for()
    assert page.locator(".evidence-slot .evidence-card").count() == 2
    widths = thumbnails_loaded(
        page, ".evidence-slot img.evidence-visual:not(.evidence-visual--icon)"
    )
    assert len(widths) == 2 and all(width > 0 for width in widths)
    assert serious_violations(page) == []
    page.screenshot(path=str(tmp_path / "badge.png"), full_page=True)
    assert BadgeEvidence.objects.filter(badge=w.badge).count() == 2

    page.get_by_role("button", name="Remove from this badge certificate").click()
    page.get_by_text("“certificate” was removed from this badge").wait_for()
    assert page.locator(".evidence-slot .evidence-card").count() == 1
    assert EvidenceItem.objects.count() == 2
