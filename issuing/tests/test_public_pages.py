"""The public badge class and issuer pages: criteria as safe Markdown, alignments with their
links, EQF and micro-credential details, holders, per-class and overall totals computed with a
fixed number of queries, Open Graph tags; and a look at both in a real browser (axe clean)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from issuing import services

from .conftest import BADGE_FIELDS, png_bytes
from .test_award_browser import serious_violations

HTML = {"accept": "text/html"}


def give(w, badge, email, **fields):
    return services.award_create(
        actor=w.members[Role.AWARDER], badge_class=badge, recipient_email=email, **fields
    )


def test_badge_page_shows_how_to_earn_it_and_who_holds_it(client, w, badge):
    services.badge_class_update(
        actor=w.members[Role.DESIGNER],
        badge_class=badge,
        criteria_narrative="Facilitate **three** workshops.\n\n<script>alert(1)</script>\n\n"
        "[more](javascript:alert(2))",
        criteria_url="https://hansa.example.org/criteria",
        microcredential={
            **BADGE_FIELDS["microcredential"],
            "learning_outcomes": ["Plans an inclusive online session"],
            "participation_form": "online",
        },
    )
    give(w, badge, "a@example.org")
    give(w, badge, "b@example.org")
    revoked = give(w, badge, "c@example.org")
    services.award_revoke(actor=w.members[Role.AWARDER], award=revoked, reason="Mistake")
    page = client.get(f"/badges/{badge.public_id}", headers=HTML)
    text = page.text
    assert page.status_code == 200
    assert "<strong>three</strong>" in text
    assert "<script>alert(1)" not in text and 'href="javascript:' not in text
    assert 'href="https://hansa.example.org/criteria"' in text
    esco = BADGE_FIELDS["alignments"][0]["targetUrl"]
    assert f'href="{esco}"' in text and "facilitate learning" in text and "ESCO" in text
    assert 'href="http://data.europa.eu/snb/eqf/5"' in text and "EQF level 5" in text
    assert "30 hours" in text and "Plans an inclusive online session" in text
    assert "Online" in text and "observation" in text
    assert "2 people hold this badge" in text
    assert 'property="og:title" content="Digital Facilitator"' in text
    assert f'property="og:url" content="http://127.0.0.1:8000/badges/{badge.public_id}"' in text
    assert 'property="og:image"' in text


def test_issuer_page_totals_in_a_fixed_number_of_queries(client, w, badge):
    second = services.badge_class_create(
        actor=w.members[Role.DESIGNER],
        organisation=w.organisation,
        image=png_bytes(),
        **{**BADGE_FIELDS, "name": "Peer Mentor", "allow_duplicates": True},
    )
    give(w, badge, "a@example.org")
    give(w, badge, "b@example.org")
    give(w, second, "a@example.org")
    give(w, second, "a@example.org")
    revoked = give(w, second, "d@example.org")
    services.award_revoke(actor=w.members[Role.AWARDER], award=revoked, reason="Mistake")
    profile = w.organisation.issuer_profile
    url = f"/issuers/{profile.public_id}"
    with CaptureQueriesContext(connection) as few:
        page = client.get(url, headers=HTML)
    text = page.text
    assert page.context["totals"].awarded == 4
    assert page.context["totals"].holders == 2
    assert page.context["totals"].badge_classes == 2
    rows = {row["name"]: (row["awarded"], row["holders"]) for row in page.context["badge_classes"]}
    assert rows == {"Digital Facilitator": (2, 2), "Peer Mentor": (2, 1)}
    assert "Awarded 2 times · 1 holder" in text
    assert 'property="og:title" content="Hansa Academy"' in text
    # More classes cost no more queries.
    for number in range(3):
        services.badge_class_create(
            actor=w.members[Role.DESIGNER],
            organisation=w.organisation,
            image=png_bytes(),
            **{**BADGE_FIELDS, "name": f"Extra {number}"},
        )
    with CaptureQueriesContext(connection) as more:
        assert client.get(url, headers=HTML).context["totals"].badge_classes == 5
    assert len(more) == len(few)


def test_machines_still_get_json(client, badge):
    response = client.get(f"/badges/{badge.public_id}", headers={"accept": "application/json"})
    assert response["Content-Type"].startswith("application/ld+json")
    profile = badge.organisation.issuer_profile
    response = client.get(f"/issuers/{profile.public_id}", headers={"accept": "application/json"})
    assert response.json()["type"] == "Issuer"  # OB 2.0 unless ?v3


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_public_pages_in_a_browser(live_server, page, w, badge):
    give(w, badge, "a@example.org")
    profile = w.organisation.issuer_profile
    for url, heading in [
        (f"{live_server.url}/badges/{badge.public_id}", "Digital Facilitator"),
        (f"{live_server.url}/issuers/{profile.public_id}", "Hansa Academy"),
    ]:
        page.goto(url)
        assert page.locator("h1").inner_text() == heading
        assert serious_violations(page) == [], url
