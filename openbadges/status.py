"""Credential status: revocation lists and bitstring status lists, for verifiers and issuers.

Three mechanisms exist in the wild:

- OB 3.0 `1EdTechRevocationList` (VCRL 1.0): `credentialStatus: {id: <list URL>, type}`; the list
  is JSON with `revokedCredentials: [{id, revoked?, revocationReason?}]`. A credential is
  revoked when its id is listed and `revoked` is true or absent (what the 1EdTech validator
  does).
- W3C Bitstring Status List v1.0: `BitstringStatusListEntry` pointing at a
  `BitstringStatusListCredential` whose `encodedList` is multibase base64url (`u…`) of a GZIP'd
  bitstring, index 0 at the left-most bit of the first byte, at least 131,072 entries.
- OB 2.0 `RevocationList`: `revokedAssertions: ["<id>" | {id, revocationReason}]`.

Fetching and proof checking of the list documents is the verifier's job (`verify.py`); this
module only reads and writes the list formats.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import InvalidDocument

ONEEDTECH_REVOCATION_LIST = "1EdTechRevocationList"
BITSTRING_ENTRY = "BitstringStatusListEntry"
BITSTRING_CREDENTIAL = "BitstringStatusListCredential"
BITSTRING_LIST = "BitstringStatusList"
VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB2_CONTEXT = "https://w3id.org/openbadges/v2"

MIN_ENTRIES = 131_072
# A list larger than this (uncompressed) is refused: 128 MiB of bits is a billion credentials,
# far beyond any real issuer, and GZIP would otherwise let a few KB expand without bound.
MAX_LIST_BYTES = 16 * 1024 * 1024


class StatusListError(InvalidDocument):
    """A status list or status entry is malformed (MALFORMED_VALUE_ERROR, RANGE_ERROR,
    STATUS_LIST_LENGTH_ERROR or STATUS_VERIFICATION_ERROR in the W3C spec)."""

    code = "status.invalid"


@dataclass(frozen=True)
class StatusResult:
    """The status of one credential as one list reports it.

    `set` is True when the list marks the credential (revoked, suspended or a non-zero
    message value); `value` is the raw status value; `message` the matching `statusMessage`
    for the `message` purpose, or the revocation reason for revocation lists.
    """

    purpose: str
    set: bool
    value: int = 0
    message: str | None = None

    @property
    def revoked(self) -> bool:
        return self.set and self.purpose == "revocation"

    @property
    def suspended(self) -> bool:
        return self.set and self.purpose == "suspension"


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _types(document: Mapping[str, Any]) -> list[str]:
    return [t for t in _as_list(document.get("type")) if isinstance(t, str)]


def status_entries(credential: Mapping[str, Any]) -> list[dict]:
    """The `credentialStatus` entries of a credential, always as a list of objects."""
    entries = _as_list(credential.get("credentialStatus"))
    for entry in entries:
        if not isinstance(entry, dict):
            raise StatusListError("credentialStatus entries must be objects.")
    return entries


# -- 1EdTech Revocation List (OB 3.0) ---------------------------------------------------------


def check_revocation_list(list_document: Any, credential_id: str) -> StatusResult:
    """Look a credential id up in a 1EdTech revocation list document."""
    if not isinstance(list_document, dict):
        raise StatusListError("The revocation list is not a JSON object.")
    entries = list_document.get("revokedCredentials")
    if entries is None:
        raise StatusListError("The revocation list has no 'revokedCredentials' property.")
    for item in _as_list(entries):
        if isinstance(item, str):
            item_id, revoked, reason = item, True, None
        elif isinstance(item, dict):
            item_id = item.get("id")
            revoked = item.get("revoked", True)
            reason = item.get("revocationReason")
        else:
            raise StatusListError("Entries of 'revokedCredentials' must be objects.")
        if isinstance(item_id, str) and item_id.strip() == credential_id.strip():
            if revoked is True or revoked is None:
                return StatusResult(
                    "revocation", True, 1, reason if isinstance(reason, str) else None
                )
            if revoked is False:
                return StatusResult("revocation", False)
            raise StatusListError("'revoked' in a revocation list entry must be true or false.")
    return StatusResult("revocation", False)


def revocation_list_document(
    *, id: str, issuer: str, revoked: Iterable[tuple[str, str | None]]
) -> dict:
    """A 1EdTech revocation list as an issuer publishes it.

    `revoked` yields (credential id, reason or None). Ids are sorted so that the document is
    stable and can be cached with a strong ETag.
    """
    entries = []
    for credential_id, reason in sorted(revoked, key=lambda pair: pair[0]):
        entry: dict[str, Any] = {"id": credential_id, "revoked": True}
        if reason:
            entry["revocationReason"] = reason
        entries.append(entry)
    return {"id": id, "issuer": issuer, "revokedCredentials": entries}


# -- OB 2.0 RevocationList --------------------------------------------------------------------


def check_ob2_revocation_list(list_document: Any, assertion_id: str) -> StatusResult:
    """Look an assertion id up in an OB 2.0 `RevocationList`."""
    if not isinstance(list_document, dict):
        raise StatusListError("The revocation list is not a JSON object.")
    if "RevocationList" not in _types(list_document):
        raise StatusListError("The revocation list does not have type 'RevocationList'.")
    entries = list_document.get("revokedAssertions", [])
    for item in _as_list(entries):
        if isinstance(item, str):
            item_id, reason = item, None
        elif isinstance(item, dict):
            # Very old lists used `uid` for assertions that had no URL id.
            item_id = item.get("id", item.get("uid"))
            reason = item.get("revocationReason")
        else:
            raise StatusListError("Entries of 'revokedAssertions' must be strings or objects.")
        if isinstance(item_id, str) and item_id.strip() == assertion_id.strip():
            return StatusResult("revocation", True, 1, reason if isinstance(reason, str) else None)
    return StatusResult("revocation", False)


def ob2_revocation_list_document(
    *, id: str, issuer: str, revoked: Iterable[tuple[str, str | None]]
) -> dict:
    entries: list[Any] = []
    for assertion_id, reason in sorted(revoked, key=lambda pair: pair[0]):
        entries.append({"id": assertion_id, "revocationReason": reason} if reason else assertion_id)
    return {
        "@context": OB2_CONTEXT,
        "type": "RevocationList",
        "id": id,
        "issuer": issuer,
        "revokedAssertions": entries,
    }


# -- Bitstring Status List --------------------------------------------------------------------


def bitstring_encode(bits: bytes | bytearray | memoryview) -> str:
    """Multibase base64url (no padding) of the GZIP-compressed bitstring: the `encodedList`.

    The GZIP header carries mtime 0 so that the same bits always give the same string.
    """
    compressed = gzip.compress(bytes(bits), compresslevel=9, mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")


def bitstring_decode(encoded_list: str, *, max_bytes: int = MAX_LIST_BYTES) -> bytearray:
    """The uncompressed bitstring of an `encodedList`.

    Accepts the multibase form (`u…`, current spec) and the bare base64url form of earlier
    drafts and StatusList2021 (which starts `H4sI`, the GZIP magic).
    """
    if not isinstance(encoded_list, str) or not encoded_list:
        raise StatusListError("encodedList must be a non-empty string.")
    text = encoded_list[1:] if encoded_list.startswith("u") else encoded_list
    try:
        compressed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise StatusListError("encodedList is not valid base64url.") from exc
    decompressor = zlib.decompressobj(wbits=31)  # 31 = expect a GZIP header
    try:
        bits = decompressor.decompress(compressed, max_bytes + 1)
    except zlib.error as exc:
        raise StatusListError("encodedList is not valid GZIP data.") from exc
    if len(bits) > max_bytes or decompressor.unconsumed_tail:
        raise StatusListError(f"The status list is larger than {max_bytes} bytes uncompressed.")
    if not decompressor.eof:
        raise StatusListError("encodedList is truncated GZIP data.")
    return bytearray(bits)


def bitstring_new(entries: int = MIN_ENTRIES, *, status_size: int = 1) -> bytearray:
    """An all-zero bitstring for `entries` statuses of `status_size` bits (at least 16 KB)."""
    if entries < MIN_ENTRIES:
        raise StatusListError(f"A status list must have at least {MIN_ENTRIES} entries.")
    return bytearray((entries * status_size + 7) // 8)


def _check_position(bits: bytes | bytearray, index: int, status_size: int) -> int:
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise StatusListError("statusListIndex must be a non-negative integer.")
    if isinstance(status_size, bool) or not isinstance(status_size, int) or status_size < 1:
        raise StatusListError("statusSize must be a positive integer.")
    start = index * status_size
    if start + status_size > len(bits) * 8:
        raise StatusListError(
            f"statusListIndex {index} is outside the status list "
            f"({len(bits) * 8 // status_size} entries).",
            code="status.range",
        )
    return start


def bitstring_get(bits: bytes | bytearray, index: int, *, status_size: int = 1) -> int:
    """The status value at `index` (bits read most significant first)."""
    start = _check_position(bits, index, status_size)
    value = 0
    for position in range(start, start + status_size):
        bit = (bits[position // 8] >> (7 - position % 8)) & 1
        value = (value << 1) | bit
    return value


def bitstring_put(bits: bytearray, index: int, value: int = 1, *, status_size: int = 1) -> None:
    """Set the status value at `index` in place."""
    start = _check_position(bits, index, status_size)
    if isinstance(value, bool):
        value = int(value)
    if not isinstance(value, int) or not 0 <= value < (1 << status_size):
        raise StatusListError(f"A status value must fit in {status_size} bit(s).")
    for offset in range(status_size):
        position = start + offset
        mask = 1 << (7 - position % 8)
        if (value >> (status_size - 1 - offset)) & 1:
            bits[position // 8] |= mask
        else:
            bits[position // 8] &= ~mask & 0xFF


def bitstring_set(encoded_list: str, index: int, value: int = 1, *, status_size: int = 1) -> str:
    """A new `encodedList` equal to `encoded_list` with the status at `index` set to `value`.

    For issuers: revoke (value 1) or lift a suspension (value 0) and republish the list.
    """
    bits = bitstring_decode(encoded_list)
    bitstring_put(bits, index, value, status_size=status_size)
    return bitstring_encode(bits)


def bitstring_status_list_credential(
    *,
    id: str,
    issuer: str | dict,
    valid_from: str,
    encoded_list: str,
    status_purpose: str = "revocation",
    valid_until: str | None = None,
) -> dict:
    """An unsigned `BitstringStatusListCredential` (VC 2.0); the caller adds the proof."""
    credential: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT],
        "id": id,
        "type": ["VerifiableCredential", BITSTRING_CREDENTIAL],
        "issuer": issuer,
        "validFrom": valid_from,
    }
    if valid_until:
        credential["validUntil"] = valid_until
    credential["credentialSubject"] = {
        "id": f"{id}#list",
        "type": BITSTRING_LIST,
        "statusPurpose": status_purpose,
        "encodedList": encoded_list,
    }
    return credential


def bitstring_entry(
    *, list_url: str, index: int, status_purpose: str = "revocation"
) -> dict[str, str]:
    """The `credentialStatus` entry a credential carries for its place in a list."""
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise StatusListError("statusListIndex must be a non-negative integer.")
    return {
        "id": f"{list_url}#{index}",
        "type": BITSTRING_ENTRY,
        "statusPurpose": status_purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def parse_bitstring_entry(entry: Mapping[str, Any]) -> tuple[str, int, str, int]:
    """(list URL, index, purpose, status size) of a `BitstringStatusListEntry`, validated."""
    if BITSTRING_ENTRY not in _types(entry):
        raise StatusListError("The status entry is not a BitstringStatusListEntry.")
    url = entry.get("statusListCredential")
    if not isinstance(url, str) or not url:
        raise StatusListError("statusListCredential must be a URL.")
    purpose = entry.get("statusPurpose")
    if not isinstance(purpose, str) or not purpose:
        raise StatusListError("statusPurpose must be a string.")
    raw_index = entry.get("statusListIndex")
    # The spec says a base-10 string; some issuers send a JSON number. Accept both, refuse
    # signs, spaces and other digits (int() alone would take "+1", " 1" and "١").
    if isinstance(raw_index, int) and not isinstance(raw_index, bool):
        index = raw_index
    elif isinstance(raw_index, str) and raw_index.isascii() and raw_index.isdigit():
        index = int(raw_index)
    else:
        raise StatusListError("statusListIndex must be a non-negative integer in base 10.")
    if index < 0:
        raise StatusListError("statusListIndex must be a non-negative integer in base 10.")
    size = entry.get("statusSize", 1)
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise StatusListError("statusSize must be a positive integer.")
    if size > 1:
        messages = entry.get("statusMessage")
        if not isinstance(messages, list) or len(messages) != 1 << size:
            raise StatusListError(
                f"statusMessage must list {1 << size} messages when statusSize is {size}."
            )
    return url, index, purpose, size


def check_bitstring_entry(
    entry: Mapping[str, Any],
    status_list_credential: Mapping[str, Any],
    *,
    min_entries: int = MIN_ENTRIES,
) -> StatusResult:
    """Run steps 5-14 of the W3C validate algorithm for one entry against its (already fetched
    and proof-checked) status list credential."""
    _url, index, purpose, size = parse_bitstring_entry(entry)
    if not isinstance(status_list_credential, Mapping):
        raise StatusListError("The status list credential is not a JSON object.")
    if BITSTRING_CREDENTIAL not in _types(status_list_credential):
        raise StatusListError(
            "The status list credential does not have type BitstringStatusListCredential."
        )
    subject = status_list_credential.get("credentialSubject")
    if isinstance(subject, list) and len(subject) == 1:
        subject = subject[0]
    if not isinstance(subject, dict):
        raise StatusListError("The status list credential has no credentialSubject object.")
    if BITSTRING_LIST not in _types(subject):
        raise StatusListError("The status list's subject is not a BitstringStatusList.")
    list_purposes = [p for p in _as_list(subject.get("statusPurpose")) if isinstance(p, str)]
    if purpose not in list_purposes:
        raise StatusListError(
            f"The entry's statusPurpose '{purpose}' is not a purpose of the status list "
            f"({', '.join(list_purposes) or 'none'}).",
            code="status.purpose_mismatch",
        )
    bits = bitstring_decode(subject.get("encodedList"))
    if len(bits) * 8 // size < min_entries:
        raise StatusListError(
            f"The status list has fewer than {min_entries} entries.", code="status.list_length"
        )
    value = bitstring_get(bits, index, status_size=size)
    message = None
    messages = entry.get("statusMessage")
    if isinstance(messages, list):
        wanted = hex(value)
        for item in messages:
            if isinstance(item, dict) and str(item.get("status", "")).lower() == wanted:
                message = item.get("message") if isinstance(item.get("message"), str) else None
                break
    return StatusResult(purpose, value != 0, value, message)
