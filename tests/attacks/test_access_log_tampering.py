"""Attacker: a database writer rewriting the access log to hide who read what. Each way of
doing it makes ``flask audit verify`` exit 1 and name the kind of tampering."""

import hashlib

import pytest
from sqlalchemy import text

from tests.attacks.conftest import as_time
from tests.factories import make_case, reader, self_referral
from wellness import scheduler
from wellness.accounts.models import Role
from wellness.audit import chain
from wellness.audit import service as audit
from wellness.audit.models import AccessLogEntry
from wellness.cases import lifecycle
from wellness.cases import service as cases
from wellness.extensions import db
from wellness.keyring import audit_key
from wellness.notifications.models import Notification


@pytest.fixture
def five_reads(app, agency_people):
    case = make_case(agency_people["officer"], agency_people["counselor"])
    for _ in range(5):
        cases.open_case(case.id, reader(agency_people["counselor"]), "case page")
    return case


def verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def rows() -> list[dict]:
    with db.engine.connect() as conn:
        return [
            dict(r._mapping) for r in conn.execute(text("SELECT * FROM access_log ORDER BY seq"))
        ]


def rehash_unkeyed(entries: list[dict], start: int) -> None:
    """What an attacker without the key can do: keep the entries before ``start``, renumber,
    relink and re-hash the rest with a key of their own, and set the head to match."""
    prev = entries[start - 2]["entry_hash"] if start > 1 else chain.GENESIS
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM access_log WHERE seq >= :s"), {"s": start})
        for seq, row in enumerate(entries[start - 1 :], start):
            link = chain.Link(
                seq,
                as_time(row["at"]),
                row["actor_kind"],
                row["actor_id"],
                row["case_id"],
                row["action"],
                row["reason"],
                prev,
                "",
                row["account_id"],
                2,
            )
            digest = chain.entry_hash(link, hashlib.sha256(b"a guess").digest())
            conn.execute(
                text(
                    "INSERT INTO access_log (seq, at, actor_kind, actor_id, case_id, account_id,"
                    " action, reason, prev_hash, entry_hash, mac_version) VALUES (:seq, :at,"
                    " :actor_kind, :actor_id, :case_id, :account_id, :action, :reason, :prev,"
                    " :hash, 2)"
                ),
                {**row, "seq": seq, "prev": prev, "hash": digest},
            )
            prev = digest
        conn.execute(
            text("UPDATE audit_head SET seq = :seq, last_hash = :hash, mac = :mac"),
            {"seq": len(entries), "hash": prev, "mac": "0" * 64},
        )


def test_an_edited_entry(app, five_reads):
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE access_log SET actor_id = 999 WHERE seq = 3"))
    result = verify(app)
    assert result.exit_code == 1
    assert "altered: entry 3 does not carry a valid MAC" in result.output


def test_a_deleted_middle_entry_with_rehashed_successors(app, five_reads):
    entries = rows()
    del entries[2]
    rehash_unkeyed(entries, start=3)
    result = verify(app)
    assert result.exit_code == 1
    assert "rewritten: entries from 3 on were re-hashed without the key" in result.output
    assert "head rewritten" in result.output


def test_a_cut_tail_with_a_rewritten_head(app, five_reads):
    entries = rows()
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM access_log WHERE seq > 3"))
        conn.execute(
            text("UPDATE audit_head SET seq = 3, last_hash = :h"), {"h": entries[2]["entry_hash"]}
        )
    result = verify(app)
    assert result.exit_code == 1
    assert "head rewritten: the log's head does not carry a valid MAC" in result.output


def test_a_cut_tail_with_a_genuine_older_head_is_caught_by_the_checkpoint(app, five_reads):
    three = rows()[:3]
    old_head = {"seq": 3, "hash": three[2]["entry_hash"]}
    old_mac = chain.head_mac(3, three[2]["entry_hash"], _key())
    assert verify(app).exit_code == 0  # writes a checkpoint at 5 entries
    with db.engine.begin() as conn:  # an older copy of the log and its head, restored
        conn.execute(text("DELETE FROM access_log WHERE seq > 3"))
        conn.execute(
            text("UPDATE audit_head SET seq = :seq, last_hash = :hash, mac = :mac"),
            {**old_head, "mac": old_mac},
        )
    result = verify(app)
    assert result.exit_code == 1
    assert "rolled back: the head (3 entries) is older than the checkpoint" in result.output
    assert "cut: entry 5, recorded by the checkpoint" in result.output


def test_a_wiped_log_while_cases_exist(app, five_reads, agency_people):
    cases.post_message(five_reads.id, reader(agency_people["counselor"]), "MARKER reply")
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM access_log"))
        conn.execute(
            text("UPDATE audit_head SET seq = 0, last_hash = :g, mac = :m"),
            {"g": chain.GENESIS, "m": chain.head_mac(0, chain.GENESIS, _key())},
        )
    result = verify(app)
    assert result.exit_code == 1
    assert "wiped: the log is empty, yet cases show that people have opened them" in result.output


