"""Writing and checking the access log: the one place entries are written.

Entries are chained with an HMAC under ``instance/keys/audit.key``; ``checkpoint()`` writes the
head, signed, to ``instance/audit-checkpoints.log`` (daily by the scheduler, and at every
``audit verify``); after every commit that added entries, the new head is also written to
``instance/audit-head``, which only moves forward; ``verify()`` checks the chain, the head, and
both records kept outside the database.
"""

from __future__ import annotations

import hmac
import logging
import os
import secrets
from datetime import datetime

from flask import current_app
from sqlalchemy import Connection, event, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from wellness.audit import chain, checkpoints
from wellness.audit.models import REASON_MAX, AccessLogEntry, AuditHead
from wellness.cases.models import Case, Message, Note
from wellness.checkins.models import CheckIn
from wellness.extensions import db
from wellness.keyring import audit_key, signing_key
from wellness.notifications import service as notifications
from wellness.timeutil import floor_hour, utcnow
from wellness.transaction import read_snapshot, use_case

log = logging.getLogger(__name__)
HEAD_ID = 1
_PENDING_HEAD = "wellness_audit_head"


def checkpoint_path() -> str:
    """The signed checkpoints' file, outside the database: instance/audit-checkpoints.log."""
    return os.path.join(current_app.instance_path, "audit-checkpoints.log")


def head_path() -> str:
    """The newest committed head, outside the database: instance/audit-head."""
    return os.path.join(current_app.instance_path, "audit-head")


def record(
    actor_kind: str,
    actor_id: int | None,
    case_id: int | None,
    action: str,
    reason: str,
    account_id: int | None = None,
) -> int:
    """Append an entry, in the caller's transaction (``transaction.use_case``); returns its
    number."""
    ref = case_reference(case_id) if case_id is not None else None
    _ensure_head()
    # The UPDATE takes the head's row lock (a write lock on SQLite) before anything is read,
    # so two appends can never chain onto the same predecessor.
    db.session.execute(
        update(AuditHead).where(AuditHead.id == HEAD_ID).values(seq=AuditHead.seq + 1)
    )
    head = db.session.execute(
        select(AuditHead).where(AuditHead.id == HEAD_ID).execution_options(populate_existing=True)
    ).scalar_one()
    link = chain.Link(
        seq=head.seq,
        # To the hour, for every entry: an officer's own read, logged between others at exact
        # times, would otherwise be bracketed by them (and when someone asked is who asked).
        at=floor_hour(utcnow()),
        actor_kind=actor_kind,
        actor_id=actor_id,
        case_id=None,
        action=action,
        reason=reason[:REASON_MAX],
        prev_hash=head.last_hash,
        entry_hash="",
        account_id=account_id,
        case_ref=ref,
    )
    digest = chain.entry_hash(link, audit_key())
    db.session.add(
        AccessLogEntry(
            seq=link.seq,
            at=link.at,
            actor_kind=actor_kind,
            actor_id=actor_id,
            case_ref=ref,
            account_id=account_id,
            action=action,
            reason=link.reason,
            prev_hash=link.prev_hash,
            entry_hash=digest,
            mac_version=link.version,
        )
    )
    head.last_hash = digest
    head.mac = chain.head_mac(head.seq, digest, audit_key())
    db.session.info[_PENDING_HEAD] = (head.seq, digest)  # written out once committed
    return head.seq


def _write_head(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint was released: the entries are not committed yet
    pending = session.info.pop(_PENDING_HEAD, None)
    if pending is None:
        return
    seq, digest = pending
    point = chain.Checkpoint(seq, digest, utcnow().isoformat(timespec="seconds"))
    try:
        checkpoints.advance_head(head_path(), point, audit_key())
    except OSError as exc:  # committed already: say so, never fail the request for it
        log.error("the access log's head could not be written outside the database: %s", exc)


def _forget_head(session: Session) -> None:
    session.info.pop(_PENDING_HEAD, None)


def listen() -> None:
    """Write the head outside the database after each commit that added entries (registered
    once per process by the app factory)."""
    if not event.contains(Session, "after_commit", _write_head):
        event.listen(Session, "after_commit", _write_head)
        event.listen(Session, "after_rollback", _forget_head)


def record_account_event(
    account_id: int, actor_kind: str, actor_id: int | None, action: str
) -> int:
    """A role change or a reset, about ``account_id`` (in the caller's transaction); returns
    the entry's number, which the account's rows then carry (``keys.rows.stamp``).

    ``actor_id`` None: the server's own command line."""
    reasons = {"admin": "account administration", "coordinator": "separation of duties"}
    return record(
        actor_kind if actor_id is not None else "server",
        actor_id,
        None,
        action,
        reasons.get(actor_kind, "account administration"),
        account_id=account_id,
    )


def _ensure_head() -> None:
    """Create the head row on first use, in its own short transaction (a savepoint), so the
    caller's transaction is neither committed nor lost if another process wins the race."""
    if db.session.get(AuditHead, HEAD_ID) is not None:
        return
    try:
        with db.session.begin_nested():
            db.session.add(
                AuditHead(
                    id=HEAD_ID,
                    seq=0,
                    last_hash=chain.GENESIS,
                    mac=chain.head_mac(0, chain.GENESIS, audit_key()),
                )
            )
    except IntegrityError:  # another process created it first
        pass


def _links(conn: Connection) -> list[chain.Link]:
    rows = conn.execute(select(AccessLogEntry.__table__).order_by(AccessLogEntry.seq)).all()
    return [
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
            r.account_id,
            r.mac_version,
            r.case_ref,
        )
        for r in rows
    ]


