"""Sealing: personal values in the audit trail, encrypted with a key of their subject's own.

Each child gets a random 256-bit key (ChildKey) the first time an event about them has
values to seal; so does each person of concern (PersonKey), for the events about their
record, aliases and identifiers. Values are sealed with AES-256-GCM (the `cryptography`
package): a fresh 96-bit nonce per event, and whose key it is as associated data
("harbour-audit-child:<internal id>" or "harbour-audit-person:<internal id>"), so a sealed
value cannot be passed off as another child's, nor a person's as a child's. The stored text
is

    v1:<base64url(nonce + ciphertext + tag)>    sealed with a child's key
    p1:<base64url(nonce + ciphertext + tag)>    sealed with a person of concern's key

The prefix says whose key it is; the event's `sealed_for` says which one's.

Erasing a child or a person deletes their key (`destroy_key`, `destroy_person_key`): the
sealed text stays where it is, and so does every hash over it, but nothing can read it any
more. The keys are not derived from SECRET_KEY or from anything else that outlives them.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import models

from .models import ChildKey, PersonKey

NONCE_BYTES = 12


@dataclass(frozen=True)
class Keyring:
    """One kind of subject with keys of their own: the table of keys, the column naming the
    subject, the prefix of the text sealed with them and the associated data's label."""

    model: type[models.Model]
    subject_field: str
    prefix: str
    label: str

    def associated_data(self, pk: int) -> bytes:
        return f"harbour-audit-{self.label}:{int(pk)}".encode("ascii")

    def key_for(self, pk: int) -> bytes:
        """The subject's key, created if they have none yet."""
        key, _ = self.model._default_manager.get_or_create(
            **{self.subject_field: int(pk)},
            defaults={"key": AESGCM.generate_key(bit_length=256)},
        )
        return bytes(key.key)  # type: ignore[attr-defined]

    def keys_for(self, pks: Iterable[int]) -> dict[int, bytes]:
        """The keys that still exist for these subjects (erased ones have none)."""
        wanted = {int(pk) for pk in pks if pk is not None}
        if not wanted:
            return {}
        rows = self.model._default_manager.filter(
            **{f"{self.subject_field}__in": wanted}
        ).values_list(self.subject_field, "key")
        return {int(pk): bytes(key) for pk, key in rows}

    def seal(self, pk: int, values: Any) -> str:
        """Encrypt JSON-able `values` with the subject's key."""
        plaintext = json.dumps(values, sort_keys=True, separators=(",", ":")).encode("utf-8")
        nonce = os.urandom(NONCE_BYTES)
        ciphertext = AESGCM(self.key_for(pk)).encrypt(nonce, plaintext, self.associated_data(pk))
        return self.prefix + base64.urlsafe_b64encode(nonce + ciphertext).decode("ascii")

    def destroy_key(self, pk: int) -> bool:
        """Delete the subject's key: every value sealed with it becomes unreadable. Returns
        whether there was a key."""
        deleted, _ = self.model._default_manager.filter(**{self.subject_field: int(pk)}).delete()
        return bool(deleted)


CHILD = Keyring(ChildKey, "child_pk", "v1:", "child")
PERSON = Keyring(PersonKey, "person_pk", "p1:", "person")
KEYRINGS = (CHILD, PERSON)
# The child's prefix, by its old name.
PREFIX = CHILD.prefix


def keyring_of(sealed: str) -> Keyring | None:
    """Whose key sealed this text (by its prefix), or None if it is not sealed text."""
    for keyring in KEYRINGS:
        if sealed.startswith(keyring.prefix):
            return keyring
    return None


def open_sealed(keyring: Keyring, pk: int, sealed: str, key: bytes | None) -> Any | None:
    """The values, or None when the key is gone (its subject was erased), the text was not
    sealed with this keyring's kind of key, or the key does not fit."""
    if key is None or not sealed.startswith(keyring.prefix):
        return None
    data = base64.urlsafe_b64decode(sealed[len(keyring.prefix) :])
    nonce, ciphertext = data[:NONCE_BYTES], data[NONCE_BYTES:]
    try:
        plaintext = AESGCM(key).decrypt(nonce, ciphertext, keyring.associated_data(pk))
    except InvalidTag:
        return None
    return json.loads(plaintext)


# --- Children --------------------------------------------------------------------------------


def key_for(child_pk: int) -> bytes:
    """The child's key, created if the child has none yet."""
    return CHILD.key_for(child_pk)


def keys_for(child_pks: Iterable[int]) -> dict[int, bytes]:
    """The keys that still exist for these children (erased children have none)."""
    return CHILD.keys_for(child_pks)


def seal(child_pk: int, values: Any) -> str:
    """Encrypt JSON-able `values` with the child's key."""
    return CHILD.seal(child_pk, values)


def unseal(child_pk: int, sealed: str, key: bytes | None) -> Any | None:
    """The values sealed with a child's key, or None when the key is gone (the child was
    erased) or does not fit. Text sealed with a person's key ("p1:") is not read here."""
    return open_sealed(CHILD, child_pk, sealed, key)


def destroy_key(child_pk: int) -> bool:
    """Delete the child's key: every value sealed with it becomes unreadable. Returns
    whether there was a key."""
    return CHILD.destroy_key(child_pk)


# --- Persons of concern ------------------------------------------------------------------------


def seal_for_person(person_pk: int, values: Any) -> str:
    """Encrypt JSON-able `values` with the person of concern's key ("p1:")."""
    return PERSON.seal(person_pk, values)


def unseal_for_person(person_pk: int, sealed: str, key: bytes | None) -> Any | None:
    """The values sealed with a person's key, or None when the key is gone (the person was
    erased) or does not fit. Text sealed with a child's key ("v1:") is not read here."""
    return open_sealed(PERSON, person_pk, sealed, key)


def destroy_person_key(person_pk: int) -> bool:
    """Delete the person's key: every value sealed with it becomes unreadable. Returns
    whether there was a key."""
    return PERSON.destroy_key(person_pk)
