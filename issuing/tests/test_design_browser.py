"""Creating badge classes in a real browser: with the designer and with an uploaded PNG, the
keyboard alone, and axe on every page on the way."""

import pytest
from django.urls import reverse

from accounts.models import Role
from badgeeurope.tests.browser import serious_violations
from issuing.models import BadgeClass

from .conftest import png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, user):
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", "x")
    page.press("input[name=password]", "Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def type_into(page, selector: str, text: str) -> None:
    page.focus(selector)
    page.keyboard.type(text)


def test_create_a_badge_class_with_the_designer_by_keyboard(page, live_server, w):
    sign_in(page, live_server, w.members[Role.DESIGNER])
    page.goto(live_server.url + reverse("issuing_design:badge_class_list", args=["hansa-academy"]))
    assert serious_violations(page) == []
    page.get_by_role("link", name="Create the first badge class").click()
    page.wait_for_url("**/badges/new/")
    assert serious_violations(page) == []
    # With the script, only the chosen image option is shown.
    assert page.locator("[data-image-option=upload]").is_hidden()
    assert page.locator("[data-preview-button]").count() == 0

    page.focus("#id_name")
    page.keyboard.type("Sea Kayak Guide")
    page.keyboard.press("Tab")
    page.keyboard.type("Leads groups safely along the Baltic coast.")
    page.keyboard.press("Tab")
    page.keyboard.press("End")  # last achievement type in the list
    page.keyboard.press("Tab")
    page.keyboard.type("outdoors, safety")

    preview = page.locator("#designer-preview")
    before = preview.get_attribute("src")
    page.focus("#id_shape")
    page.keyboard.press("ArrowDown")  # circle → hexagon
    page.focus("#id_line1")
    page.keyboard.type("Kayak")
    # The new preview is fetched after the src changes: wait until it has loaded and drawn.
    page.wait_for_function(
        "() => { const image = document.getElementById('designer-preview');"
        " return image.src.includes('line1=Kayak') && image.complete"
        " && image.naturalWidth > 0; }"
    )
    assert preview.get_attribute("src") != before
    assert "shape=hexagon" in preview.get_attribute("src")

    type_into(page, "#id_criteria_narrative", "Guide **five** trips with an instructor.")
    type_into(page, "#id_alignments-0-target_name", "lead groups")
    type_into(
        page,
        "#id_alignments-0-target_url",
        "http://data.europa.eu/esco/skill/4e0c3e69-7a8b-4a7f-8a2d-6a52f1fd5d3b",
    )
    page.focus("#id_translations-0-language")
    page.keyboard.type("Suomi")
    type_into(page, "#id_translations-0-name", "Merimelontaopas")
    page.focus("#id_name")
    page.keyboard.press("Enter")
    page.wait_for_url("**/badges/*-*/")
    assert "The badge class has been created." in page.inner_text("main")
    assert serious_violations(page) == []

    badge = BadgeClass.objects.get()
    version = badge.current_version
    assert version.name == "Sea Kayak Guide"
    assert version.achievement_type == "Membership"
    assert version.image_type == "image/svg+xml"
    assert b"Kayak" in version.image.read()
    assert version.translations == {"fi": {"name": "Merimelontaopas"}}
    assert version.alignments[0]["targetFramework"] == "ESCO"
    # The image on the page is the stored one and loads.
    image = page.locator("img.badge-heading__image")
    assert image.evaluate("image => image.complete && image.naturalWidth > 0")

    page.get_by_role("link", name="Edit").click()
    page.wait_for_url("**/edit/")
    assert serious_violations(page) == []
    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("link", name="Archive").click()
    page.wait_for_url("**/archive/")
    assert serious_violations(page) == []


def test_create_a_badge_class_with_an_uploaded_png(page, live_server, w, tmp_path):
    picture = tmp_path / "badge.png"
    picture.write_bytes(png_bytes(300, (200, 40, 40, 255)))
    sign_in(page, live_server, w.members[Role.ADMIN])
    page.goto(
        live_server.url + reverse("issuing_design:badge_class_create", args=["hansa-academy"])
    )
    page.fill("#id_name", "First Aid Volunteer")
    page.fill("#id_description", "Gives first aid at community events.")
    page.focus("#id_image_source_1")  # "Make one with the designer" is chosen at first
    page.keyboard.press("ArrowUp")  # → "Upload an image"
    assert page.locator("#id_image_source_0").is_checked()
    assert page.locator("[data-image-option=designer]").is_hidden()
    page.set_input_files("#id_image", str(picture))
    page.fill("#id_criteria_url", "https://hansa.example.org/first-aid")
    page.fill("#id_default_validity_days", "365")
    page.get_by_role("button", name="Create badge class").click()
    page.wait_for_url("**/badges/*-*/")
    assert serious_violations(page) == []
    version = BadgeClass.objects.get().current_version
    assert version.image_type == "image/png"
    assert version.default_validity_days == 365
    page.goto(live_server.url + reverse("issuing_design:badge_class_list", args=["hansa-academy"]))
    assert "First Aid Volunteer" in page.inner_text("main")
    assert serious_violations(page) == []


def test_form_errors_are_accessible(page, live_server, w):
    sign_in(page, live_server, w.members[Role.OWNER])
    page.goto(
        live_server.url + reverse("issuing_design:badge_class_create", args=["hansa-academy"])
    )
    page.fill("#id_name", "Incomplete")
    page.fill("#id_description", "No criteria yet.")
    page.fill("#id_alignments-0-target_name", "something")
    page.fill("#id_alignments-0-target_url", "https://example.org/not-esco")
    page.get_by_role("button", name="Create badge class").click()
    page.wait_for_selector(".errorlist")
    text = page.inner_text("main")
    assert "Say how the badge is earned" in text
    assert "http://data.europa.eu/esco/skill/" in text
    assert serious_violations(page) == []
