from datetime import UTC, datetime

import pytest

from openbadges.errors import InvalidDocument, InvalidKey
from openbadges.keyring import (
    Keyring,
    KeyStatus,
    ManagedKey,
    credential_issued_at,
    ensure_key_usable,
    key_usable_for,
    parse_datetime,
)
from openbadges.keys import KeyPair

COMPROMISE = "2026-06-01T12:00:00Z"


@pytest.fixture(scope="module")
def public_keys():
    return [KeyPair.generate("Ed25519").public_key for _ in range(3)]


def test_active_key_verifies_anything(public_keys):
    key = ManagedKey("key-1", public_keys[0])
    assert key.signs
    assert key_usable_for(key, "2030-01-01T00:00:00Z")
    assert key_usable_for(key, None)


def test_retired_key_keeps_verifying_what_it_signed(public_keys):
    ring = Keyring.of([ManagedKey("key-1", public_keys[0])])
    ring = ring.rotate(ManagedKey("key-2", public_keys[1]), at="2026-03-01T00:00:00Z")
    old = ring.get("key-1")
    assert old.status is KeyStatus.RETIRED
    assert not old.signs
    assert old.retired_at == datetime(2026, 3, 1, tzinfo=UTC)
    assert ring.signing_key().key_id == "key-2"
    assert key_usable_for(old, "2025-12-24T10:00:00Z")
    ensure_key_usable(old, "2025-12-24T10:00:00Z")


@pytest.mark.parametrize(
    ("issued", "usable"),
    [
        ("2026-06-01T11:59:59Z", True),
        ("2026-06-01T13:59:59+02:00", True),  # 11:59:59 UTC
        ("2026-06-01T12:00:00Z", False),  # at the compromise instant
        ("2026-06-01T14:00:00+02:00", False),  # the same instant in another zone
        ("2026-07-01T00:00:00Z", False),
        (None, False),  # no stated date cannot show it predates the compromise
    ],
)
def test_revoked_key_verifies_only_before_the_compromise(public_keys, issued, usable):
    ring = Keyring.of([ManagedKey("key-1", public_keys[0])])
    revoked = ring.revoke("key-1", compromised_at=COMPROMISE, reason="laptop stolen").get("key-1")
    assert revoked.status is KeyStatus.REVOKED
    assert revoked.reason == "laptop stolen"
    assert key_usable_for(revoked, issued) is usable
    if usable:
        ensure_key_usable(revoked, issued)
    else:
        with pytest.raises(InvalidKey) as info:
            ensure_key_usable(revoked, issued)
        assert info.value.code == "key.revoked"
        assert "2026-06-01T12:00:00Z" in info.value.message


def test_earlier_compromise_date_wins(public_keys):
    ring = Keyring.of([ManagedKey("key-1", public_keys[0])])
    ring = ring.revoke("key-1", compromised_at="2026-06-01T00:00:00Z")
    ring = ring.revoke("key-1", compromised_at="2026-08-01T00:00:00Z")
    assert ring.get("key-1").compromised_at == datetime(2026, 6, 1, tzinfo=UTC)
    ring = ring.revoke("key-1", compromised_at="2026-05-01T00:00:00Z")
    assert ring.get("key-1").compromised_at == datetime(2026, 5, 1, tzinfo=UTC)


def test_issuance_is_the_latest_stated_instant():
    credential = {"validFrom": "2026-05-01T00:00:00Z"}
    assert credential_issued_at(credential) == datetime(2026, 5, 1, tzinfo=UTC)
    # A backdated validFrom does not hide a later proof date or JWT claim.
    assert credential_issued_at(credential, proof_created="2026-06-02T00:00:00Z") == datetime(
        2026, 6, 2, tzinfo=UTC
    )
    assert credential_issued_at(
        credential, jwt_claims={"iat": 1_780_000_000, "nbf": 1_777_593_600}
    ) == datetime.fromtimestamp(1_780_000_000, UTC)
    assert credential_issued_at({"issuanceDate": "2020-01-01T00:00:00Z"}).year == 2020
    assert credential_issued_at({}) is None


def test_keyring_invariants(public_keys):
    with pytest.raises(InvalidKey):
        Keyring.of([ManagedKey("key-1", public_keys[0]), ManagedKey("key-2", public_keys[1])])
    with pytest.raises(InvalidKey):
        Keyring.of(
            [
                ManagedKey("key-1", public_keys[0]),
                ManagedKey("key-1", public_keys[1], KeyStatus.RETIRED),
            ]
        )
    with pytest.raises(InvalidKey) as info:
        Keyring().signing_key()
    assert info.value.code == "keyring.no_active_key"
    with pytest.raises(InvalidKey):
        Keyring().get("key-1")
    with pytest.raises(InvalidKey):
        ManagedKey("key-1", public_keys[0], KeyStatus.REVOKED)
    with pytest.raises(InvalidKey):
        ManagedKey("key-1", public_keys[0], compromised_at=COMPROMISE)
    with pytest.raises(InvalidKey):
        ManagedKey("key 1/..", public_keys[0])
    with pytest.raises(InvalidKey):
        Keyring().rotate(ManagedKey("k", public_keys[0], KeyStatus.RETIRED), at=COMPROMISE)


def test_revoked_key_cannot_be_retired_and_retire_keeps_others(public_keys):
    ring = Keyring.of(
        [ManagedKey("key-1", public_keys[0]), ManagedKey("key-2", public_keys[1], "retired")]
    )
    ring = ring.retire("key-1", at="2026-01-01T00:00:00Z")
    assert [key.status for key in ring.keys] == [KeyStatus.RETIRED, KeyStatus.RETIRED]
    ring = ring.revoke("key-2", compromised_at=COMPROMISE)
    with pytest.raises(InvalidKey):
        ring.retire("key-2", at=COMPROMISE)


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01T00:00:00Z", True, [], 1e30])
def test_bad_dates_are_refused(value):
    with pytest.raises(InvalidDocument) as info:
        parse_datetime(value)
    assert info.value.code == "date.invalid"


def test_naive_dates_are_utc():
    assert parse_datetime("2026-01-01T00:00:00") == datetime(2026, 1, 1, tzinfo=UTC)
