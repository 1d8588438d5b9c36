"""The export and import pages in a real browser: download the archive, bring it back, axe."""

import zipfile

import pytest
from django.test import override_settings
from django.urls import reverse

from badgeeurope.tests.browser import serious_violations
from passport import services
from passport.models import PassportBadge

from .conftest import award_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def evidence_root(tmp_path):
    with override_settings(EVIDENCE_ROOT=str(tmp_path / "evidence")):
        yield


def test_download_the_archive_and_import_it_back(page, live_server, w, tmp_path):
    award_to(w, w.learner.email)
    services.passport_sync_for_user(user=w.learner)
    badge = PassportBadge.objects.get(owner=w.learner)

    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", w.learner.email)
    page.fill("input[name=password]", "x")
    page.press("input[name=password]", "Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    page.goto(live_server.url + reverse("passport_export:page"))
    assert "1 badge, with your choices" in page.inner_text("main")
    assert serious_violations(page) == []
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the archive").click()
    path = tmp_path / "export.zip"
    download.value.save_as(path)
    archive = zipfile.ZipFile(path)
    assert archive.testzip() is None
    assert f"badges/{badge.public_id}/credential.json" in archive.namelist()

    page.get_by_role("link", name="Import an archive").click()
    assert serious_violations(page) == []
    page.get_by_label("Archive (ZIP)").set_input_files(str(path))
    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_text("1 badge was already in your passport.").wait_for()
    assert serious_violations(page) == []
