"""Each migration step, up and down, keeps the data already stored (SQLite and PostgreSQL).

The database is built one revision at a time with representative rows written at each
(``tests/migrations/seeds.py``); then one step is taken, up and back down, and every value stored
before must still be there, except what the step changes on purpose (declared below, and
checked for what it becomes)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from itertools import pairwise
from typing import Any

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from tests.conftest import make_app
from tests.migrations.seeds import REVISIONS, SEEDS, T, insert
from wellness.extensions import db

Tables = dict[str, list[dict[str, Any]]]

EVERY_ROW = "every row"
# What a step changes on purpose, going up and coming back down; all else must come through.
CHANGED_ON_PURPOSE: dict[str, dict[str, set[str] | str]] = {
    "0008": {
        "login_sessions": EVERY_ROW,  # they named their account: rebuilt, everyone signs in again
        "users": {"totp_last_step"},  # a sign-in time in clear: dropped
        "cases": {"created_at"},  # clear creation times are kept to the hour
    },
    "0009": {"users": {"totp_state"}},  # was class B: a few seconds of replay protection lost
    "0014": {"users": {"totp_state"}},  # moved off the account row: the same few seconds lost
}


def build_up_to(revision: str) -> None:
    """Upgrade one revision at a time from empty, writing that revision's rows at each."""
    for step in REVISIONS[: REVISIONS.index(revision) + 1]:
        upgrade(revision=step)
        seed(step)


def seed(revision: str) -> None:
    with db.engine.begin() as conn:
        SEEDS[revision](conn)


def stored() -> Tables:
    """Every row of every table, in primary-key order, read through the reflected schema."""
    meta = sa.MetaData()
    with db.engine.connect() as conn:
        meta.reflect(conn)
        return {
            name: [
                dict(row)
                for row in conn.execute(sa.select(table).order_by(*table.primary_key)).mappings()
            ]
            for name, table in meta.tables.items()
            if name != "alembic_version"
        }


def assert_every_column_holds_a_value(tables: Tables, at: str) -> None:
    """The seeds leave no table empty and no column always NULL: nothing goes unchecked."""
    for name, rows in tables.items():
        assert rows, f"at {at}, {name} has no rows to carry through"
        empty = [column for column in rows[0] if all(row[column] is None for row in rows)]
        assert not empty, f"at {at}, no row of {name} holds a value in {empty}"


def assert_kept(before: Tables, after: Tables, revision: str, step: str) -> None:
    """Every value stored before ``step`` is still there, but what ``revision`` changes on
    purpose."""
    on_purpose = CHANGED_ON_PURPOSE.get(revision, {})
    for name, rows in before.items():
        changed = on_purpose.get(name, set())
        if changed == EVERY_ROW:
            continue
        assert name in after, f"{step}: table {name} is gone"
        assert len(after[name]) == len(rows), f"{step}: {name} lost or gained rows"
        for old, new in zip(rows, after[name], strict=True):
            kept = {column: value for column, value in old.items() if column not in changed}
            assert {column: new.get(column, "<column gone>") for column in kept} == kept, (
                f"{step}: {name}"
            )


def to_the_hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def routing_summary_is_empty_for_earlier_cases(before: Tables, after: Tables) -> None:
    assert {(c["routing_summary"], c["contacted_at"]) for c in after["cases"]} == {("", None)}


def untrusted_storage_backfills(before: Tables, after: Tables) -> None:
    epochs = [u["session_epoch"] for u in after["users"]]
    assert all(len(epoch) == 16 for epoch in epochs)
    assert len(set(epochs)) == len(epochs)  # each account its own
    assert [c["created_at"] for c in after["cases"]] == [
        to_the_hour(c["created_at"]) for c in before["cases"]
    ]
    assert to_the_hour(before["cases"][0]["created_at"]) != before["cases"][0]["created_at"]
    assert {e["mac_version"] for e in after["access_log"]} == {1}
    assert after["login_sessions"] == []
    assert all("totp_last_step" not in u for u in after["users"])


def authenticator_steps_are_dropped(before: Tables, after: Tables) -> None:
    assert any(u["totp_state"] for u in before["users"])
    assert [u["totp_state"] for u in after["users"]] == [None] * len(after["users"])


