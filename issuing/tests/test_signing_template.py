"""The fast award signing (per-shape templates for the credential, the VC-JWT and the OB 2.0
assertion) writes exactly the bytes of the full algorithms, on many varied awards, including
evidence, narratives with every kind of character, expiry dates and every identity type."""

import random
import uuid
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from issuing import services, signing
from issuing.models import StatusList
from openbadges import dataintegrity, recipient, vcjwt
from openbadges.errors import InvalidDocument
from openbadges.keys import public_key_from_jwk

ISSUED = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
CREATED = "2026-03-02T10:00:00Z"

TEXTS = [
    "Plain text.",
    'Quotes " and \\ backslashes \\" and a tab\tand\nnew lines\r\n',
    "Ünïcödé — Łódź, Ελληνικά, 日本語, emoji 🎓",
    "Markdown **bold** [link](https://example.org) <b>html</b> & ampersand",
    "\u2028line separator\u2029 and control \x01\x1f",
    "   leading and trailing spaces   ",
    "urn:like:text but a literal",
    "%s %d %% format characters",
]
URLS = [
    "https://evidence.example.org/portfolio/1",
    "http://example.org/a?b=c&d=e#fragment",
    "https://example.org/%C3%A9t%C3%A9/path_(with)_parens",
    "https://xn--bcher-kva.example/ä-unicode-path",
]
# Links that are no IRI: the full path refuses them, so the fast one must too.
BAD_URLS = ["https://example.org/with|pipe", "https://example.org/{braces}"]


def _evidence(rng: random.Random) -> list[dict]:
    items = []
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        item = {}
        if rng.random() < 0.8:
            item["url"] = rng.choice(BAD_URLS if rng.random() < 0.03 else URLS)
        for key in ("name", "description", "narrative"):
            if rng.random() < 0.4:
                item[key] = rng.choice(TEXTS)
        if not item.get("url") and not item.get("narrative"):
            item["narrative"] = rng.choice(TEXTS)
        items.append(item)
    return items


def _plan(rng: random.Random, status_list, index: int) -> signing.AwardPlan:
    kind = rng.choice(["email", "email", "url", "telephone"])
    identity = {
        "email": f"learner{index}@example.org",
        "url": f"https://people.example.org/{index}",
        "telephone": f"+3585012{index:05d}",
    }[kind]
    issued = ISSUED - timedelta(days=rng.randrange(0, 900), seconds=rng.randrange(86400))
    return signing.AwardPlan(
        public_id=uuid.UUID(int=rng.getrandbits(128)),
        identity_type=kind,
        identity=identity,
        salt=recipient.new_salt(),
        issued_at=issued,
        expires_at=issued + timedelta(days=rng.randrange(1, 2000)) if rng.random() < 0.5 else None,
        narrative=rng.choice(TEXTS) if rng.random() < 0.4 else "",
        evidence=_evidence(rng),
        status_list=status_list,
        status_index=index,
    )


@pytest.fixture
def signer_and_list(w, badge):
    signer = services.active_signer(w.organisation)
    status_list = StatusList.objects.create(organisation=w.organisation, bits=bytes(16384))
    return signer, status_list


def _both_ways(monkeypatch, signer, version, plan):
    subject = uuid.UUID(int=plan.status_index + 1)
    monkeypatch.setattr(signing.uuid, "uuid4", lambda: subject)
    fast = signing.sign_award(signer, version, plan, created=CREATED)
    full = signing.sign_award_in_full(signer, version, plan, created=CREATED)
    return fast, full


def test_fast_signing_writes_the_bytes_of_the_full_algorithms(monkeypatch, badge, signer_and_list):
    signer, status_list = signer_and_list
    version = badge.current_version
    rng = random.Random(20261127)
    firsts = []
    real_first = signing._sign_first
    monkeypatch.setattr(
        signing, "_sign_first", lambda *args: firsts.append(args[0]) or real_first(*args)
    )
    with_evidence = refused = compared = 0
    for index in range(400):
        plan = _plan(rng, status_list, index)
        # Its twin has the same shape and other values: the first makes the shape's
        # templates, the twin is signed from them.
        twin = signing.AwardPlan(
            **{
                **plan.__dict__,
                "public_id": uuid.uuid4(),
                "salt": recipient.new_salt(),
                "status_index": index + 1000,
                "issued_at": plan.issued_at - timedelta(days=1, seconds=index),
            }
        )
        try:
            signing.sign_award(signer, version, plan, created=CREATED)
        except InvalidDocument:
            # The full path refuses it (an evidence link that is no IRI): so must the fast one.
            with pytest.raises(InvalidDocument):
                signing.sign_award_in_full(signer, version, plan, created=CREATED)
            with pytest.raises(InvalidDocument):
                signing.sign_award(signer, version, twin, created=CREATED)
            refused += 1
            continue
        made = len(firsts)
        fast, full = _both_ways(monkeypatch, signer, version, twin)
        assert len(firsts) == made, "the twin was not signed from the templates"
        assert fast.credential_json == full.credential_json, twin
        assert fast.assertion_json == full.assertion_json, twin
        assert fast.recipient_hash == full.recipient_hash
        compared += 1
        with_evidence += bool(plan.evidence)
    assert compared > 350
    assert with_evidence > 200
    assert 0 < refused < 40


def test_fast_signatures_verify(badge, signer_and_list):
    signer, status_list = signer_and_list
    version = badge.current_version
    rng = random.Random(7)
    public_key = public_key_from_jwk(signer.key.public_jwk)
    verified_count = 0
    for index in range(20):
        try:
            signed = signing.sign_award(signer, version, _plan(rng, status_list, index))
        except InvalidDocument:
            continue
        verified_count += 1
        credential = orjson.loads(signed.credential_json)
        [result] = dataintegrity.verify_data_integrity(
            credential, resolve_public_key=lambda _method: public_key
        )
        assert result.ok, result.reason
        token = signing.award_vc_jwt(signer, signed.credential_json)
        verified = vcjwt.verify_vc_jwt_full(
            token, resolve_public_key=lambda _kid: public_key, check_dates=False
        )
        body = {key: value for key, value in credential.items() if key != "proof"}
        assert verified.credential == body
        assert verified.claims["iat"] == int(
            datetime.fromisoformat(credential["proof"][0]["created"]).timestamp()
        )
    assert verified_count >= 15


def test_a_changed_value_changes_the_proof(monkeypatch, badge, signer_and_list):
    """The comparison above can fail: a different narrative gives a different proof."""
    signer, status_list = signer_and_list
    version = badge.current_version
    plan = _plan(random.Random(3), status_list, 1)
    plan = signing.AwardPlan(**{**plan.__dict__, "narrative": "One"})
    fast, _full = _both_ways(monkeypatch, signer, version, plan)
    other = signing.AwardPlan(**{**plan.__dict__, "narrative": "Two"})
    _fast, full = _both_ways(monkeypatch, signer, version, other)
    assert fast.credential_json != full.credential_json
