"""Multikey encodings: `publicKeyMultibase` / `secretKeyMultibase` (W3C Controlled Identifiers).

A Multikey value is multibase base58btc (prefix `z`) over a multicodec varint header and the raw
key bytes: ed25519-pub 0xed, p256-pub 0x1200 (33-byte compressed point), ed25519-priv 0x1300,
p256-priv 0x1306. Ed25519 public keys therefore start with `z6Mk`, P-256 ones with `zDn`.
"""

from __future__ import annotations

import functools

import base58
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from openbadges.errors import InvalidKey
from openbadges.keys import PrivateKey, PublicKey, algorithm_of

MULTIBASE_BASE58BTC = "z"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"

# Unsigned-varint encodings of the multicodec codes (multiformats/multicodec table.csv).
ED25519_PUB = b"\xed\x01"  # 0xed
P256_PUB = b"\x80\x24"  # 0x1200
ED25519_PRIV = b"\x80\x26"  # 0x1300
P256_PRIV = b"\x86\x26"  # 0x1306

ED25519_LENGTH = 32
P256_COMPRESSED_LENGTH = 33
P256_SCALAR_LENGTH = 32
# Longest valid value is well under this; refusing longer input bounds base58 decoding cost.
_MAX_MULTIBASE_LENGTH = 128


def _encode(header: bytes, raw: bytes) -> str:
    return MULTIBASE_BASE58BTC + base58.b58encode(header + raw).decode("ascii")


def _decode(value: object) -> bytes:
    if not isinstance(value, str) or not value.startswith(MULTIBASE_BASE58BTC):
        raise InvalidKey(
            "A Multikey value must be a base58btc multibase string starting with 'z'.",
            code="key.malformed",
        )
    if len(value) > _MAX_MULTIBASE_LENGTH:
        raise InvalidKey("The Multikey value is too long.", code="key.malformed")
    try:
        return base58.b58decode(value[1:])
    except ValueError as exc:
        raise InvalidKey(
            "The Multikey value is not valid base58btc.", code="key.malformed"
        ) from exc


def encode_public_multikey(public_key: PublicKey) -> str:
    """`publicKeyMultibase` of an Ed25519 or P-256 public key."""
    algorithm = algorithm_of(public_key)
    if algorithm == "Ed25519":
        raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return _encode(ED25519_PUB, raw)
    if algorithm == "P-256":
        raw = public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
        )
        return _encode(P256_PUB, raw)
    raise InvalidKey(
        "Multikey supports Ed25519 and P-256 keys here; publish RSA keys as JWK.",
        code="key.unsupported_algorithm",
    )


def decode_public_multikey(value: str) -> PublicKey:
    """The public key of a `publicKeyMultibase` value (Ed25519 or P-256)."""
    if not isinstance(value, str):
        raise InvalidKey("A Multikey value must be a string.", code="key.malformed")
    return _decode_public(value)


# Keys are immutable and issuers few, so decoded keys are kept: base58 decoding costs about as
# much as a signature check when verifying many credentials of one issuer.
@functools.lru_cache(maxsize=1024)
def _decode_public(value: str) -> PublicKey:
    data = _decode(value)
    header, raw = data[:2], data[2:]
    try:
        if header == ED25519_PUB:
            if len(raw) != ED25519_LENGTH:
                raise InvalidKey("An Ed25519 public key has 32 bytes.", code="key.malformed")
            return Ed25519PublicKey.from_public_bytes(raw)
        if header == P256_PUB:
            if len(raw) != P256_COMPRESSED_LENGTH:
                raise InvalidKey(
                    "A P-256 Multikey holds a 33-byte compressed point.", code="key.malformed"
                )
            return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except ValueError as exc:
        raise InvalidKey("The Multikey does not hold a valid key.", code="key.malformed") from exc
    raise InvalidKey(
        "The Multikey is of an unsupported key type (expected Ed25519 or P-256).",
        code="key.unsupported_algorithm",
    )


def encode_secret_multikey(private_key: PrivateKey) -> str:
    """`secretKeyMultibase` of an Ed25519 or P-256 private key; keep it secret."""
    algorithm = algorithm_of(private_key)
    if algorithm == "Ed25519":
        raw = private_key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        return _encode(ED25519_PRIV, raw)
    if algorithm == "P-256":
        scalar = private_key.private_numbers().private_value
        return _encode(P256_PRIV, scalar.to_bytes(P256_SCALAR_LENGTH, "big"))
    raise InvalidKey(
        "Multikey supports Ed25519 and P-256 keys here.", code="key.unsupported_algorithm"
    )


def decode_secret_multikey(value: str) -> PrivateKey:
    data = _decode(value)
    header, raw = data[:2], data[2:]
    try:
        if header == ED25519_PRIV and len(raw) == ED25519_LENGTH:
            return Ed25519PrivateKey.from_private_bytes(raw)
        if header == P256_PRIV and len(raw) == P256_SCALAR_LENGTH:
            return ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
    except ValueError as exc:
        raise InvalidKey("The secret Multikey is not a valid key.", code="key.malformed") from exc
    raise InvalidKey(
        "The secret Multikey is malformed or of an unsupported type.", code="key.malformed"
    )


def multikey_document(public_key: PublicKey, *, id: str, controller: str) -> dict:
    """A standalone Multikey verification method document (served at its own URL)."""
    return {
        "@context": MULTIKEY_CONTEXT,
        "id": id,
        "type": "Multikey",
        "controller": controller,
        "publicKeyMultibase": encode_public_multikey(public_key),
    }