def every_case_gets_its_own_log_key(before: Tables, after: Tables) -> None:
    keys = [c["log_key"] for c in after["cases"]]
    assert len(keys) == len(before["cases"])
    assert all(isinstance(key, bytes) and len(key) == 32 for key in keys)
    assert len(set(keys)) == len(keys)
    assert {c["leads"] for c in after["cases"]} == {None}
    assert {e["case_ref"] for e in after["access_log"]} == {None}
    assert after["releases"] == []


AFTER_UPGRADE: dict[str, Callable[[Tables, Tables], None]] = {
    "0002": routing_summary_is_empty_for_earlier_cases,
    "0008": untrusted_storage_backfills,
    "0009": authenticator_steps_are_dropped,
    "0010": every_case_gets_its_own_log_key,
}


def test_every_revision_has_rows_to_carry(tmp_path):
    """A new revision fails here until seeds.py writes rows for its schema."""
    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'unused.db'}")
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
    chain = [script.revision for script in ScriptDirectory.from_config(config).walk_revisions()]
    assert chain[::-1] == REVISIONS == list(SEEDS)


def test_every_step_up_and_back_down_keeps_the_data(empty_app):
    """One walk from empty to head: at each revision its rows are written, then the next step
    is taken up, back down and up again, with everything stored checked each time."""
    with empty_app.app_context():
        build_up_to(REVISIONS[0])
        for before, after in pairwise(REVISIONS):
            held = stored()
            assert_every_column_holds_a_value(held, before)
            upgrade(revision=after)
            upgraded = stored()
            assert_kept(held, upgraded, after, f"{before} up to {after}")
            AFTER_UPGRADE.get(after, lambda *_: None)(held, upgraded)
            downgrade(revision=before)
            assert_kept(held, stored(), after, f"{after} down to {before}")
            upgrade(revision=after)
            seed(after)
        assert_every_column_holds_a_value(stored(), REVISIONS[-1])


def test_0008_can_be_undone_after_it_has_stored_rows_of_its_own(empty_app):
    """Rows 0008's release writes (a retired key whose index moved out, an account event that
    names no case) hold NULL where 0007 had NOT NULL: going back keeps them, and every value
    of the tables and columns 0007 has."""
    with empty_app.app_context():
        build_up_to("0008")
        held = stored()
        downgrade(revision="0007")
        after = stored()
        schema = sa.inspect(db.engine)
        gone = {"case_indexes", "role_grants", "login_sessions"}  # 0008's own; sessions rebuilt
        older = {  # what 0007's schema can hold: its tables, their columns
            name: [{c: v for c, v in row.items() if c in columns} for row in rows]
            for name, rows in held.items()
            if name not in gone
            for columns in [{column["name"] for column in schema.get_columns(name)}]
        }
        assert_kept(older, after, "0008", "0008 down to 0007")


def new_case(conn: sa.Connection) -> int:
    row = {"kind": "concern", "status": "new", "urgency": "routine", "created_at": T}
    return insert(conn, "cases", row)


def destroy_newest_then_add_a_case() -> tuple[int, int]:
    with db.engine.begin() as conn:
        newest = conn.scalar(sa.text("SELECT max(id) FROM cases"))
        conn.execute(sa.text("DELETE FROM cases WHERE id = :id"), {"id": newest})
        return newest, new_case(conn)


def test_a_new_case_never_takes_the_id_of_a_destroyed_one_after_upgrading(empty_app):
    """0006 makes SQLite's cases table AUTOINCREMENT: an id once used (and perhaps written
    down outside the case, in a receipt, a log or a counselor's memory) is never handed out
    again, also for the cases the database already held."""
    with empty_app.app_context():
        build_up_to("0005")
        upgrade()
        destroyed, new = destroy_newest_then_add_a_case()
        assert new > destroyed
        with db.engine.connect() as conn:
            keys = conn.scalar(sa.text("SELECT count(*) FROM case_keys WHERE case_id = 1"))
        assert keys == 3  # rebuilding the table took no case's keys with it


def test_control_before_0006_sqlite_handed_out_a_destroyed_cases_id_again(tmp_path):
    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'control.db'}")
    with app.app_context():
        build_up_to("0005")
        destroyed, new = destroy_newest_then_add_a_case()
        assert new == destroyed
        db.engine.dispose()
