"""Private signing keys encrypted at rest.

Each private key is stored as AES-256-GCM ciphertext under a key derived with HKDF-SHA256 from
settings.KEY_ENCRYPTION_KEY (or SECRET_KEY when that is empty). The key's public id is the
associated data, so a ciphertext copied onto another key row does not decrypt. The stored value
starts with a version byte so that the derivation can change later without ambiguity.
"""

import os
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from openbadges.keys import KeyPair

VERSION = b"\x01"
_INFO = b"badgeeurope signing keys v1"


@cache
def _derived(secret: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        secret.encode("utf-8")
    )


def _encryption_key() -> bytes:
    return _derived(settings.KEY_ENCRYPTION_KEY or settings.SECRET_KEY)


def encrypt_private_key(key: KeyPair, *, key_public_id: str) -> bytes:
    nonce = os.urandom(12)
    ciphertext = AESGCM(_encryption_key()).encrypt(
        nonce, key.private_pem(), key_public_id.encode("ascii")
    )
    return VERSION + nonce + ciphertext


def decrypt_private_key(blob: bytes, *, key_public_id: str) -> KeyPair:
    blob = bytes(blob)
    if blob[:1] != VERSION:
        raise ImproperlyConfigured("A stored signing key has an unknown encryption version.")
    try:
        pem = AESGCM(_encryption_key()).decrypt(
            blob[1:13], blob[13:], key_public_id.encode("ascii")
        )
    except InvalidTag as exc:
        raise ImproperlyConfigured(
            "A stored signing key cannot be decrypted: KEY_ENCRYPTION_KEY (or SECRET_KEY) is not "
            "the one it was encrypted with."
        ) from exc
    return KeyPair.from_pem(pem)
