import pytest

from wellness.cases import index
from wellness.crypto import keypairs
from wellness.crypto.errors import DecryptionError

CTX = b"ctx"


def test_every_index_looks_alike_from_outside():
    """An officer who never asked for help has an index the same size as one who asked twice."""
    pair = keypairs.generate()
    empty = index.seal([], pair.public, CTX)
    two = index.seal([{"case": 1, "as": "owner"}, {"case": 2, "as": "reporter"}], pair.public, CTX)
    assert len(empty) == len(two)


def test_owner_reads_back_entries():
    pair = keypairs.generate()
    blob = index.seal([{"case": 1, "as": "owner"}, {"case": 5, "as": "reporter"}], pair.public, CTX)
    assert index.read(blob, pair.private, CTX) == [
        {"case": 1, "as": "owner"},
        {"case": 5, "as": "reporter"},
    ]


def test_someone_else_cannot_read_it():
    blob = index.seal([{"case": 1, "as": "owner"}], keypairs.generate().public, CTX)
    with pytest.raises(DecryptionError):
        index.read(blob, keypairs.generate().private, CTX)


def test_truncated_index_raises():
    pair = keypairs.generate()
    blob = index.seal([], pair.public, CTX)
    with pytest.raises(DecryptionError):
        index.read(blob[:-10], pair.private, CTX)
