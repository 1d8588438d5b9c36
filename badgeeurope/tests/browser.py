"""What the browser tests of every app share: the accessibility check and signing in."""

from axe_playwright_python.sync_playwright import Axe
from django.test import Client

SERIOUS = {"serious", "critical"}


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the page, each with the elements it names."""
    return [
        f"{violation['id']} ({violation['impact']}): "
        + "; ".join(str(node["target"][0]) for node in violation["nodes"])
        for violation in Axe().run(page).response["violations"]
        if violation["impact"] in SERIOUS
    ]


def sign_in_by_session(context, live_server, user) -> None:
    """Sign the browser context in as `user` without the sign-in form (its own tests drive it):
    a session made by the test client, handed over as the session cookie."""
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
