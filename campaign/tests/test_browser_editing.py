"""In a real browser: the proposer edits the initiative (translation, location) and a platform
administrator sets the supporter badge; axe checks both pages."""

import pytest

from campaign.models import CampaignSettings, Initiative

from .test_browser import serious_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_edit_initiative_and_campaign_settings(page, live_server, w):
    sign_in(page, live_server, w.proposer)
    page.goto(f"{live_server.url}/initiatives/{w.initiative.slug}/")
    page.get_by_role("link", name="Edit").click()
    page.wait_for_url("**/edit/")
    assert serious_violations(page) == []
    assert page.locator("#id_name").is_disabled()  # approved: name is for platform admins
    page.locator("summary", has_text="Français").click()
    page.get_by_label("Name in Français").fill("Badges hanséatiques")
    page.get_by_label("City or town").fill("Tartu")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/initiatives/{w.initiative.slug}/")
    assert page.get_by_text("The initiative was saved.").is_visible()
    initiative = Initiative.objects.get(pk=w.initiative.pk)
    assert initiative.city == "Tartu"
    assert initiative.translations["fr"]["name"] == "Badges hanséatiques"

    sign_in(page, live_server, w.staff)
    page.goto(f"{live_server.url}/initiatives/settings/")
    assert serious_violations(page) == []
    page.get_by_label("Supporter badge").select_option(str(w.badges[1].public_id))
    page.locator("#id_goal").fill("1000000")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("The campaign settings were saved.").is_visible()
    assert CampaignSettings.objects.get().supporter_badge_id == w.badges[1].pk
