import pytest

from wellness.crypto import envelope, keypairs
from wellness.crypto.context import context
from wellness.crypto.errors import DecryptionError

CTX = context("case_keys", 7, "user:3")


def test_sealed_to_one_recipient_opens_only_for_them():
    alice, bob = keypairs.generate(), keypairs.generate()
    box = envelope.seal(b"k" * 32, alice.public, CTX)
    assert envelope.open_sealed(box, alice.private, CTX) == b"k" * 32
    with pytest.raises(DecryptionError):
        envelope.open_sealed(box, bob.private, CTX)


def test_box_names_no_recipient_and_is_different_each_time():
    alice = keypairs.generate()
    first, second = (
        envelope.seal(b"k" * 32, alice.public, CTX),
        envelope.seal(b"k" * 32, alice.public, CTX),
    )
    assert first != second
    assert alice.public not in first


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
        (b"\x02" + box[1:], CTX),
    ]:
        with pytest.raises(DecryptionError):
            envelope.open_sealed(bad, alice.private, ctx)


def test_garbage_private_key_raises_not_crashes():
    box = envelope.seal(b"k" * 32, keypairs.generate().public, CTX)
    with pytest.raises(DecryptionError):
        envelope.open_sealed(box, b"short", CTX)
