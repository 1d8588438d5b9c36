"""The layout in a real browser: accessibility (axe), keyboard use and the language switcher."""

import pytest
from allauth.account.models import EmailAddress

from accounts.models import User
from badgeeurope.tests.browser import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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


def sign_in(page, live_server, email="eva@example.org"):
    user = User.objects.create_user(email=email, password="pw-for-tests-only")
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", "pw-for-tests-only")
    page.click("main form button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    return user


def test_account_menu_opens_with_keyboard_and_closes_on_escape(live_server, page):
    sign_in(page, live_server)

    page.focus(".account-menu__toggle")
    page.keyboard.press("Enter")
    assert page.locator(".account-menu__panel").is_visible()
    assert serious_violations(page) == []
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    assert not page.locator(".account-menu__panel").is_visible()
    assert page.evaluate("document.activeElement.className") == "account-menu__toggle"


def test_account_pages_have_no_serious_accessibility_violations(live_server, page):
    sign_in(page, live_server)
    for path in ["/accounts/email/", "/accounts/password/change/", "/accounts/2fa/"]:
        page.goto(live_server.url + path)
        assert page.locator("main h1").count() == 1, path
        assert serious_violations(page) == [], path


def test_error_page_has_no_serious_accessibility_violations(live_server, page):
    response = page.goto(live_server.url + "/no-such-page/")
    assert response.status == 404
    assert serious_violations(page) == []


def test_pages_run_without_console_errors_under_the_content_security_policy(live_server, page):
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    for path in ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]:
        response = page.goto(live_server.url + path)
        assert "script-src 'self'" in response.headers["content-security-policy"]
    sign_in(page, live_server, email="csp@example.org")
    page.goto(live_server.url + "/accounts/email/")
    page.click(".account-menu__toggle")
    assert problems == []
