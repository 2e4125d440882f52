"""Writing and checking the access log: the one place entries are written."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from wellness.audit import chain
from wellness.audit.models import REASON_MAX, AccessLogEntry, AuditHead
from wellness.extensions import db
from wellness.timeutil import utcnow

HEAD_ID = 1


def record(
    actor_kind: str,
    actor_id: int | None,
    case_id: int,
    action: str,
    reason: str,
    commit: bool = True,
) -> None:
    """Append an entry; committed at once unless it belongs to the caller's transaction."""
    _ensure_head()
    # The UPDATE takes the head's row lock (a write lock on SQLite) before anything is read,
    # so two appends can never chain onto the same predecessor.
    db.session.execute(
        update(AuditHead).where(AuditHead.id == HEAD_ID).values(seq=AuditHead.seq + 1)
    )
    head = db.session.execute(
        select(AuditHead).where(AuditHead.id == HEAD_ID).execution_options(populate_existing=True)
    ).scalar_one()
    at = utcnow()
    reason = reason[:REASON_MAX]
    digest = chain.entry_hash(
        head.seq, at, actor_kind, actor_id, case_id, action, reason, head.last_hash
    )
    db.session.add(
        AccessLogEntry(
            seq=head.seq,
            at=at,
            actor_kind=actor_kind,
            actor_id=actor_id,
            case_id=case_id,
            action=action,
            reason=reason,
            prev_hash=head.last_hash,
            entry_hash=digest,
        )
    )
    head.last_hash = digest
    if commit:
        db.session.commit()


def _ensure_head() -> None:
    if db.session.get(AuditHead, HEAD_ID) is not None:
        return
    db.session.add(AuditHead(id=HEAD_ID, seq=0, last_hash=chain.GENESIS))
    try:
        db.session.commit()
    except IntegrityError:  # another process created it first
        db.session.rollback()


def verify() -> list[str]:
    """Check the whole chain; each problem names the entry where it was found."""
    head = db.session.get(AuditHead, HEAD_ID)
    rows = db.session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.seq)).all()
    links = (
        chain.Link(
            r.seq,
            r.at,
            r.actor_kind,
            r.actor_id,
            r.case_id,
            r.action,
            r.reason,
            r.prev_hash,
            r.entry_hash,
        )
        for r in rows
    )
    if head is None:
        return chain.verify(links)
    return chain.verify(links, head.seq, head.last_hash)


def entries_for_case(case_id: int) -> list[AccessLogEntry]:
    return list(
        db.session.scalars(
            select(AccessLogEntry)
            .where(AccessLogEntry.case_id == case_id)
            .order_by(AccessLogEntry.seq)
        )
    )


def head() -> tuple[int, str]:
    """The number of entries and the hash of the last one, to record outside the database."""
    row = db.session.get(AuditHead, HEAD_ID)
    return (0, chain.GENESIS) if row is None else (row.seq, row.last_hash)