def test_a_wiped_log_is_caught_by_the_last_checkpoint_too(app, five_reads):
    scheduler.daily(app)  # the scheduler's daily pass writes a checkpoint
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM access_log"))
        conn.execute(text("DELETE FROM audit_head"))
    result = verify(app)
    assert result.exit_code == 1
    assert "wiped: the log is empty but held 5 entries" in result.output


def test_the_daily_check_alerts_admins_and_coordinators(app, five_reads, agency_people):
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE access_log SET reason = 'nothing' WHERE seq = 2"))
    scheduler.daily(app)
    told = set(
        db.session.scalars(
            db.select(Notification.user_id).where(Notification.kind == "audit_alert")
        )
    )
    assert {agency_people["admin"].id, agency_people["coordinator"].id} <= told


def test_reading_who_a_case_is_about_for_a_conflict_check_is_logged(app, agency_people):
    case, _ = self_referral(agency_people["officer"], text="MARKER-CONFLICT")
    holder = next(p for p in agency_people.values() if p.id == case.assignee_id)
    other = next(
        p for k, p in agency_people.items() if k.startswith("counselor") and p is not holder
    )
    before = db.session.query(AccessLogEntry).count()
    lifecycle.transfer(case.id, reader(holder), other)
    entries = db.session.query(AccessLogEntry).order_by(AccessLogEntry.seq).all()[before:]
    assert [(e.actor_id, e.reason) for e in entries] == [
        (holder.id, "conflict check before handing the case on")
    ]
    assert audit.verify() == []


def _key() -> bytes:
    return audit_key()


def test_a_refused_hand_off_still_logs_the_read_it_took(app, agency_people):
    from wellness.cases.models import Case

    case, _ = self_referral(agency_people["officer"], text="MARKER-REFUSED")
    holder = next(p for p in agency_people.values() if p.id == case.assignee_id)
    from tests.factories import make_user

    in_unit = make_user("peer.north2", Role.COUNSELOR, unit=agency_people["officer"].unit)
    before = db.session.query(AccessLogEntry).count()
    with pytest.raises(lifecycle.LifecycleError, match="works in the subject's unit"):
        lifecycle.transfer(case.id, reader(holder), in_unit)
    db.session.rollback()
    entries = db.session.query(AccessLogEntry).order_by(AccessLogEntry.seq).all()[before:]
    assert [e.reason for e in entries] == ["conflict check before handing the case on"]
    assert db.session.get(Case, case.id).assignee_id == holder.id


def test_a_rollback_newer_than_the_last_checkpoint_is_caught_by_the_head(
    app, five_reads, agency_people
):
    """Issue 23: the log put back to an earlier genuine state that is *newer* than the last
    checkpoint (its entries and its head, both real) passed, and verify then checkpointed it.
    The head each commit writes outside the database catches it, and nothing blesses it."""
    assert verify(app).exit_code == 0  # a checkpoint at 5 entries
    counselor = reader(agency_people["counselor"])
    cases.open_case(five_reads.id, counselor, "case page")
    with db.engine.connect() as conn:  # the attacker's copy at 6 entries, head and all
        head = dict(conn.execute(text("SELECT * FROM audit_head")).one()._mapping)
    for _ in range(4):
        cases.open_case(five_reads.id, counselor, "case page")
    with db.engine.begin() as conn:  # 4 entries of reads undone, the genuine head of then
        conn.execute(text("DELETE FROM access_log WHERE seq > 6"))
        conn.execute(
            text("UPDATE audit_head SET seq = :seq, last_hash = :last_hash, mac = :mac"), head
        )
    with open(audit.checkpoint_path()) as handle:
        written = handle.read()
    result = verify(app)
    assert result.exit_code == 1
    assert "rolled back: the head (6 entries) is older than the head this instance wrote" in (
        result.output
    )
    assert "cut: entry 10, recorded by the head this instance wrote" in result.output
    with open(audit.checkpoint_path()) as handle:
        assert handle.read() == written  # verify blessed nothing
    with pytest.raises(audit.RolledBackError):
        audit.checkpoint()
    scheduler.daily(app)
    told = set(
        db.session.scalars(
            db.select(Notification.user_id).where(Notification.kind == "audit_alert")
        )
    )
    assert {agency_people["admin"].id, agency_people["coordinator"].id} <= told


def test_the_control_without_the_head_file_the_same_rollback_passes(app, five_reads, agency_people):
    """Control: remove the head file (as before issue 23) and the same rollback goes unseen,
    so the test above is the head file's doing."""
    import os

    assert verify(app).exit_code == 0
    counselor = reader(agency_people["counselor"])
    cases.open_case(five_reads.id, counselor, "case page")
    with db.engine.connect() as conn:
        head = dict(conn.execute(text("SELECT * FROM audit_head")).one()._mapping)
    for _ in range(4):
        cases.open_case(five_reads.id, counselor, "case page")
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM access_log WHERE seq > 6"))
        conn.execute(
            text("UPDATE audit_head SET seq = :seq, last_hash = :last_hash, mac = :mac"), head
        )
    os.remove(audit.head_path())
    assert verify(app).exit_code == 0
