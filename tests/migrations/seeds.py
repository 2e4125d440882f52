"""Representative rows for each revision's schema, written with SQLAlchemy Core against the tables
as that revision left them (reflected), never through today's models: the schema differs by
revision. Every table gets rows and every column a value somewhere, so that a migration that
loses or changes one is noticed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

REVISIONS = [
    "0001",
    "0002",
    "0003",
    "0004",
    "0005",
    "0006",
    "0007",
    "0008",
    "0009",
    "0010",
    "0011",
    "0012",
    "0013",
    "0014",
    "0015",
]

T = datetime(2025, 3, 5, 14, 0, tzinfo=UTC)
# A creation time to the microsecond, as releases before 0008 kept them (0008 keeps the hour).
EXACT = datetime(2025, 3, 5, 14, 37, 12, 345678, tzinfo=UTC)

Row = dict[str, Any]


def insert(conn: Connection, table: str, *rows: Row) -> int | None:
    """Insert rows into ``table`` as the current revision has it; the last row's id."""
    reflected = sa.Table(table, sa.MetaData(), autoload_with=conn)
    new_id = None
    for row in rows:
        new_id = conn.execute(reflected.insert().values(**row)).inserted_primary_key[0]
    serial_id = "id" in reflected.c and isinstance(reflected.c.id.type, sa.Integer)
    if conn.dialect.name == "postgresql" and serial_id:
        # Rows given their ids leave the sequence behind; the app's own rows would not have.
        serial = sa.func.pg_get_serial_sequence(table, "id")
        highest = sa.select(sa.func.max(reflected.c.id)).scalar_subquery()
        conn.execute(sa.select(sa.func.setval(serial, highest)))
    return new_id


def user(uid: int, name: str, **later: Any) -> Row:
    """A user with every column of 0001 filled; ``later`` adds the columns of later revisions."""
    return {
        "id": uid,
        "username": name,
        "display_name": name.title(),
        "unit_id": 2,
        "active": True,
        "password_hash": f"$argon2id$v=19$m=65536,t=3,p=4${name}",
        "must_change_password": False,
        "failed_logins": uid,
        "locked_until": T,
        "totp_secret": f"sealed-totp-{name}",
        "totp_last_step": 58_000_000 + uid,
        "public_key": bytes([uid]) * 32,
        "wrapped_private_key": bytes([uid]) * 72,
        "key_kdf": "argon2id$t=3$m=65536$p=4",
        "recovery_sealed_key": bytes([uid + 100]) * 80,
        "case_index": bytes([uid + 50]) * 64,
        "created_at": T,
        **later,
    }


def user_since_0008(uid: int, name: str, **later: Any) -> Row:
    """0008 dropped the clear last sign-in step and added signatures and a session epoch."""
    row = user(uid, name, email_token=f"sealed-address-{name}", case_index=None)
    del row["totp_last_step"]
    return row | {"key_signature": b"\x5a" * 64, "session_epoch": bytes([uid]) * 16, **later}


def case(cid: int, **later: Any) -> Row:
    """An open case with every column of 0001 filled; ``later`` adds later revisions' columns."""
    return {
        "id": cid,
        "kind": "self_referral",
        "status": "open",
        "urgency": "soon",
        "assignee_id": 1,
        "created_at": T,
        "closed_at": None,
        "content": bytes([cid]) * 300,
        "shredded_at": None,
        **later,
    }


SINCE_0002 = {"contacted_at": T, "routing_summary": "Routed by the rules: lowest caseload"}
SINCE_0003 = SINCE_0002 | {"accepted_at": T, "escalated_at": T, "outcome": None}
SINCE_0004 = SINCE_0003 | {"incident_id": 1}


def access(entry: int, case_id: int | None, **later: Any) -> Row:
    return {
        "id": entry,
        "seq": entry,
        "at": T,
        "actor_kind": "counselor",
        "actor_id": 1,
        "case_id": case_id,
        "action": "open",
        "reason": "case page",
        "prev_hash": f"{entry - 1}" * 64,
        "entry_hash": f"{entry}" * 64,
        **later,
    }


