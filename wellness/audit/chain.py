"""The access log's keyed hash chain and its signed checkpoints. Pure: no Flask, no database.

Each entry carries the MAC of the previous entry, and its own MAC (HMAC-SHA256 under a key kept
only in ``instance/keys``) covers every field and that link. Without the key nobody can write an
entry that verifies, so editing, inserting or deleting one (and re-hashing the rest) shows. The
head (count and last MAC) carries a MAC too, and checkpoints signed with the instance's signing
key are written outside the database: a log cut back, rolled back or wiped shows against them.

Entries written by earlier releases (version 1) were chained with plain SHA-256; they still
verify, and the first keyed entry after them pins them: changing one breaks that entry's link.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

GENESIS = "0" * 64


@dataclass(frozen=True)
class Link:
    seq: int
    at: datetime
    actor_kind: str
    actor_id: int | None
    case_id: int | None
    action: str
    reason: str
    prev_hash: str
    entry_hash: str
    account_id: int | None = None
    version: int = 3
    # From version 3 the case is named by a value keyed with a key destroyed with the case
    # (``case_ref``), so once a case is destroyed its entries point at nothing.
    case_ref: str | None = None


@dataclass(frozen=True)
class Head:
    seq: int
    last_hash: str
    mac: str | None


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    last_hash: str
    at: str
    # Entries from this one on were written keyed: none may claim the unkeyed old format.
    keyed_from: int = 1
    # Written by `restore` after an operator put an older database back on purpose: a new
    # baseline, so the older log is not reported as rolled back (the line itself says so).
    restored: bool = False


def _fields(link: Link) -> list[str]:
    moment = (link.at if link.at.tzinfo else link.at.replace(tzinfo=UTC)).astimezone(UTC)
    fields = [
        str(link.seq),
        moment.isoformat(timespec="microseconds"),
        link.actor_kind,
        "" if link.actor_id is None else str(link.actor_id),
        "" if link.case_id is None else str(link.case_id),
        link.action,
        link.reason,
        link.prev_hash,
    ]
    if link.version >= 3:
        fields[4] = link.case_ref or ""
        fields.insert(0, "v3")
        fields.append("" if link.account_id is None else str(link.account_id))
    elif link.version == 2:
        fields.insert(0, "v2")
        fields.append("" if link.account_id is None else str(link.account_id))
    return fields


def entry_hash(link: Link, key: bytes) -> str:
    """The entry's MAC (version 2) or, for entries of earlier releases, its SHA-256."""
    data = "\x1f".join(_fields(link)).encode("utf-8")
    if link.version >= 2:
        return hmac.new(key, data, "sha256").hexdigest()
    return hashlib.sha256(data).hexdigest()


def head_mac(seq: int, last_hash: str, key: bytes) -> str:
    """The head's MAC: over the number of entries and the last entry's MAC, under the log key."""
    return hmac.new(key, f"head\x1f{seq}\x1f{last_hash}".encode(), "sha256").hexdigest()


