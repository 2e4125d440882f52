"""E-mail: an outbox in the database, sent by the scheduler. The text names no one and nothing.

Rows are written in the same transaction as what they announce, and deleted once sent, so no
list of who was e-mailed lingers. Delivery is at least once: a crash between the SMTP server's
acceptance and the row's deletion can repeat one e-mail, never lose it.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr
from typing import Protocol

from flask import current_app
from sqlalchemy import case, delete, insert, or_, select, update

from wellness.checkins.models import Outbox
from wellness.crypto import fields
from wellness.extensions import db
from wellness.keyring import decrypt_field, encrypt_field
from wellness.logsafe import describe_exception
from wellness.notifications import push
from wellness.timeutil import floor_hour, utcnow

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)

SUBJECT = "Something is waiting for you"


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class ConsoleMailer:
    """Development and single-box default: logs that a message went, never to whom or what."""

    def send(self, message: EmailMessage) -> None:
        log.info("e-mail handed to the console backend (%d bytes)", len(message.as_bytes()))


class SmtpMailer:
    def __init__(self, host: str, port: int, tls: str, username: str, password: str) -> None:
        self.host, self.port, self.tls = host, port, tls
        self.username, self.password = username, password

    def send(self, message: EmailMessage) -> None:
        context = ssl.create_default_context()
        if self.tls == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, context=context, timeout=20)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=20)
        with smtp:
            if self.tls == "starttls":
                smtp.starttls(context=context)
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message)


def mailer_from_config() -> Mailer:
    """The mailer MAIL_BACKEND names: SMTP with the SMTP_* settings, or else the console."""
    cfg = current_app.config
    if cfg["MAIL_BACKEND"] == "smtp":
        return SmtpMailer(
            cfg["SMTP_HOST"],
            int(cfg["SMTP_PORT"]),
            cfg["SMTP_TLS"],
            cfg["SMTP_USERNAME"],
            cfg["SMTP_PASSWORD"],
        )
    return ConsoleMailer()


def queue(address: str, kind: str) -> None:
    """Add an e-mail to the outbox (committed with the caller's transaction)."""
    queue_many([address], kind)


def queue_many(addresses: list[str], kind: str) -> None:
    """Add one e-mail per address to the outbox: one batched insert, one batched update.

    Each address is encrypted with its row id as associated data, so the rows are inserted
    first (ids returned in order) and their addresses written in one batched update.
    """
    if not addresses:
        return
    # The rows are alike until their address is written, so any pairing of the returned ids
    # with the addresses is right: no need for SQLAlchemy's ordered RETURNING, which on SQLite
    # would insert row by row.
    ids = db.session.scalars(
        insert(Outbox).returning(Outbox.id),
        [{"to_token": "", "kind": kind, "created_at": floor_hour(utcnow())} for _ in addresses],
    ).all()
    db.session.execute(
        update(Outbox),
        [
            {
                "id": row_id,
                "to_token": encrypt_field(fields.OUTBOX_TO, row_id, address.encode()),
            }
            for row_id, address in zip(ids, addresses, strict=True)
        ],
    )


# Every e-mail says the same, whatever it announces: a mail administrator, or someone reading
# over a shoulder, learns nothing (not a crisis, not a check-in, not a case). What it is and how
# urgent waits in the app, behind sign-in.
TEXT = "Something is waiting for you. Please sign in to see it."


# Writers of the few e-mails that are not notices: ``kind`` prefix -> (subject, text), or None
# to send the neutral notice instead. Only the training bulletin and policy reminders register
# one (wellness.training.emails): agency material sent alike to every member.
Writer = Callable[[str], tuple[str, str] | None]
_WRITERS: dict[str, Writer] = {}


def register_writer(prefix: str, writer: Writer) -> None:
    """Have e-mails whose kind is ``prefix:…`` written by ``writer``."""
    _WRITERS[prefix] = writer


def compose(address: str, kind: str = "") -> EmailMessage | None:
    """The one e-mail every notice sends: fixed subject and text and a link to the app, nothing
    else. A kind with a registered writer (training material) is written by it; None if what it
    announced is gone (nothing is sent then, rather than a notice about nothing)."""
    cfg = current_app.config
    prefix, _, _ = kind.partition(":")
    if prefix in _WRITERS and ":" in kind:
        written = _WRITERS[prefix](kind)
        if written is None:
            return None
        subject, text = written
    else:
        subject = SUBJECT
        text = (
            f"{TEXT}\n\n{cfg['BASE_URL']}\n\n"
            "This message is sent automatically and says nothing more on purpose.\n"
        )
    message = EmailMessage()
    message["From"] = formataddr((cfg["MAIL_SENDER_NAME"], cfg["MAIL_FROM"]))
    message["To"] = address
    message["Subject"] = subject
    message.set_content(text)
    return message


BULK = 2


def _rank(kind: str) -> int:
    """Sending order: notices by e-mail, then pushes, then the bulk training e-mails (a day's
    bulletin to every member must never hold back a crisis page)."""
    if kind == push.KIND:
        return 1
    return BULK if kind.partition(":")[0] in _WRITERS and ":" in kind else 0


def _rank_in_sql():  # type: ignore[no-untyped-def]
    bulk = [Outbox.kind.startswith(prefix + ":") for prefix in sorted(_WRITERS)]
    whens = [(Outbox.kind == push.KIND, 1)] + ([(or_(*bulk), BULK)] if bulk else [])
    return case(*whens, else_=0)


def _notice_waiting() -> bool:
    """A notice or push nobody has claimed yet (checked before each bulk e-mail)."""
    waiting = select(Outbox.id).where(
        Outbox.sent_at.is_(None), Outbox.claimed_at.is_(None), _rank_in_sql() < BULK
    )
    return db.session.scalar(waiting.limit(1)) is not None


def _release(row_ids: list[int]) -> None:
    """Hand claimed rows back unsent, as if never claimed."""
    db.session.execute(
        update(Outbox)
        .where(Outbox.id.in_(row_ids))
        .values(claimed_at=None, attempts=Outbox.attempts - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def send_outbox(now: datetime, mailer: Mailer, batch: int = 50) -> int:
    """Claim and send waiting e-mails, then pushes (a slow push service never holds an e-mail
    back), then training e-mails (``_rank``); a claim older than the lease is taken over. What
    a row is comes from its kind (a push row's is always "push"), never from the address
    someone typed; one row failing in any way stops no other."""
    pending = (
        select(Outbox.id)
        .where(
            Outbox.sent_at.is_(None),
            or_(Outbox.claimed_at.is_(None), Outbox.claimed_at < now - LEASE),
        )
        .order_by(_rank_in_sql(), Outbox.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    claimed = db.session.execute(
        update(Outbox)
        .where(Outbox.id.in_(pending))
        .values(claimed_at=now, attempts=Outbox.attempts + 1)
        .returning(Outbox.id, Outbox.to_token, Outbox.kind, Outbox.attempts)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    sent = 0
    in_order = sorted(claimed, key=lambda r: (_rank(r.kind), r.id))
    for index, (row_id, token, kind, attempts) in enumerate(in_order):
        if _rank(kind) == BULK and _notice_waiting():
            # A notice came in while training e-mails were going: hand the rest back, so the
            # next pass sends the notice first (a crisis page waits for no bulletin).
            _release([row.id for row in in_order[index:]])
            break
        try:
            address = decrypt_field(fields.OUTBOX_TO, row_id, token)
            if kind == push.KIND:  # a browser's push, not an e-mail: the same words
                done = push.send(address, TEXT, attempts)
            else:
                done = _email(row_id, address.decode(), kind, mailer)
        except Exception as exc:  # noqa: BLE001  one bad row must not stop the rest
            db.session.rollback()
            log.error("notice %d failed: %s", row_id, describe_exception(exc))
            done = attempts >= push.MAX_ATTEMPTS  # given up in the end, like a push
        if not done:
            continue
        db.session.execute(delete(Outbox).where(Outbox.id == row_id))
        db.session.commit()
        sent += 1
    return sent


def _email(row_id: int, address: str, kind: str, mailer: Mailer) -> bool:
    message = compose(address, kind)
    if message is None:
        return True  # what it announced is gone: nothing to send, the row is done
    try:
        mailer.send(message)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("e-mail %d not sent (%s); it will be retried", row_id, type(exc).__name__)
        return False
    return True
