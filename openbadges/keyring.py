"""Key rotation as a small value model: active, retired and revoked (compromised) keys.

- An **active** key signs new credentials; a keyring has at most one.
- A **retired** key signs nothing new but keeps verifying what it signed, so it stays
  published (DID document, JWKS) for as long as its credentials live.
- A **revoked** key was compromised at a known instant: whatever claims to be issued at or
  after that instant is refused, since whoever holds the key could have made it. What was
  issued before keeps verifying. The date that counts is the latest a credential states
  (validFrom / issuanceDate, proof `created`, JWT `iat` / `nbf`), so that a forger has to
  backdate every one of them consistently and a single honest timestamp exposes the forgery.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from openbadges.errors import InvalidDocument, InvalidKey
from openbadges.keys import PublicKey, algorithm_of

KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class KeyStatus(StrEnum):
    ACTIVE = "active"
    RETIRED = "retired"
    REVOKED = "revoked"


def parse_datetime(value: datetime | str | int | float | None) -> datetime | None:
    """An aware UTC datetime from an ISO 8601 string, a NumericDate or a datetime.

    A date-time without an offset is read as UTC, as XML Schema leaves it open and the
    credentials we meet mean UTC.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise InvalidDocument("A date is not a boolean.", code="date.invalid")
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError) as exc:
            raise InvalidDocument(
                f"The timestamp {value!r} is out of range.", code="date.invalid"
            ) from exc
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError as exc:
            raise InvalidDocument(
                f"{value!r} is not an ISO 8601 date-time.", code="date.invalid"
            ) from exc
    elif isinstance(value, datetime):
        parsed = value
    else:
        raise InvalidDocument(f"{value!r} is not a date-time.", code="date.invalid")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def format_datetime(value: datetime) -> str:
    """XML Schema dateTime in UTC with a `Z`, to the second (as OB 3.0 examples write it)."""
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class ManagedKey:
    """One published key: its id (a DID URL fragment such as `key-1`) and lifecycle."""

    key_id: str
    public_key: PublicKey = field(repr=False)
    status: KeyStatus = KeyStatus.ACTIVE
    created: datetime | None = None
    retired_at: datetime | None = None
    compromised_at: datetime | None = None
    reason: str = ""

    def __post_init__(self) -> None:
        if not KEY_ID_PATTERN.match(self.key_id):
            raise InvalidKey(
                f"Key id {self.key_id!r} must be 1-64 letters, digits, '.', '_' or '-'.",
                code="key.malformed",
            )
        algorithm_of(self.public_key)
        object.__setattr__(self, "status", KeyStatus(self.status))
        for name in ("created", "retired_at", "compromised_at"):
            object.__setattr__(self, name, parse_datetime(getattr(self, name)))
        if self.status is KeyStatus.REVOKED and self.compromised_at is None:
            raise InvalidKey(
                "A revoked key needs the date of its compromise.", code="key.revocation_date"
            )
        if self.status is not KeyStatus.REVOKED and self.compromised_at is not None:
            raise InvalidKey(
                "Only a revoked key has a compromise date.", code="key.revocation_date"
            )

    @property
    def algorithm(self) -> str:
        return algorithm_of(self.public_key)

    @property
    def signs(self) -> bool:
        return self.status is KeyStatus.ACTIVE


def credential_issued_at(
    credential: Mapping[str, Any] | None = None,
    *,
    proof_created: datetime | str | None = None,
    jwt_claims: Mapping[str, Any] | None = None,
) -> datetime | None:
    """The latest issuance instant a credential states, or None when it states none.

    Reads validFrom (VC 2.0) / issuanceDate (VC 1.1), a proof's `created` and a JWT's
    `iat` / `nbf`.
    """
    candidates: list[Any] = []
    if credential:
        candidates += [credential.get("validFrom"), credential.get("issuanceDate")]
    candidates.append(proof_created)
    if jwt_claims:
        candidates += [jwt_claims.get("iat"), jwt_claims.get("nbf")]
    instants = [parse_datetime(value) for value in candidates if value is not None]
    return max(instants) if instants else None


