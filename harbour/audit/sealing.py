"""Sealing: personal values in the audit trail, encrypted with a key of the child's own.

Each child gets a random 256-bit key (ChildKey) the first time an event about them has
values to seal. Values are sealed with AES-256-GCM (the `cryptography` package): a fresh
96-bit nonce per event, and the child's internal id as associated data, so a sealed value
cannot be passed off as another child's. The stored text is

    v1:<base64url(nonce + ciphertext + tag)>

Erasing a child deletes their key (`destroy_key`): the sealed text stays where it is, and
so does every hash over it, but nothing can read it any more. The keys are not derived
from SECRET_KEY or from anything else that outlives the child.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterable
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .models import ChildKey

PREFIX = "v1:"
NONCE_BYTES = 12


def _associated_data(child_pk: int) -> bytes:
    return f"harbour-audit-child:{int(child_pk)}".encode("ascii")


def key_for(child_pk: int) -> bytes:
    """The child's key, created if the child has none yet."""
    key, _ = ChildKey.objects.get_or_create(
        child_pk=int(child_pk), defaults={"key": AESGCM.generate_key(bit_length=256)}
    )
    return bytes(key.key)


def keys_for(child_pks: Iterable[int]) -> dict[int, bytes]:
    """The keys that still exist for these children (erased children have none)."""
    pks = {int(pk) for pk in child_pks if pk is not None}
    if not pks:
        return {}
    return {
        child_pk: bytes(key)
        for child_pk, key in ChildKey.objects.filter(child_pk__in=pks).values_list(
            "child_pk", "key"
        )
    }


def seal(child_pk: int, values: Any) -> str:
    """Encrypt JSON-able `values` with the child's key."""
    plaintext = json.dumps(values, sort_keys=True, separators=(",", ":")).encode("utf-8")
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = AESGCM(key_for(child_pk)).encrypt(nonce, plaintext, _associated_data(child_pk))
    return PREFIX + base64.urlsafe_b64encode(nonce + ciphertext).decode("ascii")


def unseal(child_pk: int, sealed: str, key: bytes | None) -> Any | None:
    """The values, or None when the key is gone (the child was erased) or does not fit."""
    if key is None or not sealed.startswith(PREFIX):
        return None
    data = base64.urlsafe_b64decode(sealed[len(PREFIX) :])
    nonce, ciphertext = data[:NONCE_BYTES], data[NONCE_BYTES:]
    try:
        plaintext = AESGCM(key).decrypt(nonce, ciphertext, _associated_data(child_pk))
    except InvalidTag:
        return None
    return json.loads(plaintext)


def destroy_key(child_pk: int) -> bool:
    """Delete the child's key: every value sealed with it becomes unreadable. Returns
    whether there was a key."""
    deleted, _ = ChildKey.objects.filter(child_pk=int(child_pk)).delete()
    return bool(deleted)
