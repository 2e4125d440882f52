"""The access log's head kept outside the database (audit/checkpoints.py, audit/service.py):
written after every commit that added entries, never before, never backwards."""

from __future__ import annotations

import threading

from sqlalchemy import text

from tests.factories import make_case, make_user, reader
from wellness.accounts.models import Role
from wellness.audit import chain, checkpoints
from wellness.audit import service as audit
from wellness.extensions import db
from wellness.keyring import audit_key


def seen():
    point = checkpoints.read_head(audit.head_path(), audit_key())
    return None if point is None else point.seq


def test_a_commit_moves_the_head_a_rollback_or_a_savepoint_does_not(app, ctx):
    start = seen()
    audit.record("server", None, None, "test", "one")
    with db.session.begin_nested():
        pass  # a savepoint released: nothing committed yet
    assert seen() == start
    db.session.rollback()
    assert seen() == start
    audit.record("server", None, None, "test", "two")
    db.session.commit()
    assert seen() == audit.head()[0]


def test_the_head_never_moves_back(tmp_path):
    key, path = b"k" * 32, tmp_path / "audit-head"
    assert checkpoints.advance_head(path, chain.Checkpoint(5, "e" * 64, "t"), key)
    assert not checkpoints.advance_head(path, chain.Checkpoint(3, "c" * 64, "t"), key)
    assert checkpoints.read_head(path, key).seq == 5


def test_an_altered_head_file_is_reported(app, ctx):
    audit.record("server", None, None, "test", "one")
    db.session.commit()
    with open(audit.head_path()) as handle:
        data = handle.read()
    with open(audit.head_path(), "w") as handle:
        handle.write(data.replace('"seq": ', '"seq": 1'))
    assert any("head file altered" in p for p in audit.verify())


def test_reads_while_people_write_never_report_false_tampering(app, ctx):
    """Readers and writers at once (threads, each its own session): the records outside are
    read before the database, and the database in one snapshot, so a commit landing in between
    never looks like a rollback."""
    people = {"officer": make_user("jordan"), "counselor": make_user("kelly", Role.COUNSELOR)}
    case = make_case(people["officer"], people["counselor"])
    db.session.commit()
    case_id, counselor_id = case.id, people["counselor"].id
    problems: list[str] = []
    stop = threading.Event()

    def write() -> None:
        from wellness.accounts.models import User
        from wellness.cases import service as cases

        with app.app_context():
            while not stop.is_set():
                cases.open_case(case_id, reader(db.session.get(User, counselor_id)), "page")
                db.session.remove()

    def check() -> None:
        import time

        deadline = time.monotonic() + 20
        with app.app_context():
            while audit.head()[0] < 40 and time.monotonic() < deadline:
                problems.extend(audit.verify())
                db.session.remove()

    writers = [threading.Thread(target=write) for _ in range(2)]
    for thread in writers:
        thread.start()
    checker = threading.Thread(target=check)
    checker.start()
    checker.join()
    stop.set()
    for thread in writers:
        thread.join()
    assert problems == []
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM access_log")).scalar_one() >= 40
