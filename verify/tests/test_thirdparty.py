"""Badges from an independent issuer (Digital Bazaar vc, jose, openbadges-bakery, generic PNG
chunk writer) verify, and their tampered, revoked, expired and not-yet-valid variants are
flagged for the right reason."""

import pytest

from openbadges.tests.test_interop_node import requires_node
from verify import checking

from .thirdparty import RECIPIENT, local_network_fixture, thirdparty_fixture  # noqa: F401

pytestmark = [requires_node, pytest.mark.django_db]

REASONS = {
    "revoked": ("status.revocation", "status.revoked"),
    "expired": ("validity.expiry", "validity.expired"),
    "not_yet_valid": ("validity.not_before", "validity.not_yet_valid"),
}


def test_every_third_party_badge_gets_its_expected_verdict(thirdparty, local_network):
    outcomes = {}
    for name, badge in thirdparty.badges.items():
        report = checking.verify_badge(thirdparty.data(name), recipient=RECIPIENT)
        outcomes[name] = (checking.verdict(report), badge["expect"])
        if badge["expect"] == "valid":
            assert report.valid, (name, [c.to_dict() for c in report.failures])
            assert report.check("recipient").outcome == "passed", name
            proven = "hosted.fetch" if report.format == "ob2-hosted" else "proof"
            assert report.check(proven).outcome == "passed", name
        if badge["expect"] in REASONS:
            check_id, code = REASONS[badge["expect"]]
            failed = report.check(check_id)
            assert failed.outcome == "failed" and failed.code == code, (name, failed)
    wrong = {name: got for name, got in outcomes.items() if got[0] != got[1]}
    assert wrong == {}
    assert len(outcomes) >= 28


def test_tampered_badges_fail_their_signature(thirdparty, local_network):
    for name in ("ob3_di_tampered", "ob3_jwt_tampered", "ob2_signed_tampered"):
        report = checking.verify_badge(thirdparty.data(name))
        assert report.check("proof").outcome == "failed", name


def test_jwt_with_alg_none_is_refused(thirdparty, local_network):
    report = checking.verify_badge(thirdparty.data("ob3_jwt_alg_none"))
    assert checking.verdict(report) == "invalid"
    assert report.check("proof").outcome == "failed"


def test_the_public_fetcher_refuses_the_local_server(thirdparty):
    # Without the test's permission the verifier does not visit private addresses at all.
    report = checking.verify_badge(thirdparty.badges["ob2_hosted_valid"]["data"])
    assert checking.verdict(report) == "error"
    assert report.check("input.fetch").code == "fetch.address_refused"
