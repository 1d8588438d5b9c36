"""Bad input gives a failed report with a clear reason, never an exception."""

import json
import random
import re
from pathlib import Path

import pytest

from openbadges import verify as verify_module
from openbadges.fetch import FetchResponse, StaticFetcher
from openbadges.tests.verify_support import NOW, credential, did_key_of, fixed_key, sign
from openbadges.verify import CHECKS, VerificationReport, parse_datetime, verify

KEY = fixed_key("issuer")
ISSUER, METHOD = did_key_of(KEY)


def first_failure(report: VerificationReport):
    assert not report.valid
    return report.failures[0]


@pytest.mark.parametrize(
    "given, check_id, code",
    [
        ("", "input.parse", "input.empty"),
        ("   \n", "input.parse", "input.empty"),
        ("hello badge", "input.parse", "input.unknown"),
        ("{not json", "input.parse", "input.json"),
        ("[1, 2]", "input.parse", "input.json"),
        ('{"name": "no context"}', "input.parse", "input.type"),
        ('{"@context": "https://schema.org/", "type": "Person"}', "input.parse", "input.type"),
        ("eyJhbGciOiJub25lIn0.eyJ4IjoxfQ.", "input.parse", "input.type"),
        ("abc.def.ghi", "input.parse", "input.jws"),
        (b"\x00\x01\x02\xff\xfe", "input.parse", "input.unknown"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR", "input.unbake", None),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "input.unbake", None),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><svg/>', "input.unbake", None),
        ("[" * 100_000 + "]" * 100_000, "input.parse", "input.json"),
        ('{"a":' * 5000 + "1" + "}" * 5000, "input.parse", "input.type"),
        (12345, "input.parse", None),
        (None, "input.parse", None),
    ],
)
def test_bad_input_is_reported_not_raised(given, check_id, code):
    report = verify(given, fetcher=StaticFetcher(), now=NOW)
    failure = first_failure(report)
    assert failure.id == check_id
    if code:
        assert failure.code == code
    assert failure.message
    json.dumps(report.to_dict())


def test_vc_context_without_vc_type():
    document = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["Thing"]}
    assert first_failure(verify(document, fetcher=StaticFetcher(), now=NOW)).code == "input.type"


def test_unreachable_url():
    report = verify("https://badges.example.eu/nothing", fetcher=StaticFetcher(), now=NOW)
    failure = first_failure(report)
    assert failure.id == "input.fetch"
    assert failure.code == "fetch.not_available"


def test_url_that_serves_no_badge():
    url = "https://badges.example.eu/page"
    page = FetchResponse(url=url, status=200, content=b"<html>hi</html>", content_type="text/html")
    failure = first_failure(verify(url, fetcher=StaticFetcher({url: page}), now=NOW))
    assert failure.id == "input.parse"
    assert "text/html" in failure.message


def test_url_with_an_error_status():
    url = "https://badges.example.eu/broken"
    report = verify(url, fetcher=StaticFetcher({url: 500}), now=NOW)
    assert first_failure(report).id == "input.fetch"


def test_private_addresses_are_refused_by_the_default_fetcher():
    report = verify("http://127.0.0.1:9/credential.json", now=NOW)
    failure = first_failure(report)
    assert failure.id == "input.fetch"
    assert failure.code == "fetch.address_refused"


def test_wrongly_typed_fields_do_not_crash():
    document = sign(credential(ISSUER), KEY, METHOD)
    for field, value in [
        ("issuer", 5),
        ("validFrom", 12),
        ("validUntil", ["x"]),
        ("credentialSubject", "me"),
        ("credentialStatus", "nope"),
        ("proof", "zzz"),
        ("proof", [{"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022"}]),
    ]:
        broken = {**document, field: value}
        report = verify(broken, fetcher=StaticFetcher(), now=NOW, expected_recipient="a@b.c")
        assert not report.valid, field
        assert all(check.message for check in report.checks)


def test_random_mutations_never_raise():
    document = sign(credential(ISSUER), KEY, METHOD)
    text = json.dumps(document)
    rng = random.Random(20260115)
    for _ in range(60):
        position = rng.randrange(len(text))
        mutated = text[:position] + rng.choice('{}[]",:\\ x0') + text[position + 1 :]
        report = verify(mutated, fetcher=StaticFetcher(), now=NOW)
        assert isinstance(report, VerificationReport)
        assert report.checks


def test_parse_datetime_forms():
    assert parse_datetime("2025-03-01T09:00:00Z").isoformat() == "2025-03-01T09:00:00+00:00"
    assert parse_datetime("2025-03-01T10:00:00+01:00").hour == 9
    assert parse_datetime("2025-03-01").hour == 0
    assert parse_datetime("2025-03-01T09:00:00").tzinfo is not None
    for bad in ("", "yesterday", None, 5):
        with pytest.raises(ValueError):
            parse_datetime(bad)


def test_every_check_the_verifier_can_report_is_documented():
    source = Path(verify_module.__file__).read_text()
    used = set(re.findall(r'(?:\badd|_fail|\bCheck|_fetch)\(\s*"([a-z0-9_.]+)"', source))
    used |= set(re.findall(r'check_id(?: =|=) ?"([a-z0-9_.]+)"', source))
    used |= set(re.findall(r'"(status\.[a-z]+)" if ', source))
    assert len(used) > 15
    assert used <= set(CHECKS), sorted(used - set(CHECKS))