def seed_0001(conn: Connection) -> None:
    """Units, people, a counselor, keys, an open case and a shredded one, the access log."""
    insert(
        conn,
        "units",
        {"id": 1, "name": "Patrol", "parent_id": None, "supervisor_id": None},
        {"id": 2, "name": "Patrol North", "parent_id": 1, "supervisor_id": None},
    )
    insert(conn, "users", user(1, "kelly"), user(2, "jordan"))
    conn.execute(sa.text("UPDATE units SET supervisor_id = 2 WHERE id = 2"))
    insert(
        conn, "user_roles", {"user_id": 1, "role": "counselor"}, {"user_id": 2, "role": "officer"}
    )
    insert(
        conn,
        "counselor_profiles",
        {
            "user_id": 1,
            "supporter_type": "peer",
            "specialties": ["sleep", "critical incident"],
            "languages": ["en", "es"],
            "available": True,
            "on_call": False,
            "caseload_cap": 8,
        },
    )
    session = {"created_at": T, "last_seen_at": T, "verified": True}
    insert(
        conn,
        "login_sessions",
        {"id": "a" * 64, "user_id": 1, "wrapped_private_key": b"\x07" * 72, **session},
    )
    insert(
        conn,
        "retired_user_keys",
        {
            "id": 1,
            "user_id": 1,
            "public_key": b"\x08" * 32,
            "recovery_sealed_key": b"\x18" * 80,
            "case_index": b"\x28" * 64,
            "retired_at": T,
            "restored_at": T,
        },
    )
    insert(conn, "recovery_keys", {"id": 1, "public_key": b"\x09" * 32, "created_at": T})
    insert(conn, "audit_head", {"id": 1, "seq": 2, "last_hash": "2" * 64})
    shredded = {"status": "closed", "closed_at": T, "content": None, "shredded_at": T}
    insert(conn, "cases", case(1, created_at=EXACT), case(2, kind="concern", **shredded))
    insert(
        conn,
        "case_keys",
        {"id": 1, "case_id": 1, "holder": "user", "user_id": 1, "sealed_key": b"\x31" * 96},
        {"id": 2, "case_id": 1, "holder": "owner", "user_id": None, "sealed_key": b"\x32" * 96},
        {"id": 3, "case_id": 1, "holder": "recovery", "user_id": None, "sealed_key": b"\x33" * 96},
    )
    insert(conn, "access_log", access(1, 1), access(2, 1, actor_kind="owner", actor_id=None))


def seed_0002(conn: Connection) -> None:
    """A contacted case with its thread, its receipt and a notice."""
    insert(conn, "cases", case(3, **SINCE_0002))
    insert(
        conn,
        "messages",
        {
            "id": 1,
            "case_id": 3,
            "sender": "counselor",
            "counselor_id": 1,
            "created_at": T,
            "body": b"\x41" * 120,
        },
    )
    insert(
        conn,
        "receipts",
        {"case_id": 3, "tag": 4242, "kdf": "argon2id$t=3", "public_key": b"\x0a" * 32},
    )
    insert(
        conn,
        "notifications",
        {
            "id": 1,
            "user_id": 1,
            "kind": "new_referral",
            "case_id": 3,
            "created_at": T,
            "read_at": T,
        },
    )


def seed_0003(conn: Connection) -> None:
    """A closed case with its timeline, a note and an answered check-in; the e-mail outbox,
    plans and resources; a coordinator with a notice address."""
    insert(conn, "users", user(3, "maria", email_token="sealed-address-maria"))
    insert(
        conn,
        "cases",
        case(4, **(SINCE_0003 | {"status": "closed", "closed_at": T, "outcome": "resolved"})),
    )
    insert(conn, "case_events", {"id": 1, "case_id": 4, "at": T, "actor_id": 1, "kind": "accepted"})
    insert(
        conn,
        "notes",
        {"id": 1, "case_id": 4, "author_id": 1, "created_at": T, "body": b"\x42" * 90},
    )
    insert(
        conn,
        "check_ins",
        {
            "id": 1,
            "case_id": 4,
            "due_at": T,
            "status": "answered",
            "notify_token": "sealed-notify-token",
            "sent_at": T,
            "answered_at": T,
            "answer": b"\x43" * 60,
            "created_by": 1,
            "created_at": T,
        },
    )
    insert(
        conn,
        "outbox",
        {
            "id": 1,
            "to_token": "sealed-address-maria",
            "kind": "checkin",
            "created_at": T,
            "claimed_at": T,
            "sent_at": T,
            "attempts": 1,
        },
    )
    insert(
        conn,
        "plan_templates",
        {"id": 1, "name": "After a critical incident", "offsets_hours": "24,72,168"},
    )
    insert(
        conn,
        "resources",
        {
            "id": 1,
            "name": "Employee assistance program",
            "kind": "eap",
            "contact": "555-0100",
            "notes": "Twenty-four hours",
            "active": True,
        },
    )


