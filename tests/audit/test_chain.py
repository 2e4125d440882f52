"""The keyed chain, pure: every kind of tampering is found and named."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from wellness.audit import chain

T0 = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
KEY = b"k" * 32


def build(n, key=KEY, start=1, prev=chain.GENESIS, version=2):
    links = []
    for seq in range(start, start + n):
        link = chain.Link(
            seq,
            T0 + timedelta(minutes=seq),
            "counselor",
            3,
            10 + seq,
            "read",
            "case page",
            prev,
            "",
            None,
            version,
        )
        link = replace(link, entry_hash=chain.entry_hash(link, key))
        links.append(link)
        prev = link.entry_hash
    return links


def head_of(links, key=KEY):
    last = links[-1].entry_hash if links else chain.GENESIS
    return chain.Head(len(links), last, chain.head_mac(len(links), last, key))


def kinds(problems):
    return sorted({p.split(":")[0] for p in problems})


def test_intact_chain_has_no_problems():
    links = build(5)
    assert chain.verify(links, head_of(links), KEY) == []
    assert chain.verify([], head_of([]), KEY) == []


def test_an_edited_field_is_found_and_named():
    links = build(5)
    links[2] = replace(links[2], actor_id=99)
    assert chain.verify(links, head_of(build(5)), KEY) == [
        "altered: entry 3 does not carry a valid MAC"
    ]


def test_rehashing_without_the_key_is_found():
    """Delete entry 2 and re-hash the rest (renumbered, relinked) with a key of one's own."""
    links = build(5)
    forged = build(4, key=b"attacker" * 4)
    forged[0] = links[0]
    rest = build(3, key=b"attacker" * 4, start=2, prev=links[0].entry_hash)
    forged = [links[0], *rest]
    problems = chain.verify(forged, head_of(forged, key=b"attacker" * 4), KEY)
    assert "rewritten" in kinds(problems)
    assert "head rewritten" in kinds(problems)


def test_a_deleted_entry_is_found_and_named():
    links = build(5)
    del links[1]
    problems = chain.verify(links, head_of(build(5)), KEY)
    assert problems == ["deleted: entries 2..2 are missing"]


def test_entries_cut_from_the_end_are_found_even_with_the_head_rewound():
    links = build(5)
    assert "cut" in kinds(chain.verify(links[:3], head_of(links), KEY))
    # the head set back to entry 3 without the key: its MAC gives it away
    stale = chain.Head(3, links[2].entry_hash, "0" * 64)
    assert kinds(chain.verify(links[:3], stale, KEY)) == ["head rewritten"]


def test_a_head_older_than_the_last_checkpoint_is_found():
    links = build(5)
    old_head = head_of(links[:3])  # a genuine head, from an older copy of the database
    point = chain.Checkpoint(5, links[4].entry_hash, "2026-11-29T10:00:00", 1)
    problems = chain.verify(links[:3], old_head, KEY, point)
    assert "rolled back" in kinds(problems)
    assert "cut" in kinds(problems)


def test_a_wiped_log_is_found_by_checkpoint_and_by_the_traces_reading_leaves():
    links = build(4)
    point = chain.Checkpoint(4, links[3].entry_hash, "2026-11-29T10:00:00", 1)
    assert "wiped" in kinds(chain.verify([], head_of([]), KEY, point))
    assert "wiped" in kinds(chain.verify([], head_of([]), KEY, None, activity_without_entries=True))
    assert chain.verify([], head_of([]), KEY, None, activity_without_entries=False) == []


def test_an_inserted_entry_is_found():
    links = build(3)
    forged = build(1, key=KEY)[0]  # even a correctly keyed entry cannot be slotted in
    problems = chain.verify([links[0], replace(forged, seq=2), *links[1:]], head_of(links), KEY)
    assert "inserted" in kinds(problems)


def test_entries_of_earlier_releases_verify_and_cannot_be_claimed_later():
    old = build(2, version=1)
    new = build(2, start=3, prev=old[-1].entry_hash)
    links = [*old, *new]
    point = chain.Checkpoint(2, old[-1].entry_hash, "2026-11-29T10:00:00", 3)
    assert chain.verify(links, head_of(links), KEY, point) == []
    # someone rewrites entry 4 in the unkeyed old format, which they can compute
    downgraded = replace(links[3], reason="edited", version=1)
    downgraded = replace(downgraded, entry_hash=chain.entry_hash(downgraded, KEY))
    problems = chain.verify([*links[:3], downgraded], head_of(links), KEY, point)
    assert "downgraded" in kinds(problems)


def test_naive_timestamps_hash_as_utc():
    link = build(1)[0]
    assert chain.entry_hash(replace(link, at=link.at.replace(tzinfo=None)), KEY) == (
        chain.entry_hash(link, KEY)
    )
