from dataclasses import replace
from datetime import UTC, datetime, timedelta

from wellness.audit import chain

T0 = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


def build(n):
    links, prev = [], chain.GENESIS
    for seq in range(1, n + 1):
        at = T0 + timedelta(minutes=seq)
        digest = chain.entry_hash(seq, at, "counselor", 3, 10 + seq, "read", "case page", prev)
        links.append(
            chain.Link(seq, at, "counselor", 3, 10 + seq, "read", "case page", prev, digest)
        )
        prev = digest
    return links


def test_intact_chain_has_no_problems():
    links = build(5)
    assert chain.verify(links, 5, links[-1].entry_hash) == []
    assert chain.verify([], 0, chain.GENESIS) == []


def test_an_edited_field_is_found_and_named():
    links = build(5)
    links[2] = replace(links[2], actor_id=99)
    assert chain.verify(links, 5, links[-1].entry_hash) == ["entry 3 was altered"]


def test_a_deleted_entry_is_found_and_named():
    links = build(5)
    del links[1]
    problems = chain.verify(links, 5, links[-1].entry_hash)
    assert problems == ["entries 2..2 are missing (deleted)"]


def test_entries_deleted_from_the_end_are_found():
    links = build(5)
    problems = chain.verify(links[:3], 5, links[-1].entry_hash)
    assert "entries deleted from the end" in problems[0]


def test_an_inserted_entry_is_found_even_with_a_correct_hash_of_its_own():
    links = build(3)
    forged_hash = chain.entry_hash(2, T0, "counselor", 7, 1, "read", "x", chain.GENESIS)
    forged = chain.Link(2, T0, "counselor", 7, 1, "read", "x", chain.GENESIS, forged_hash)
    problems = chain.verify([links[0], forged, *links[1:]], 3, links[-1].entry_hash)
    assert "entry 2 does not follow the entry before it (inserted)" in problems


def test_naive_timestamps_hash_as_utc():
    naive = T0.replace(tzinfo=None)
    assert chain.entry_hash(1, naive, "a", None, 1, "r", "x", chain.GENESIS) == chain.entry_hash(
        1, T0, "a", None, 1, "r", "x", chain.GENESIS
    )