def seed_0004(conn: Connection) -> None:
    """A critical incident with a member's case; a case archived for the statistics."""
    insert(
        conn,
        "incidents",
        {
            "id": 1,
            "kind": "officer-involved shooting",
            "occurred_on": date(2025, 3, 1),
            "plan_offsets_hours": "24,72,168",
            "member_count": 2,
            "created_by": 3,
            "created_at": T,
        },
    )
    insert(conn, "cases", case(5, **SINCE_0004))
    insert(
        conn,
        "archived_cases",
        {
            "id": 1,
            "created_month": "2025-02",
            "kind": "concern",
            "urgency": "routine",
            "first_contact_minutes": 42.5,
        },
    )


def seed_0005(conn: Connection) -> None:
    insert(conn, "index_inbox", {"id": 1, "box": b"\x44" * 128})


def seed_0006(conn: Connection) -> None:
    insert(conn, "cases", case(6, **SINCE_0004))


def seed_0007(conn: Connection) -> None:
    insert(conn, "cases", case(7, **(SINCE_0004 | {"urgency": "crisis"})))


def seed_0008(conn: Connection) -> None:
    """What 0008 added: signed keys, endorsed roles, role grants, unlinkable sessions and
    indexes, class-B case times, access-log entries about accounts, a keyed head."""
    insert(conn, "users", user_since_0008(4, "renee", totp_state="sealed-step-renee"))
    insert(conn, "user_roles", {"user_id": 4, "role": "counselor", "endorsement": b"\x51" * 64})
    insert(
        conn,
        "role_grants",
        {
            "id": 1,
            "user_id": 4,
            "role": "counselor",
            "proposed_by": 2,
            "proposed_at": T,
            "decided_by": 3,
            "decided_at": T,
            "outcome": "confirmed",
        },
    )
    insert(
        conn,
        "login_sessions",
        {
            "id": "b" * 64,
            "user_tag": b"\x52" * 32,
            "last_seen_at": T,
            "verified": True,
            "wrapped_private_key": b"\x53" * 72,
            "enrol_secret": b"\x54" * 32,
        },
    )
    insert(conn, "case_indexes", {"handle": b"\x55" * 32, "box": b"\x56" * 128})
    insert(conn, "cases", case(8, times="sealed-times", **SINCE_0004))
    insert(
        conn,
        "access_log",
        access(3, 8, mac_version=2),
        access(4, None, action="password reset", account_id=4, mac_version=2),
    )
    conn.execute(sa.text("UPDATE audit_head SET seq = 4, mac = :mac"), {"mac": "m" * 64})
    insert(
        conn,
        "retired_user_keys",
        {
            "id": 2,
            "user_id": 4,
            "public_key": b"\x57" * 32,
            "recovery_sealed_key": b"\x58" * 80,
            "case_index": None,
            "retired_at": T,
            "restored_at": None,
        },
    )


def seed_0009(conn: Connection) -> None:
    """The agency's own words; a signed role grant; a sealed authenticator step."""
    insert(conn, "users", user_since_0008(5, "ana", totp_state=b"\x61" * 48))
    insert(
        conn,
        "agency_texts",
        {"key": "limits", "body": "What we must report.", "updated_at": T, "updated_by": 3},
    )
    grant = {"user_id": 5, "role": "coordinator", "proposed_by": 2, "proposed_at": T}
    insert(conn, "role_grants", {"id": 2, "signature": b"\x62" * 64, **grant})


