"""The access log's hash chain. Pure: no Flask, no database.

Each entry carries the SHA-256 of the previous entry, and its own hash covers every field and
that link. Editing, inserting or deleting an entry breaks the chain where it happened.
"""

from __future__ import annotations

import hashlib
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
    case_id: int
    action: str
    reason: str
    prev_hash: str
    entry_hash: str


def entry_hash(
    seq: int,
    at: datetime,
    actor_kind: str,
    actor_id: int | None,
    case_id: int,
    action: str,
    reason: str,
    prev_hash: str,
) -> str:
    """SHA-256 over every field of an entry and the previous entry's hash."""
    moment = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC)
    fields = [
        str(seq),
        moment.isoformat(timespec="microseconds"),
        actor_kind,
        "" if actor_id is None else str(actor_id),
        str(case_id),
        action,
        reason,
        prev_hash,
    ]
    return hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()


def verify(links: Iterable[Link], head_seq: int = 0, head_hash: str = GENESIS) -> list[str]:
    """Problems found, in words that name the place; empty when the chain is intact.

    ``head_seq``/``head_hash`` are the last entry as recorded when it was written, so entries
    removed from the end are noticed too.
    """
    problems: list[str] = []
    expected_seq, expected_prev = 1, GENESIS
    for link in links:
        if link.seq != expected_seq:
            problems.append(
                f"entries {expected_seq}..{link.seq - 1} are missing (deleted)"
                if link.seq > expected_seq
                else f"entry {link.seq} is out of order or duplicated (inserted)"
            )
        elif link.prev_hash != expected_prev:
            problems.append(f"entry {link.seq} does not follow the entry before it (inserted)")
        recomputed = entry_hash(
            link.seq,
            link.at,
            link.actor_kind,
            link.actor_id,
            link.case_id,
            link.action,
            link.reason,
            link.prev_hash,
        )
        if recomputed != link.entry_hash:
            problems.append(f"entry {link.seq} was altered")
        expected_seq, expected_prev = link.seq + 1, link.entry_hash
    if head_seq != expected_seq - 1:
        problems.append(
            f"the log ends at entry {expected_seq - 1} but entry {head_seq} was "
            "written (entries deleted from the end)"
        )
    elif head_hash != expected_prev:
        problems.append(f"the last entry ({head_seq}) is not the one that was written")
    return problems
