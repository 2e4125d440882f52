"""The row MAC (crypto/rowmac.py): one MAC per row, over its table, identity and columns."""

import pytest

from wellness.crypto import rowmac

KEY = b"k" * 32
ROW = [("id", 7), ("username", "maria"), ("active", True), ("key", b"\x01\x02"), ("totp", None)]


def test_the_mac_verifies_for_the_row_it_was_made_for():
    assert rowmac.verifies(KEY, "users", ROW, rowmac.mac(KEY, "users", ROW))


@pytest.mark.parametrize(
    "changed",
    [
        [("id", 8), *ROW[1:]],  # the MAC copied to another row
        [ROW[0], ("username", "mallory"), *ROW[2:]],
        [*ROW[:2], ("active", False), *ROW[3:]],
        [*ROW[:3], ("key", b"\x01\x03"), ROW[4]],
        [*ROW[:4], ("totp", "")],  # NULL is not the empty string
        [*ROW[:4], ("totp", b"")],  # nor empty bytes
        ROW[:4],  # a column left out
    ],
)
def test_any_change_fails(changed):
    assert not rowmac.verifies(KEY, "users", changed, rowmac.mac(KEY, "users", ROW))


def test_another_table_or_key_fails():
    mac = rowmac.mac(KEY, "users", ROW)
    assert not rowmac.verifies(KEY, "user_roles", ROW, mac)
    assert not rowmac.verifies(b"x" * 32, "users", ROW, mac)


def test_types_do_not_collide():
    assert rowmac.message("t", [("a", 1)]) != rowmac.message("t", [("a", "1")])
    assert rowmac.message("t", [("a", True)]) != rowmac.message("t", [("a", 1)])
    assert rowmac.message("t", [("a", "b"), ("c", "")]) != rowmac.message("t", [("a", "bc")])


@pytest.mark.parametrize("stored", [None, b"", b"x" * 31])
def test_missing_or_short_macs_fail(stored):
    assert not rowmac.verifies(KEY, "users", ROW, stored)


def test_unknown_types_are_refused():
    with pytest.raises(TypeError):
        rowmac.mac(KEY, "users", [("at", 1.5)])