def seed_0010(conn: Connection) -> None:
    """A frozen release; a case with its log key and its clear coordinators; a keyed entry."""
    figures = {"referrals": 12, "concerns": "fewer than 5"}
    insert(
        conn,
        "releases",
        {"id": 1, "period": "2025-02", "made_at": T, "epsilon": 1.0, "figures": figures},
    )
    later = SINCE_0004 | {"times": "sealed-times", "log_key": b"\x71" * 32, "leads": "sealed"}
    insert(conn, "cases", case(9, **later))
    insert(conn, "access_log", access(5, None, mac_version=2, case_ref="r" * 64))


def seed_0011(conn: Connection) -> None:
    """A page held for one display, and a form's used one-time token."""
    insert(conn, "held_pages", {"id": "h" * 64, "box": b"\x01" * 48, "created_at": T})
    insert(conn, "used_tokens", {"id": "u" * 64, "at": T})


def seed_0012(conn: Connection) -> None:
    """A library article, a push subscription and a published profile with a photo (the other
    new columns are filled by their defaults on rows earlier seeds made)."""
    article = {"id": 1, "slug": "sleep", "title": "Sleep", "topic": "sleep", "summary": ""}
    article |= {"body": "# Sleep", "published": True, "updated_at": T, "updated_by": 1}
    insert(conn, "articles", article)
    subscription = {"id": 1, "user_id": 1, "endpoint_hash": "e" * 64, "box": "sk1.push-token"}
    insert(conn, "push_subscriptions", subscription | {"created_at": T})
    conn.execute(
        sa.text("UPDATE counselor_profiles SET photo = :photo, published = :yes"),
        {"photo": b"\xff\xd8 a photo", "yes": True},
    )


def seed_0013(conn: Connection) -> None:
    """A policy version acknowledged and reminded, a published bulletin answered, and one
    queued."""
    version = {"id": 1, "number": 1, "title": "Asking for help", "body": "## Purpose"}
    version |= {"changes": "First version.", "published_on": date(2025, 3, 5), "published_by": 1}
    insert(conn, "policy_versions", version)
    insert(
        conn,
        "policy_acknowledgments",
        {"user_id": 1, "version_id": 1, "acknowledged_on": date(2025, 3, 6)},
    )
    insert(conn, "policy_reminders", {"user_id": 1, "version_id": 1, "sent_on": date(2025, 3, 19)})
    bulletin = {"topic": "backup", "situation": "Alone at a disturbance.", "question": "What now?"}
    bulletin |= {"answers": ["Go in", "Ask for backup"], "correct": 1, "why": "Section 1."}
    bulletin |= {"ask": "Ask your supervisor."}
    insert(
        conn,
        "bulletins",
        bulletin | {"id": 1, "position": 1, "title": "Backup", "published_on": date(2025, 3, 5)},
    )
    insert(
        conn,
        "bulletins",
        bulletin | {"id": 2, "position": 2, "title": "Queued", "published_on": None},
    )
    insert(
        conn, "bulletin_answers", {"user_id": 1, "bulletin_id": 1, "answered_on": date(2025, 3, 5)}
    )


def seed_0014(conn: Connection) -> None:
    """A MAC on every row of the five tables (as `keys adopt` writes them), and a step."""
    for table in ("users", "user_roles", "role_grants", "login_sessions", "retired_user_keys"):
        conn.execute(sa.text(f"UPDATE {table} SET row_mac = :mac"), {"mac": b"m" * 32})  # noqa: S608
    insert(conn, "authenticator_steps", {"handle": b"h" * 32, "box": b"a sealed step"})


def seed_0015(conn: Connection) -> None:
    """The daily jobs ran on one day."""
    insert(conn, "daily_runs", {"day": date(2025, 3, 5), "started_at": T})


SEEDS: dict[str, Callable[[Connection], None]] = {
    "0001": seed_0001,
    "0002": seed_0002,
    "0003": seed_0003,
    "0004": seed_0004,
    "0005": seed_0005,
    "0006": seed_0006,
    "0007": seed_0007,
    "0008": seed_0008,
    "0009": seed_0009,
    "0010": seed_0010,
    "0011": seed_0011,
    "0012": seed_0012,
    "0013": seed_0013,
    "0014": seed_0014,
    "0015": seed_0015,
}
