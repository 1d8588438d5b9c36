"""The base layout and the error pages: landmarks, skip link, language switching, statuses."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client
from django.urls import include, path
from django.utils.translation import gettext as _

from accounts.models import Membership, Organisation, Role, User


def forbidden_with_reason(request):
    raise PermissionDenied(_("Only owners may delete an organisation."))


def forbidden_without_reason(request):
    raise PermissionDenied


def bad_request(request):
    raise SuspiciousOperation("tampered input")


def broken(request):
    raise RuntimeError("deliberate failure")


# This module doubles as a URLconf (see `pytest.mark.urls` below) so the error views can be
# reached through the real handlers.
urlpatterns = [
    path("", include("badgeeurope.urls")),
    path("test/forbidden-with-reason/", forbidden_with_reason),
    path("test/forbidden/", forbidden_without_reason),
    path("test/bad-request/", bad_request),
    path("test/broken/", broken),
]


@pytest.fixture
def home_html(client, db):
    return client.get("/").content.decode()


def test_page_starts_with_a_skip_link_to_main(home_html):
    body = home_html.split("<body>", 1)[1]
    first_link = re.search(r"<a [^>]*>", body).group(0)
    assert 'class="skip-link"' in first_link
    assert 'href="#main"' in first_link
    assert '<main id="main"' in home_html


def test_page_has_landmarks_and_one_h1(home_html):
    for landmark in ("<header", "<nav", "<main", "<footer"):
        assert home_html.count(landmark) >= 1, landmark
    assert home_html.count("<main") == 1
    assert len(re.findall(r"<h1[ >]", home_html)) == 1
    assert re.search(r'<nav class="site-nav" aria-label="[^"]+"', home_html)


def test_html_lang_follows_the_active_language(client, db):
    assert '<html lang="en"' in client.get("/").content.decode()
    german = client.get("/", headers={"accept-language": "de"}).content.decode()
    assert '<html lang="de"' in german


def test_language_switcher_offers_every_language_by_its_own_name(home_html):
    switcher = home_html.split('class="language-switcher"', 1)[1].split("</form>", 1)[0]
    assert 'action="/i18n/setlang/"' in home_html
    assert 'name="csrfmiddlewaretoken"' in switcher
    options = re.findall(r'<option value="(\w+)" lang="\w+"[^>]*>([^<]+)</option>', switcher)
    assert options == [
        ("en", "English"),
        ("fr", "Français"),
        ("de", "Deutsch"),
        ("it", "Italiano"),
        ("es", "Español"),
        ("fi", "Suomi"),
    ]
    assert re.search(r'<option value="en"[^>]* selected>', switcher)


def test_switching_language_shows_the_next_page_in_that_language(db):
    client = Client(enforce_csrf_checks=True)
    client.get("/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/i18n/setlang/",
        {"language": "de", "next": "/accounts/login/", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"

    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="de"' in page
    assert "Anmelden" in page  # allauth's own German for "Sign In"
    assert "Zum Hauptinhalt springen" in page  # our skip link, translated
    assert re.search(r'<option value="de"[^>]* selected>Deutsch</option>', page)


def test_signed_out_header_offers_sign_in_and_sign_up(home_html):
    assert 'href="/accounts/login/"' in home_html
    assert 'href="/accounts/signup/"' in home_html
    assert "/accounts/logout/" not in home_html


def test_signed_in_header_has_account_menu_with_post_sign_out(client, db):
    client.force_login(User.objects.create_user(email="ana@example.org", name="Ana Ruiz"))
    html = client.get("/").content.decode()
    assert "Ana Ruiz" in html
    assert 'href="/account/"' in html  # account settings
    assert 'href="/accounts/email/"' in html
    assert 'href="/accounts/2fa/"' in html
    assert re.search(r'<form [^>]*method="post" action="/accounts/logout/"', html)
    assert 'href="/accounts/signup/"' not in html


def test_current_page_is_marked_in_navigation(client, db):
    html = client.get("/").content.decode()
    assert re.search(r'<a class="site-nav__link" href="/" aria-current="page">', html)
    login = client.get("/accounts/login/").content.decode()
    assert re.search(r'href="/accounts/login/" aria-current="page"', login)
    assert not re.search(r'href="/" aria-current="page"', login)


def test_my_organisations_is_current_on_organisation_pages(client, db):
    user = User.objects.create_user(email="noor@example.org")
    client.force_login(user)
    html = client.get("/organisations/").content.decode()
    assert re.search(r'href="/organisations/" aria-current="page">', html)
    assert not re.search(r'href="/" aria-current="page"', html)

    organisation = Organisation.objects.create(slug="lumi-lab", name="Lumi Lab")
    Membership.objects.create(organisation=organisation, user=user, role=Role.OWNER)
    response = client.get("/o/lumi-lab/")
    assert response.status_code == 200
    assert re.search(r'href="/organisations/" aria-current="page">', response.content.decode())


def test_messages_are_rendered_as_notices(client, db):
    user = User.objects.create_user(email="kim@example.org", password="pw-for-tests-only")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.post("/accounts/login/", {"login": user.email, "password": "pw-for-tests-only"})
    html = client.get("/").content.decode()
    assert re.search(r'<li class="notice notice--success">[^<]*kim@example.org', html)


def test_static_assets_are_linked_without_inline_code(home_html):
    assert '<link rel="stylesheet" href="/static/badgeeurope/css/main.css">' in home_html
    assert '<script src="/static/badgeeurope/js/site.js" defer></script>' in home_html
    assert "style=" not in home_html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", home_html)


@pytest.mark.urls(__name__)
def test_404_page(client, db):
    response = client.get("/no-such-page/", headers={"accept-language": "fr"})
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="fr"' in html
    assert "Page introuvable" in html
    assert '<main id="main"' in html


@pytest.mark.urls(__name__)
def test_403_page_shows_the_translated_reason(client, db):
    response = client.get("/test/forbidden-with-reason/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Only owners may delete an organisation." in html
    assert '<p class="notice notice--error">' in html
    assert "/accounts/login/?next=/test/forbidden-with-reason/" in html


@pytest.mark.urls(__name__)
def test_403_page_without_reason_has_no_empty_notice(client, db):
    client.force_login(User.objects.create_user(email="lea@example.org"))
    response = client.get("/test/forbidden/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "notice--error" not in html
    assert "ask an owner or administrator" in html


def test_csrf_failure_page_explains_what_to_do(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/accounts/login/", {"login": "a@example.org"}, headers={"accept-language": "it"}
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert '<main id="main"' in html
    assert "Non è stato possibile inviare il modulo" in html


@pytest.mark.urls(__name__)
def test_400_page(client, db):
    response = client.get("/test/bad-request/")
    assert response.status_code == 400
    assert "The request could not be understood" in response.content.decode()


@pytest.mark.urls(__name__)
def test_500_page_needs_no_request_context(client, db):
    client.raise_request_exception = False
    response = client.get("/test/broken/", headers={"accept-language": "de"})
    assert response.status_code == 500
    html = response.content.decode()
    assert '<html lang="de"' in html
    assert "/static/badgeeurope/css/main.css" in html
    assert "Fehler 500" in html
