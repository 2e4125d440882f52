"""Sealing is RFC 9180 HPKE from `cryptography` (hybrid ML-KEM-768 + X25519), with the row
context bound in, and what earlier releases sealed keeps opening."""

import pytest
from cryptography.hazmat.primitives import hpke

from tests.crypto.legacy import seal_v1
from wellness.crypto import envelope, keypairs
from wellness.crypto.context import context
from wellness.crypto.errors import DecryptionError

CTX = context("case_keys", 7, "user:3")
SUITE = hpke.Suite(hpke.KEM.MLKEM768_X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)


def test_sealed_to_one_recipient_opens_only_for_them():
    alice, bob = keypairs.generate(), keypairs.generate()
    box = envelope.seal(b"k" * 32, alice.public, CTX)
    assert envelope.open_sealed(box, alice.private, CTX) == b"k" * 32
    with pytest.raises(DecryptionError):
        envelope.open_sealed(box, bob.private, CTX)


def test_new_boxes_are_standard_hpke_with_the_hybrid_kem_and_the_context_as_info():
    alice = keypairs.generate()
    box = envelope.seal(b"k" * 32, alice.public, CTX)
    assert envelope.version_of(box) == "hybrid"
    assert len(box) == 1 + hpke.KEM.MLKEM768_X25519.enc_length() + 32 + 16
    # Any RFC 9180 implementation opens it with the same suite and info: nothing hand-made.
    opened = SUITE.decrypt(
        box[1:], keypairs.hpke_private(alice.private), b"wellness seal v2\0" + CTX
    )
    assert opened == b"k" * 32


def test_box_names_no_recipient_and_is_different_each_time():
    alice = keypairs.generate()
    first, second = (
        envelope.seal(b"k" * 32, alice.public, CTX),
        envelope.seal(b"k" * 32, alice.public, CTX),
    )
    assert first != second
    assert alice.public[1:33] not in first
    assert alice.public[-32:] not in first


def test_flipped_byte_moved_or_truncated_box_raises():
    alice = keypairs.generate()
    box = envelope.seal(b"k" * 32, alice.public, CTX)
    flipped = bytearray(box)
    flipped[-1] ^= 1
    for bad, ctx in [
        (bytes(flipped), CTX),
        (box, context("case_keys", 8, "user:3")),
        (box[:40], CTX),
        (b"", CTX),
        (b"\x03" + box[1:], CTX),  # told it is classical
        (b"\x09" + box[1:], CTX),  # an unknown format
    ]:
        with pytest.raises(DecryptionError):
            envelope.open_sealed(bad, alice.private, ctx)


def test_garbage_private_key_raises_not_crashes():
    box = envelope.seal(b"k" * 32, keypairs.generate().public, CTX)
    for garbage in (b"short", b"\x02" + b"x" * 40, b""):
        with pytest.raises(DecryptionError):
            envelope.open_sealed(box, garbage, CTX)


def test_hybrid_keys_expand_from_a_short_seed_deterministically():
    pair = keypairs.generate()
    assert len(pair.private) == 33
    assert len(pair.public) == keypairs.HYBRID_PUBLIC_BYTES
    assert keypairs.public_of(pair.private) == pair.public
    assert keypairs.from_seed(pair.private[1:]) == pair


def test_boxes_of_earlier_releases_keep_opening():
    old = keypairs.generate_classical()
    legacy = seal_v1(b"k" * 32, old.public, CTX)
    assert envelope.version_of(legacy) == "legacy"
    assert envelope.open_sealed(legacy, old.private, CTX) == b"k" * 32
    with pytest.raises(DecryptionError):
        envelope.open_sealed(legacy, old.private, context("case_keys", 8, "user:3"))


def test_a_holder_who_still_has_a_classical_key_gets_standard_hpke_x25519():
    old = keypairs.generate_classical()
    box = envelope.seal(b"k" * 32, old.public, CTX)
    assert envelope.version_of(box) == "classical"
    assert envelope.open_sealed(box, old.private, CTX) == b"k" * 32
