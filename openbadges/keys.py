"""Signing key pairs (Ed25519, P-256, RSA) and their JSON Web Key forms.

A `KeyPair` wraps a `cryptography` private key and knows which JOSE algorithm it signs with:
EdDSA for Ed25519 (RFC 8037), ES256 for P-256 and RS256 for RSA of at least 2048 bits (RFC 7518).
JWKs follow RFC 7517 / 8037; a key without an explicit `kid` is named by its RFC 7638 thumbprint.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from openbadges.errors import InvalidKey

Algorithm = Literal["Ed25519", "P-256", "RSA"]
PrivateKey = Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
PublicKey = Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey

ALGORITHMS: tuple[Algorithm, ...] = ("Ed25519", "P-256", "RSA")
JWS_ALGORITHMS: dict[Algorithm, str] = {"Ed25519": "EdDSA", "P-256": "ES256", "RSA": "RS256"}
MIN_RSA_BITS = 2048
RSA_PUBLIC_EXPONENT = 65537
P256_COORDINATE_BYTES = 32

# RFC 7638 §3.2: the members that identify a key, per key type, in lexicographic order.
_THUMBPRINT_MEMBERS = {
    "OKP": ("crv", "kty", "x"),
    "EC": ("crv", "kty", "x", "y"),
    "RSA": ("e", "kty", "n"),
}
_PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")
JWK_THUMBPRINT_URN_PREFIX = "urn:ietf:params:oauth:jwk-thumbprint:sha-256:"


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")


def b64url_decode(text: str) -> bytes:
    """Strict unpadded base64url (RFC 7515 §2); the standard decoder skips stray characters."""
    if not isinstance(text, str) or not _B64URL.match(text):
        raise InvalidKey("A base64url value is malformed.", code="key.malformed")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise InvalidKey("A base64url value is malformed.", code="key.malformed") from exc


def _int_to_b64(value: int, length: int | None = None) -> str:
    size = length if length is not None else max(1, (value.bit_length() + 7) // 8)
    return b64url_encode(value.to_bytes(size, "big"))


def _b64_to_int(text: str) -> int:
    raw = b64url_decode(text)
    if not raw:
        raise InvalidKey("A JWK number is empty.", code="key.malformed")
    return int.from_bytes(raw, "big")


def algorithm_of(key: PrivateKey | PublicKey) -> Algorithm:
    """The project's name for the algorithm of a `cryptography` key; refuses anything else."""
    if isinstance(key, Ed25519PrivateKey | Ed25519PublicKey):
        return "Ed25519"
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        if isinstance(key.curve, ec.SECP256R1):
            return "P-256"
        raise InvalidKey(
            f"Elliptic curve {key.curve.name} is not supported; use P-256.",
            code="key.unsupported_algorithm",
        )
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        if key.key_size < MIN_RSA_BITS:
            raise InvalidKey(
                f"RSA keys must have at least {MIN_RSA_BITS} bits (this one has {key.key_size}).",
                code="key.too_weak",
            )
        return "RSA"
    raise InvalidKey(
        "Unsupported key type; use Ed25519, P-256 or RSA.", code="key.unsupported_algorithm"
    )


def jws_algorithm_for(key: PrivateKey | PublicKey) -> str:
    """The JOSE `alg` a key signs with: EdDSA, ES256 or RS256."""
    return JWS_ALGORITHMS[algorithm_of(key)]


def public_jwk(public_key: PublicKey, *, kid: str | None = None, alg: bool = True) -> dict:
    """The public JWK of a key; `kid` defaults to the RFC 7638 thumbprint."""
    algorithm = algorithm_of(public_key)
    if algorithm == "Ed25519":
        raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        jwk: dict[str, Any] = {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(raw)}
    elif algorithm == "P-256":
        numbers = public_key.public_numbers()
        jwk = {
            "kty": "EC",
            "crv": "P-256",
            "x": _int_to_b64(numbers.x, P256_COORDINATE_BYTES),
            "y": _int_to_b64(numbers.y, P256_COORDINATE_BYTES),
        }
    else:
        numbers = public_key.public_numbers()
        jwk = {"kty": "RSA", "n": _int_to_b64(numbers.n), "e": _int_to_b64(numbers.e)}
    jwk["kid"] = kid if kid is not None else jwk_thumbprint(jwk)
    if alg:
        jwk["alg"] = JWS_ALGORITHMS[algorithm]
        jwk["use"] = "sig"
    return jwk


