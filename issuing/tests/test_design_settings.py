"""The designer's settings are stored with the version it drew and reopen when the badge is
edited; a kept image keeps them into a new version, an uploaded image drops them."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role
from issuing import designer, services
from issuing.models import BadgeClass, BadgeClassDesign

from .conftest import png_bytes
from .test_design_views import edit_data, form_data, url


def create_with_designer(client, w):
    client.force_login(w.members[Role.DESIGNER])
    response = client.post(url("badge_class_create", w), form_data(line2="Season 1"))
    assert response.status_code == 302
    return BadgeClass.objects.get()


def test_designer_settings_are_stored_and_reopened(client, w):
    badge = create_with_designer(client, w)
    assert BadgeClassDesign.objects.get(version=badge.current_version).settings == {
        "shape": "hexagon",
        "primary": "#1b5e20",
        "secondary": "#ffd54f",
        "icon": "leaf",
        "line1": "Gardener",
        "line2": "Season 1",
    }
    page = client.get(url("badge_class_edit", w, badge))
    form = page.context["form"]
    assert form["shape"].value() == "hexagon"
    assert form["icon"].value() == "leaf"
    assert form["primary"].value() == "#1b5e20"
    assert form["line2"].value() == "Season 1"
    # The live preview starts from the stored design too.
    assert "shape=hexagon" in page.context["preview_query"]
    assert "line2=Season+1" in page.context["preview_query"]


def test_redesigning_replaces_the_settings(client, w):
    badge = create_with_designer(client, w)
    data = edit_data(badge, image_source="designer", shape="shield", icon="book", line1="Mentor")
    assert client.post(url("badge_class_edit", w, badge), data).status_code == 302
    badge.refresh_from_db()
    stored = designer.design_for(badge.current_version)
    assert (stored.shape, stored.icon, stored.line1) == ("shield", "book", "Mentor")


def test_a_new_version_with_the_kept_image_keeps_the_design(client, w):
    badge = create_with_designer(client, w)
    services.award_create(
        actor=w.members[Role.OWNER], badge_class=badge, recipient_email="a@example.org"
    )
    response = client.post(url("badge_class_edit", w, badge), edit_data(badge, name="Gardener II"))
    assert response.status_code == 302
    badge.refresh_from_db()
    assert badge.current_version.number == 2
    assert designer.design_for(badge.current_version).shape == "hexagon"


def test_an_uploaded_image_drops_the_design(client, w):
    badge = create_with_designer(client, w)
    data = edit_data(
        badge, image_source="upload", image=SimpleUploadedFile("new.png", png_bytes(256))
    )
    assert client.post(url("badge_class_edit", w, badge), data).status_code == 302
    badge.refresh_from_db()
    assert designer.design_for(badge.current_version) is None
    form = client.get(url("badge_class_edit", w, badge)).context["form"]
    assert form["shape"].value() == designer.DEFAULT.shape


def test_storing_a_design_needs_the_design_permission(w, badge):
    with pytest.raises(PermissionDenied):
        designer.design_store(
            actor=w.members[Role.AWARDER], version=badge.current_version, design=designer.DEFAULT
        )
    assert not BadgeClassDesign.objects.exists()