def verify(
    links: Iterable[Link],
    head: Head | None,
    key: bytes,
    checkpoint: Checkpoint | None = None,
    activity_without_entries: bool = False,
    seen_head: Checkpoint | None = None,
) -> list[str]:
    """Problems found, each naming the kind of tampering and where; empty when intact.

    ``checkpoint`` is the latest signed checkpoint (already checked against its signature);
    ``activity_without_entries`` says the database holds traces that only someone who opened a
    case leaves (messages, notes, answered check-ins); ``seen_head`` is the newest head this
    instance committed, kept outside the database (already checked against its MAC): a log
    behind it was rolled back, however recently.
    """
    problems: list[str] = []
    seen: dict[int, str] = {}
    expected_seq, expected_prev, keyed = 1, GENESIS, False
    run_start, run_length, rewritten_from = 0, 0, None
    keyed_from = checkpoint.keyed_from if checkpoint else None
    for link in links:
        seen[link.seq] = link.entry_hash
        if link.version < 2 and (keyed or (keyed_from is not None and link.seq >= keyed_from)):
            problems.append(f"downgraded: entry {link.seq} claims the old, unkeyed format")
        keyed = keyed or link.version >= 2
        if link.seq > expected_seq:
            problems.append(f"deleted: entries {expected_seq}..{link.seq - 1} are missing")
        elif link.seq < expected_seq:
            problems.append(f"inserted: entry {link.seq} is out of order or duplicated")
        elif link.prev_hash != expected_prev:
            problems.append(f"inserted or deleted: entry {link.seq} does not follow the one before")
        if not hmac.compare_digest(entry_hash(link, key), link.entry_hash):
            problems.append(f"altered: entry {link.seq} does not carry a valid MAC")
            # Several invalid entries, each linked to the one before: re-hashed successors.
            if link.prev_hash == expected_prev:
                run_start, run_length = (run_start or link.seq), run_length + 1
                if run_length >= 2 and rewritten_from is None:
                    rewritten_from = run_start
        else:
            run_start, run_length = 0, 0
        expected_seq, expected_prev = link.seq + 1, link.entry_hash
    last_seq = expected_seq - 1
    if rewritten_from is not None:
        problems.append(
            f"rewritten: entries from {rewritten_from} on were re-hashed without the key "
            "(an entry before them was deleted or changed)"
        )
    problems += _check_head(head, last_seq, expected_prev, key, keyed)
    newest = _newest_outside(checkpoint, seen_head)
    if newest is not None:
        problems += _check_point(*newest, head, seen, last_seq)
    if last_seq == 0 and activity_without_entries:
        problems.append("wiped: the log is empty, yet cases show that people have opened them")
    return problems


def _check_head(
    head: Head | None, last_seq: int, last_hash: str, key: bytes, keyed: bool
) -> list[str]:
    if head is None:
        return ["wiped: the log's head is missing"] if last_seq else []
    problems = []
    if (head.mac is not None or keyed) and not hmac.compare_digest(
        head_mac(head.seq, head.last_hash, key), head.mac or ""
    ):
        problems.append("head rewritten: the log's head does not carry a valid MAC")
    if head.seq > last_seq:
        problems.append(
            f"cut: the log ends at entry {last_seq} but entry {head.seq} was written "
            "(entries deleted from the end)"
        )
    elif head.seq < last_seq:
        problems.append(
            f"head rolled back: the head says {head.seq} entries but the log has {last_seq}"
        )
    elif head.last_hash != last_hash:
        problems.append(f"cut or replaced: the last entry ({head.seq}) is not the one written")
    return problems


def _newest_outside(
    checkpoint: Checkpoint | None, seen_head: Checkpoint | None
) -> tuple[Checkpoint, str] | None:
    """The newest state recorded outside the database, and how to name it. Checking the log
    against it is enough: every entry's MAC covers the one before, so a log that holds that
    entry unchanged holds every earlier one unchanged too."""
    newest: tuple[Checkpoint, str] | None = None
    if checkpoint is not None and checkpoint.seq:
        newest = (checkpoint, f"the checkpoint of {checkpoint.at}")
    if seen_head is not None and seen_head.seq > (checkpoint.seq if checkpoint else 0):
        newest = (seen_head, f"the head this instance wrote at {seen_head.at}")
    return newest


def _check_point(
    point: Checkpoint, where: str, head: Head | None, seen: dict[int, str], last_seq: int
) -> list[str]:
    """The log against a state recorded outside the database (``where`` names it)."""
    problems = []
    if head is not None and head.seq < point.seq:
        problems.append(
            f"rolled back: the head ({head.seq} entries) is older than {where} "
            f"({point.seq} entries)"
        )
    if last_seq == 0:
        problems.append(f"wiped: the log is empty but held {point.seq} entries at {point.at}")
    elif point.seq not in seen:
        problems.append(f"cut: entry {point.seq}, recorded by {where}, is gone")
    elif seen[point.seq] != point.last_hash:
        problems.append(f"rewritten: entry {point.seq} differs from {where}")
    return problems