def jwk_thumbprint(jwk: Mapping[str, Any]) -> str:
    """RFC 7638 JWK thumbprint (SHA-256, base64url) over the key's required members."""
    kty = jwk.get("kty")
    members = _THUMBPRINT_MEMBERS.get(kty) if isinstance(kty, str) else None
    if members is None:
        raise InvalidKey(f"Unsupported JWK key type {kty!r}.", code="key.unsupported_algorithm")
    try:
        canonical = {name: jwk[name] for name in members}
    except KeyError as exc:
        raise InvalidKey(
            f"The JWK lacks the member {exc.args[0]!r}.", code="key.malformed"
        ) from exc
    if not all(isinstance(value, str) for value in canonical.values()):
        raise InvalidKey("JWK members must be strings.", code="key.malformed")
    # orjson writes no whitespace and keeps insertion order, which is the lexicographic
    # order RFC 7638 requires because `members` is listed sorted.
    return b64url_encode(hashlib.sha256(orjson.dumps(canonical)).digest())


def jwk_thumbprint_uri(jwk: Mapping[str, Any]) -> str:
    """RFC 9278 thumbprint URI, usable as a JWT `kid` that names the key itself."""
    return JWK_THUMBPRINT_URN_PREFIX + jwk_thumbprint(jwk)


def jwks(public_jwks: Iterable[Mapping[str, Any]]) -> dict:
    """A JWK Set (RFC 7517 §5); refuses any member that carries private key material."""
    keys = []
    for jwk in public_jwks:
        _refuse_private_members(jwk)
        keys.append(dict(jwk))
    return {"keys": keys}


def _refuse_private_members(jwk: Mapping[str, Any]) -> None:
    if any(name in jwk for name in _PRIVATE_MEMBERS):
        raise InvalidKey(
            "A public JWK must not contain private key material.", code="key.private_material"
        )


def public_key_from_jwk(jwk: Mapping[str, Any]) -> PublicKey:
    """The public key of a public JWK (OKP/Ed25519, EC/P-256 or RSA ≥ 2048 bits)."""
    if not isinstance(jwk, Mapping):
        raise InvalidKey("A JWK must be a JSON object.", code="key.malformed")
    _refuse_private_members(jwk)
    return _public_from_members(jwk)


def _public_from_members(jwk: Mapping[str, Any]) -> PublicKey:
    members = tuple(jwk.get(name) for name in ("kty", "crv", "x", "y", "n", "e"))
    if all(value is None or isinstance(value, str) for value in members):
        return _cached_public_key(*members)
    return _build_public_key(jwk)


# Keys are immutable and a verifier meets the same few issuer keys again and again: building an
# RSA or P-256 key object costs more than checking a signature with it.
@functools.lru_cache(maxsize=1024)
def _cached_public_key(*members: str | None) -> PublicKey:
    names = ("kty", "crv", "x", "y", "n", "e")
    return _build_public_key({k: v for k, v in zip(names, members, strict=True) if v is not None})


def _build_public_key(jwk: Mapping[str, Any]) -> PublicKey:
    kty = jwk.get("kty")
    try:
        if kty == "OKP":
            if jwk.get("crv") != "Ed25519":
                raise InvalidKey(
                    f"OKP curve {jwk.get('crv')!r} is not supported; use Ed25519.",
                    code="key.unsupported_algorithm",
                )
            raw = b64url_decode(jwk["x"])
            if len(raw) != 32:
                raise InvalidKey("An Ed25519 public key has 32 bytes.", code="key.malformed")
            return Ed25519PublicKey.from_public_bytes(raw)
        if kty == "EC":
            if jwk.get("crv") != "P-256":
                raise InvalidKey(
                    f"EC curve {jwk.get('crv')!r} is not supported; use P-256.",
                    code="key.unsupported_algorithm",
                )
            x, y = b64url_decode(jwk["x"]), b64url_decode(jwk["y"])
            if len(x) != P256_COORDINATE_BYTES or len(y) != P256_COORDINATE_BYTES:
                raise InvalidKey("P-256 coordinates have 32 bytes each.", code="key.malformed")
            numbers = ec.EllipticCurvePublicNumbers(
                int.from_bytes(x, "big"), int.from_bytes(y, "big"), ec.SECP256R1()
            )
            return numbers.public_key()
        if kty == "RSA":
            public_key = rsa.RSAPublicNumbers(
                _b64_to_int(jwk["e"]), _b64_to_int(jwk["n"])
            ).public_key()
            algorithm_of(public_key)
            return public_key
    except KeyError as exc:
        raise InvalidKey(
            f"The JWK lacks the member {exc.args[0]!r}.", code="key.malformed"
        ) from exc
    except (ValueError, TypeError) as exc:
        raise InvalidKey(f"The JWK is not a valid key: {exc}", code="key.malformed") from exc
    raise InvalidKey(f"Unsupported JWK key type {kty!r}.", code="key.unsupported_algorithm")