def key_usable_for(key: ManagedKey, credential_issued_at: datetime | str | None) -> bool:
    """Whether a key may verify a credential issued at the given instant."""
    if key.status is not KeyStatus.REVOKED:
        return True
    issued = parse_datetime(credential_issued_at)
    # Without a stated issuance instant nothing shows the credential predates the compromise.
    return issued is not None and issued < key.compromised_at


def ensure_key_usable(key: ManagedKey, credential_issued_at: datetime | str | None) -> None:
    """Raise InvalidKey (code `key.revoked`) with a plain reason when the key may not verify."""
    if key_usable_for(key, credential_issued_at):
        return
    issued = parse_datetime(credential_issued_at)
    compromised = format_datetime(key.compromised_at)
    if issued is None:
        message = (
            f"The signing key {key.key_id} was revoked after a compromise on {compromised}, "
            "and the credential states no issuance date that would show it was signed before."
        )
    else:
        message = (
            f"The signing key {key.key_id} was revoked after a compromise on {compromised}; "
            f"this credential claims issuance on {format_datetime(issued)}, at or after that, "
            "so its signature cannot be trusted."
        )
    raise InvalidKey(message, code="key.revoked")


@dataclass(frozen=True, slots=True)
class Keyring:
    """The keys of one issuer, newest last. Operations return a new keyring."""

    keys: tuple[ManagedKey, ...] = ()

    def __post_init__(self) -> None:
        keys = tuple(self.keys)
        object.__setattr__(self, "keys", keys)
        ids = [key.key_id for key in keys]
        if len(ids) != len(set(ids)):
            raise InvalidKey("Key ids in a keyring must be unique.", code="keyring.duplicate")
        if sum(key.status is KeyStatus.ACTIVE for key in keys) > 1:
            raise InvalidKey("A keyring has at most one active key.", code="keyring.two_active")

    @classmethod
    def of(cls, keys: Iterable[ManagedKey]) -> Keyring:
        return cls(tuple(keys))

    def get(self, key_id: str) -> ManagedKey:
        for key in self.keys:
            if key.key_id == key_id:
                return key
        raise InvalidKey(f"No key {key_id!r} in this keyring.", code="keyring.unknown_key")

    def signing_key(self) -> ManagedKey:
        for key in self.keys:
            if key.status is KeyStatus.ACTIVE:
                return key
        raise InvalidKey(
            "This issuer has no active signing key; add one before issuing.",
            code="keyring.no_active_key",
        )

    def add(self, key: ManagedKey) -> Keyring:
        return Keyring((*self.keys, key))

    def rotate(self, new_key: ManagedKey, *, at: datetime | str) -> Keyring:
        """Retire the active key (if any) at `at` and make `new_key` the active one."""
        if new_key.status is not KeyStatus.ACTIVE:
            raise InvalidKey("The new key of a rotation must be active.", code="keyring.rotation")
        when = parse_datetime(at)
        kept = tuple(
            dataclasses.replace(key, status=KeyStatus.RETIRED, retired_at=when)
            if key.status is KeyStatus.ACTIVE
            else key
            for key in self.keys
        )
        return Keyring((*kept, new_key))

    def retire(self, key_id: str, *, at: datetime | str) -> Keyring:
        key = self.get(key_id)
        if key.status is KeyStatus.REVOKED:
            raise InvalidKey("A revoked key cannot be retired.", code="keyring.revoked")
        return self._replace(
            dataclasses.replace(key, status=KeyStatus.RETIRED, retired_at=parse_datetime(at))
        )

    def revoke(self, key_id: str, *, compromised_at: datetime | str, reason: str = "") -> Keyring:
        """Mark a key compromised; an earlier compromise date wins over a later one."""
        key = self.get(key_id)
        when = parse_datetime(compromised_at)
        if key.compromised_at is not None and key.compromised_at < when:
            when = key.compromised_at
        return self._replace(
            dataclasses.replace(
                key,
                status=KeyStatus.REVOKED,
                compromised_at=when,
                reason=reason or key.reason,
            )
        )

    def _replace(self, changed: ManagedKey) -> Keyring:
        return Keyring(tuple(changed if key.key_id == changed.key_id else key for key in self.keys))