def _activity_without_entries(conn: Connection) -> bool:
    """Traces only someone who opened a case leaves: a message, a note, an answered check-in."""
    return bool(
        conn.scalar(
            select(
                or_(
                    exists().where(Message.id.is_not(None)),
                    exists().where(Note.id.is_not(None)),
                    exists().where(CheckIn.answered_at.is_not(None)),
                )
            )
        )
    )


def verify() -> list[str]:
    """Check the chain, its head and the records kept outside the database; each problem names
    the kind of tampering and where. The records outside are read first and the database in
    one snapshot after them: a commit in between moves the database on, never behind."""
    try:
        point = checkpoints.latest(checkpoint_path(), signing_key().public_key())
    except checkpoints.CheckpointError as exc:
        return [f"checkpoints altered: {exc}"]
    try:
        seen = checkpoints.read_head(head_path(), audit_key())
    except checkpoints.CheckpointError as exc:
        return [f"head file altered: {exc}"]
    with read_snapshot() as conn:
        row = conn.execute(select(AuditHead.__table__).where(AuditHead.id == HEAD_ID)).first()
        links, activity = _links(conn), _activity_without_entries(conn)
    head = None if row is None else chain.Head(row.seq, row.last_hash, row.mac)
    return chain.verify(links, head, audit_key(), point, activity, seen_head=seen)


class RolledBackError(Exception):
    """The log is behind a state already recorded outside the database: never checkpointed."""


def checkpoint(now: datetime | None = None, keyed_from: int | None = None) -> tuple[int, str]:
    """Write the current head, signed, outside the database; returns it. Never a head older
    than one already recorded there (RolledBackError): that would bless a rollback.

    ``keyed_from`` is set once, by ``init`` (1) or ``keys adopt`` (after an earlier release's
    entries); later checkpoints carry it forward."""
    previous = checkpoints.latest(checkpoint_path(), signing_key().public_key())
    seen = checkpoints.read_head(head_path(), audit_key())
    count, last = head()  # after the files: a commit in between moves it on, never behind
    newest = max((p.seq for p in (previous, seen) if p is not None), default=0)
    if count < newest:
        raise RolledBackError(
            f"the log holds {count} entries, but {newest} were recorded outside the database"
        )
    if keyed_from is None:
        keyed_from = previous.keyed_from if previous else count + 1
    moment = (now or utcnow()).isoformat(timespec="seconds")
    point = chain.Checkpoint(count, last, moment, keyed_from)
    checkpoints.append(checkpoint_path(), point, signing_key())
    checkpoints.advance_head(head_path(), point, audit_key())
    return count, last


def rebaseline(now: datetime | None = None) -> tuple[int, str]:
    """After an operator restored a database backup on purpose (``flask restore``): a signed
    checkpoint saying so starts a new baseline at the restored log's head, and the head file is
    set to it, so the older log is not reported as rolled back. The checkpoint file keeps every
    earlier line, so the restore itself stays on record."""
    count, last = head()
    previous = checkpoints.latest(checkpoint_path(), signing_key().public_key())
    moment = (now or utcnow()).isoformat(timespec="seconds")
    keyed_from = previous.keyed_from if previous else 1
    point = chain.Checkpoint(count, last, moment, keyed_from, restored=True)
    checkpoints.append(checkpoint_path(), point, signing_key())
    checkpoints.advance_head(head_path(), point, audit_key(), reset=True)
    return count, last


@use_case
def daily_check(now: datetime | None = None) -> list[str]:
    """The scheduler's daily pass: verify the log; if intact write a signed checkpoint, if not
    log the kinds of problem (no content) and alert admins and coordinators."""
    problems = verify()
    if problems:
        log.error("access log check failed: %d problems; run 'audit verify'", len(problems))
        notifications.alert_operators("audit_alert")
    else:
        checkpoint(now)
    return problems


def case_reference(case_id: int) -> str:
    """How the log names a case: HMAC of its id under the case's own log key (made when first
    needed). Once the case is destroyed, with its key, nothing ties an entry to it."""
    key = db.session.scalar(select(Case.log_key).where(Case.id == case_id))
    if key is None:
        key = secrets.token_bytes(32)
        db.session.execute(update(Case).where(Case.id == case_id).values(log_key=key))
    return hmac.new(key, b"wellness case ref\0" + str(case_id).encode(), "sha256").hexdigest()


def entries_for_case(case_id: int) -> list[AccessLogEntry]:
    """The access log's entries about one case, oldest first: named by its keyed reference, or
    by its id in entries of earlier releases."""
    ref = case_reference(case_id)
    return list(
        db.session.scalars(
            select(AccessLogEntry)
            .where(or_(AccessLogEntry.case_ref == ref, AccessLogEntry.case_id == case_id))
            .order_by(AccessLogEntry.seq)
        )
    )


def latest_account_event(account_id: int) -> int:
    """The number of the newest account event about ``account_id`` (0: none)."""
    return (
        db.session.scalar(
            select(func.max(AccessLogEntry.seq)).where(AccessLogEntry.account_id == account_id)
        )
        or 0
    )


def account_events(limit: int = 30) -> list[AccessLogEntry]:
    """Role changes and resets, newest first (the coordinator's team page)."""
    return list(
        db.session.scalars(
            select(AccessLogEntry)
            .where(AccessLogEntry.account_id.is_not(None))
            .order_by(AccessLogEntry.seq.desc())
            .limit(limit)
        )
    )


def head() -> tuple[int, str]:
    """The number of entries and the MAC of the last one."""
    row = db.session.get(AuditHead, HEAD_ID)
    return (0, chain.GENESIS) if row is None else (row.seq, row.last_hash)