def verify_signature(public_key: PublicKey, data: bytes, signature: bytes) -> bool:
    """Check a JOSE-format signature (ES256 as raw r‖s, RS256 as PKCS#1 v1.5 SHA-256)."""
    algorithm = algorithm_of(public_key)
    try:
        if algorithm == "Ed25519":
            public_key.verify(signature, data)
        elif algorithm == "P-256":
            if len(signature) != 2 * P256_COORDINATE_BYTES:
                return False
            r = int.from_bytes(signature[:P256_COORDINATE_BYTES], "big")
            s = int.from_bytes(signature[P256_COORDINATE_BYTES:], "big")
            public_key.verify(encode_dss_signature(r, s), data, ec.ECDSA(hashes.SHA256()))
        else:
            public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


class KeyPair:
    """A private signing key with its algorithm, public key and JWK forms."""

    __slots__ = ("_algorithm", "_private_key", "_public_key")

    def __init__(self, private_key: PrivateKey):
        self._algorithm = algorithm_of(private_key)
        self._private_key = private_key
        self._public_key = private_key.public_key()

    def __repr__(self) -> str:
        return f"<KeyPair {self._algorithm} {self.thumbprint()}>"

    @classmethod
    def generate(cls, algorithm: Algorithm = "Ed25519", *, rsa_bits: int = MIN_RSA_BITS) -> KeyPair:
        if algorithm == "Ed25519":
            return cls(Ed25519PrivateKey.generate())
        if algorithm == "P-256":
            return cls(ec.generate_private_key(ec.SECP256R1()))
        if algorithm == "RSA":
            if rsa_bits < MIN_RSA_BITS:
                raise InvalidKey(
                    f"RSA keys must have at least {MIN_RSA_BITS} bits.", code="key.too_weak"
                )
            return cls(rsa.generate_private_key(RSA_PUBLIC_EXPONENT, rsa_bits))
        raise InvalidKey(
            f"Unsupported algorithm {algorithm!r}; use Ed25519, P-256 or RSA.",
            code="key.unsupported_algorithm",
        )

    @property
    def algorithm(self) -> Algorithm:
        return self._algorithm

    @property
    def jws_algorithm(self) -> str:
        return JWS_ALGORITHMS[self._algorithm]

    @property
    def private_key(self) -> PrivateKey:
        return self._private_key

    @property
    def public_key(self) -> PublicKey:
        return self._public_key

    def sign(self, data: bytes) -> bytes:
        """Sign in the JOSE signature format of the key's algorithm (ES256: raw r‖s)."""
        if self._algorithm == "Ed25519":
            return self._private_key.sign(data)
        if self._algorithm == "P-256":
            der = self._private_key.sign(data, ec.ECDSA(hashes.SHA256()))
            r, s = decode_dss_signature(der)
            return r.to_bytes(P256_COORDINATE_BYTES, "big") + s.to_bytes(
                P256_COORDINATE_BYTES, "big"
            )
        return self._private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    def verify(self, data: bytes, signature: bytes) -> bool:
        return verify_signature(self._public_key, data, signature)

    def thumbprint(self) -> str:
        return jwk_thumbprint(public_jwk(self._public_key, kid="", alg=False))

    def public_jwk(self, *, kid: str | None = None) -> dict:
        return public_jwk(self._public_key, kid=kid)

    def private_jwk(self, *, kid: str | None = None) -> dict:
        """The JWK with private members; keep it secret (never publish, never log)."""
        jwk = self.public_jwk(kid=kid)
        if self._algorithm == "Ed25519":
            raw = self._private_key.private_bytes(
                serialization.Encoding.Raw,
                serialization.PrivateFormat.Raw,
                serialization.NoEncryption(),
            )
            jwk["d"] = b64url_encode(raw)
        elif self._algorithm == "P-256":
            jwk["d"] = _int_to_b64(
                self._private_key.private_numbers().private_value, P256_COORDINATE_BYTES
            )
        else:
            numbers = self._private_key.private_numbers()
            jwk.update(
                d=_int_to_b64(numbers.d),
                p=_int_to_b64(numbers.p),
                q=_int_to_b64(numbers.q),
                dp=_int_to_b64(numbers.dmp1),
                dq=_int_to_b64(numbers.dmq1),
                qi=_int_to_b64(numbers.iqmp),
            )
        return jwk

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any]) -> KeyPair:
        """Load a private JWK; the public members must match the private ones."""
        if not isinstance(jwk, Mapping) or "d" not in jwk:
            raise InvalidKey("A private JWK needs the member 'd'.", code="key.malformed")
        public_key = _public_from_members(jwk)
        try:
            if isinstance(public_key, Ed25519PublicKey):
                seed = b64url_decode(jwk["d"])
                if len(seed) != 32:
                    raise InvalidKey("An Ed25519 private key has 32 bytes.", code="key.malformed")
                private_key: PrivateKey = Ed25519PrivateKey.from_private_bytes(seed)
            elif isinstance(public_key, ec.EllipticCurvePublicKey):
                private_key = ec.EllipticCurvePrivateNumbers(
                    _b64_to_int(jwk["d"]), public_key.public_numbers()
                ).private_key()
            else:
                public_numbers = public_key.public_numbers()
                private_key = rsa.RSAPrivateNumbers(
                    p=_b64_to_int(jwk["p"]),
                    q=_b64_to_int(jwk["q"]),
                    d=_b64_to_int(jwk["d"]),
                    dmp1=_b64_to_int(jwk["dp"]),
                    dmq1=_b64_to_int(jwk["dq"]),
                    iqmp=_b64_to_int(jwk["qi"]),
                    public_numbers=public_numbers,
                ).private_key()
        except KeyError as exc:
            raise InvalidKey(
                f"The private JWK lacks the member {exc.args[0]!r}.", code="key.malformed"
            ) from exc
        except (ValueError, TypeError) as exc:
            raise InvalidKey(f"The private JWK is not valid: {exc}", code="key.malformed") from exc
        pair = cls(private_key)
        if public_jwk(pair.public_key, kid="", alg=False) != public_jwk(
            public_key, kid="", alg=False
        ):
            raise InvalidKey(
                "The JWK's public members do not match its private key.", code="key.mismatch"
            )
        return pair

    def private_pem(self, password: bytes | None = None) -> bytes:
        """PKCS#8 PEM, encrypted with `password` when given (for storage at rest)."""
        encryption = (
            serialization.BestAvailableEncryption(password)
            if password
            else serialization.NoEncryption()
        )
        return self._private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )

    def public_pem(self) -> str:
        """SubjectPublicKeyInfo PEM (the OB 2.0 CryptographicKey `publicKeyPem`)."""
        return public_pem(self._public_key)

    @classmethod
    def from_pem(cls, pem: bytes | str, password: bytes | None = None) -> KeyPair:
        data = pem.encode("ascii") if isinstance(pem, str) else pem
        try:
            private_key = serialization.load_pem_private_key(data, password=password)
        except (ValueError, TypeError) as exc:
            raise InvalidKey(
                f"The private key PEM is not valid: {exc}", code="key.malformed"
            ) from exc
        if not isinstance(
            private_key, Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
        ):
            raise InvalidKey(
                "Unsupported key type; use Ed25519, P-256 or RSA.", code="key.unsupported_algorithm"
            )
        return cls(private_key)


def public_pem(public_key: PublicKey) -> str:
    algorithm_of(public_key)
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def public_key_from_pem(pem: bytes | str) -> PublicKey:
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    try:
        public_key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise InvalidKey(f"The public key PEM is not valid: {exc}", code="key.malformed") from exc
    if not isinstance(public_key, Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey):
        raise InvalidKey(
            "Unsupported key type; use Ed25519, P-256 or RSA.", code="key.unsupported_algorithm"
        )
    algorithm_of(public_key)
    return public_key
