import pytest

from wellness.crypto import records
from wellness.crypto.context import context
from wellness.crypto.errors import DecryptionError

HERE = context("cases", 1, "content")


def test_round_trip_and_fresh_nonce():
    key = records.new_data_key()
    first = records.encrypt(key, b"I can't sleep since the shooting", HERE)
    second = records.encrypt(key, b"I can't sleep since the shooting", HERE)
    assert first != second
    assert records.decrypt(key, first, HERE) == b"I can't sleep since the shooting"


def test_wrong_key_raises():
    blob = records.encrypt(records.new_data_key(), b"text", HERE)
    with pytest.raises(DecryptionError):
        records.decrypt(records.new_data_key(), blob, HERE)


@pytest.mark.parametrize("position", [0, 1, 13, -1])
def test_any_flipped_byte_raises(position):
    key = records.new_data_key()
    blob = bytearray(records.encrypt(key, b"text", HERE))
    blob[position] ^= 0x01
    with pytest.raises(DecryptionError):
        records.decrypt(key, bytes(blob), HERE)


@pytest.mark.parametrize(
    "elsewhere",
    [
        context("cases", 2, "content"),  # another row
        context("cases", 1, "notes"),  # another field
        context("messages", 1, "content"),  # another table
    ],
)
def test_ciphertext_moved_elsewhere_raises(elsewhere):
    key = records.new_data_key()
    blob = records.encrypt(key, b"text", HERE)
    with pytest.raises(DecryptionError):
        records.decrypt(key, blob, elsewhere)


@pytest.mark.parametrize("length", [0, 1, 12, 28, 40])
def test_truncated_ciphertext_raises(length):
    key = records.new_data_key()
    blob = records.encrypt(key, b"some longer text here", HERE)
    with pytest.raises(DecryptionError):
        records.decrypt(key, blob[:length], HERE)
