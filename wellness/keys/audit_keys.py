"""Checking every stored key against what the database cannot forge, and counting what is
still sealed the classical way: ``flask keys verify`` and ``flask keys status``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select

from wellness.accounts.models import CASE_ROLES, LoginSession, Role, RoleGrant, User, UserRole
from wellness.audit import service as audit
from wellness.cases.models import CaseKey
from wellness.crypto import envelope, keypairs
from wellness.extensions import db
from wellness.keyring import has_row_key, pinned_recovery_key
from wellness.keys import rows, trust
from wellness.keys.models import CaseIndex, IndexInbox, RecoveryKey, RetiredUserKey
from wellness.referrals.models import Receipt
from wellness.transaction import use_case


@dataclass
class KeyReport:
    problems: list[str] = field(default_factory=list)  # a failing row: planted or altered
    notes: list[str] = field(default_factory=list)  # expected states worth knowing


def verify_keys() -> KeyReport:
    """Every recovery key row against the pin, every account key and endorsement against the
    signing key, every account, role, proposal, session and retired-key row against its MAC. A
    problem is a row the database alone could have produced."""
    report = KeyReport()
    if not has_row_key():
        report.problems.append(
            "the row key is missing (instance/keys/rows.key): restore the keys archive, or run "
            "'flask --app wellness keys adopt' once after upgrading"
        )
        return report
    _check_rows(report)
    pinned = pinned_recovery_key()
    if pinned is None:
        report.problems.append("the recovery key is not pinned (instance/keys/recovery.pin)")
    rows = db.session.scalars(select(RecoveryKey).order_by(RecoveryKey.id)).all()
    for row in rows:
        if row.public_key != pinned:
            report.problems.append(f"recovery_keys id={row.id}: not the pinned recovery key")
    if pinned is not None and not any(row.public_key == pinned for row in rows):
        report.problems.append("recovery_keys: the pinned recovery key's row is missing")
    for user in db.session.scalars(select(User).order_by(User.id)):
        _check_user(user, report)
    return report


def _describe(obj: object) -> str:
    if isinstance(obj, User):
        return f"users id={obj.id} ({obj.username})"
    if isinstance(obj, UserRole):
        return f"user_roles user_id={obj.user_id} role={obj.role}"
    if isinstance(obj, LoginSession):
        return f"login_sessions id={obj.id[:12]}…"
    return f"{type(obj).__tablename__} id={obj.id}"  # type: ignore[attr-defined]


def _check_rows(report: KeyReport) -> None:
    for model in rows.COVERED:
        for obj, why in rows.failing(model):
            report.problems.append(f"{_describe(obj)}: {why}")


def _check_user(user: User, report: KeyReport) -> None:
    where = f"users id={user.id} ({user.username})"
    if user.must_change_password:
        if user.key_signature is not None:
            report.problems.append(f"{where}: a one-time-password key carries a signature")
        report.notes.append(f"{where}: waiting for them to choose their own password")
    elif not trust.own_key_ok(user):
        report.problems.append(f"{where}: public key signature does not verify")
    for row in user.role_rows:
        if row.role not in CASE_ROLES:
            continue
        if row.endorsement is None:
            report.notes.append(f"{where}: {row.role} waiting for a coordinator's confirmation")
        elif user.has_role(Role.ADMIN):
            report.problems.append(f"{where}: an admin account holds an endorsed {row.role} role")
        elif not trust.endorsed(user, row.role):
            report.problems.append(f"{where}: {row.role} endorsement does not verify")


def box_status() -> dict[str, Counter[str]]:
    """How many stored keys and sealed boxes are hybrid (post-quantum) or still classical."""
    status: dict[str, Counter[str]] = {}
    status["account keys"] = Counter(_kind(k) for k in db.session.scalars(select(User.public_key)))
    status["recovery key"] = Counter(
        _kind(k) for k in db.session.scalars(select(RecoveryKey.public_key))
    )
    status["receipt keys"] = Counter(
        _kind(k) for k in db.session.scalars(select(Receipt.public_key))
    )
    status["case keys (sealed boxes)"] = Counter(
        envelope.version_of(b) for b in db.session.scalars(select(CaseKey.sealed_key))
    )
    status["private keys sealed to recovery"] = Counter(
        envelope.version_of(b)
        for b in [
            *db.session.scalars(select(User.recovery_sealed_key)),
            *db.session.scalars(select(RetiredUserKey.recovery_sealed_key)),
        ]
    )
    status["case indexes"] = Counter(
        _index_kind(b)
        for b in [
            *db.session.scalars(select(CaseIndex.box)),
            *db.session.scalars(select(IndexInbox.box)),
            *db.session.scalars(select(User.case_index).where(User.case_index.is_not(None))),
        ]
    )
    return status


def _kind(public: bytes) -> str:
    return "hybrid" if keypairs.is_hybrid(public) else "classical"


def _index_kind(blob: bytes) -> str:
    # An index is a sequence of length-prefixed boxes; the first box's version says it.
    return envelope.version_of(blob[4:5]) if len(blob) > 4 else "unknown"


def classical_count(status: dict[str, Counter[str]]) -> int:
    """How many keys and boxes counted by ``box_status`` are not hybrid yet."""
    return sum(n for counts in status.values() for kind, n in counts.items() if kind != "hybrid")


@use_case
def daily_check() -> list[str]:
    """The scheduler's daily pass: the same checks as ``keys verify``; on a problem, an error
    line without content and a content-free alert to admins and coordinators, so a planted
    row is told even if nobody runs the command."""
    problems = verify_keys().problems
    if problems:
        trust.report_failure(f"the daily key check found {len(problems)} problems")
    return problems


@use_case
def trust_current_rows() -> int:
    """``keys adopt``, once, when an instance of an earlier release gets its row key: write
    the MAC of every account, role, proposal, session and retired-key row as it stands (trust
    on first use, like the signatures). Returns how many rows."""
    count = 0
    for user in db.session.scalars(select(User)):  # as current as the log says
        user.event_seq = audit.latest_account_event(user.id)
        for row in user.role_rows:
            row.event_seq = user.event_seq
    for grant in db.session.scalars(select(RoleGrant)):
        grant.event_seq = grant.user.event_seq
    for model in rows.COVERED:
        for obj in db.session.scalars(select(model)):
            rows.trust_as_is(obj)
            count += 1
    return count


@use_case
def endorse_existing() -> list[str]:
    """``keys adopt`` (upgrading an earlier release): sign every account's key and endorse the
    case roles people already hold. Trust on first use, once; returns what was left out."""
    skipped = []
    for user in db.session.scalars(select(User).order_by(User.id)):
        if user.must_change_password:
            continue
        trust.sign_own_key(user)
        for row in list(user.role_rows):
            if row.role not in CASE_ROLES:
                continue
            if user.has_role(Role.ADMIN):
                skipped.append(f"{user.username}: admin and {row.role} (left unconfirmed)")
                continue
            trust.endorse(user, row.role)
    return skipped
