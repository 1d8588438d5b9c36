"""Recipient identities: salted hashes (`sha256$…`) and the OB 2.0 / OB 3.0 identity objects.

IdentityHash = algorithm name, `$`, hex digest of UTF-8(identifier) followed by UTF-8(salt).
Hashing with a per-award random salt keeps the learner's email out of public credentials while
letting anyone who knows the email confirm it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from .errors import InvalidDocument

SUPPORTED_ALGORITHMS = ("sha256", "md5")
_HEX_LENGTH = {"sha256": 64, "md5": 32}


def new_salt() -> str:
    """A fresh random salt (128 bits, hex)."""
    return secrets.token_hex(16)


def normalise_email(email: str) -> str:
    """Trimmed and lower-cased, as verifiers try it; hashing the normal form avoids mismatches."""
    return email.strip().lower()


def hash_identity(identity: str, salt: str = "", *, algorithm: str = "sha256") -> str:
    """`sha256$<hex>` of identity ‖ salt (md5 only for reading old badges)."""
    if algorithm not in SUPPORTED_ALGORITHMS:
        raise ValueError(f"Unsupported identity hash algorithm {algorithm!r}.")
    digest = hashlib.new(algorithm, (identity + salt).encode("utf-8"), usedforsecurity=False)
    return f"{algorithm}${digest.hexdigest()}"


def parse_identity_hash(value: str) -> tuple[str, str]:
    """(algorithm, lower-case hex) of an IdentityHash; InvalidDocument when malformed."""
    algorithm, separator, digest = value.partition("$")
    digest = digest.lower()
    if (
        not separator
        or algorithm not in SUPPORTED_ALGORITHMS
        or len(digest) != _HEX_LENGTH[algorithm]
        or any(char not in "0123456789abcdef" for char in digest)
    ):
        raise InvalidDocument(
            "The recipient identity hash is not of the form sha256$<hex> or md5$<hex>.",
            code="recipient.malformed_hash",
        )
    return algorithm, digest


def identity_matches(
    *, identity: str, hashed: bool, candidate: str, salt: str | None = None
) -> bool:
    """Whether `candidate` (e.g. an email) is the recipient named by a stored identity.

    Hex is compared case-insensitively and, as the OB 2.0 reference validator does, the
    lower-cased candidate is tried as well.
    """
    candidates = dict.fromkeys([candidate, candidate.strip(), normalise_email(candidate)])
    if not hashed:
        return any(hmac.compare_digest(identity.encode(), c.encode()) for c in candidates)
    algorithm, expected = parse_identity_hash(identity)
    for value in candidates:
        actual = hash_identity(value, salt or "", algorithm=algorithm).partition("$")[2]
        if hmac.compare_digest(actual, expected):
            return True
    return False


def ob3_identity_object(
    identity: str,
    *,
    salt: str | None = None,
    identity_type: str = "emailAddress",
    hashed: bool = True,
) -> dict:
    """An OB 3.0 `IdentityObject` for `credentialSubject.identifier`.

    Emails are normalised before hashing. A salt is generated when none is given.
    """
    if identity_type == "emailAddress":
        identity = normalise_email(identity)
    if not identity:
        raise ValueError("The recipient identity is empty.")
    result = {"type": "IdentityObject", "identityHash": identity, "identityType": identity_type}
    result["hashed"] = hashed
    if hashed:
        salt = new_salt() if salt is None else salt
        result["identityHash"] = hash_identity(identity, salt)
        result["salt"] = salt
    return result


def ob2_identity_object(
    identity: str, *, salt: str | None = None, kind: str = "email", hashed: bool = True
) -> dict:
    """An OB 2.0 `IdentityObject` for `Assertion.recipient` (`kind`: email, url, telephone)."""
    if kind == "email":
        identity = normalise_email(identity)
    if not identity:
        raise ValueError("The recipient identity is empty.")
    if not hashed:
        return {"type": kind, "hashed": False, "identity": identity}
    salt = new_salt() if salt is None else salt
    return {"type": kind, "hashed": True, "salt": salt, "identity": hash_identity(identity, salt)}
