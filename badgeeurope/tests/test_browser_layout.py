"""The layout in a real browser: accessibility (axe), keyboard use and the language switcher."""

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SERIOUS = {"serious", "critical"}


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): "
        + "; ".join(node["target"][0] for node in violation["nodes"])
        for violation in results.response["violations"]
        if violation["impact"] in SERIOUS
    ]


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/signup/"])
@pytest.mark.parametrize("width", [1280, 360])
def test_pages_have_no_serious_accessibility_violations(live_server, page, path, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(live_server.url + path)
    assert serious_violations(page) == []


def test_signup_errors_have_no_serious_accessibility_violations(live_server, page):
    page.goto(live_server.url + "/accounts/signup/")
    page.fill("input[name=email]", "not-an-address")
    page.fill("input[name=password1]", "short")
    page.fill("input[name=password2]", "different")
    page.evaluate("document.querySelector('main form').noValidate = true")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".errorlist")
    assert serious_violations(page) == []


def test_first_tab_focuses_the_skip_link_which_moves_focus_to_main(live_server, page):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    assert page.locator(".skip-link").is_visible()

    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    page.keyboard.press("Tab")
    inside_main = page.evaluate("document.activeElement.closest('main') !== null")
    assert inside_main


def test_focus_ring_is_visible_on_links(live_server, page):
    page.goto(live_server.url + "/accounts/login/")
    page.focus("main a")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def test_language_switcher_works_with_the_keyboard(live_server, page):
    page.goto(live_server.url + "/accounts/login/")
    page.focus("#language-switcher-select")
    page.select_option("#language-switcher-select", "fi")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == live_server.url + "/accounts/login/"
    assert page.get_attribute("html", "lang") == "fi"
    assert page.locator("h1").inner_text() == "Kirjaudu sisään"


def test_account_menu_opens_with_keyboard_and_closes_on_escape(live_server, page):
    from allauth.account.models import EmailAddress

    from accounts.models import User

    user = User.objects.create_user(email="eva@example.org", password="pw-for-tests-only")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", "pw-for-tests-only")
    page.click("main form button[type=submit]")
    page.wait_for_url(live_server.url + "/")

    page.focus(".account-menu__toggle")
    page.keyboard.press("Enter")
    assert page.locator(".account-menu__panel").is_visible()
    assert serious_violations(page) == []
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    assert not page.locator(".account-menu__panel").is_visible()
    assert page.evaluate("document.activeElement.className") == "account-menu__toggle"
