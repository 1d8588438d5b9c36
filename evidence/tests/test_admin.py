"""The read-only admin lists evidence metadata to site staff without exposing the files."""

import pytest
from django.urls import reverse

from accounts.models import User
from evidence import services

from .conftest import png_bytes, upload

pytestmark = pytest.mark.django_db


def test_admin_lists_and_shows_but_does_not_change(client, w):
    item = services.evidence_file_add(actor=w.learner, upload=upload("photo.png", png_bytes()))
    staff = User.objects.create_superuser(email="staff@example.org", password="x")
    client.force_login(staff)
    listing = client.get(reverse("admin:evidence_evidenceitem_changelist"))
    assert listing.status_code == 200 and "photo" in listing.content.decode()
    detail = client.get(reverse("admin:evidence_evidenceitem_change", args=[item.pk]))
    assert detail.status_code == 200
    assert item.file.name not in detail.content.decode()
    assert client.get(reverse("admin:evidence_evidenceitem_add")).status_code == 403
    assert client.get(reverse("admin:evidence_badgeevidence_changelist")).status_code == 200
