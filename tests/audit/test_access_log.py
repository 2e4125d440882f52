"""The access log through the app: every read appended, and `audit verify` catches tampering."""

import pytest
from sqlalchemy import text

from tests.factories import make_case, make_user, reader
from wellness.accounts.models import Role
from wellness.audit import service as audit
from wellness.cases import service as cases
from wellness.extensions import db


@pytest.fixture
def three_reads(ctx):
    officer, counselor = make_user("jordan", Role.OFFICER), make_user("kelly", Role.COUNSELOR)
    case = make_case(officer, counselor)
    for _ in range(3):
        cases.open_case(case.id, reader(counselor), "case page")
    return case


def verify_cli(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def test_intact_log_verifies_and_writes_a_signed_checkpoint(app, three_reads):
    result = verify_cli(app)
    assert result.exit_code == 0, result.output
    assert "intact" in result.output
    with open(audit.checkpoint_path(), encoding="utf-8") as handle:
        last = handle.read().splitlines()[-1]
    assert '"seq": 3' in last
    assert '"sig": ' in last


def test_an_edit_is_detected_and_named(app, three_reads):
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE access_log SET reason = 'nothing to see' WHERE seq = 2"))
    result = verify_cli(app)
    assert result.exit_code != 0
    assert "altered: entry 2 does not carry a valid MAC" in result.output


def test_a_deleted_row_is_detected_and_named(app, three_reads):
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM access_log WHERE seq = 2"))
    result = verify_cli(app)
    assert result.exit_code != 0
    assert "deleted: entries 2..2 are missing" in result.output


def test_a_deleted_last_row_is_detected(app, three_reads):
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM access_log WHERE seq = 3"))
    assert "deleted from the end" in verify_cli(app).output


def test_an_inserted_row_is_detected_and_named(app, three_reads):
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE access_log SET seq = seq + 1 WHERE seq >= 3"))
        row = conn.execute(text("SELECT * FROM access_log WHERE seq = 2")).mappings().one()
        conn.execute(
            text(
                "INSERT INTO access_log (seq, at, actor_kind, actor_id, case_id, action, reason,"
                " prev_hash, entry_hash, mac_version) VALUES (3, :at, 'counselor', 99, :case,"
                " 'read', 'forged', :prev, :hash, 2)"
            ),
            {"at": row["at"], "case": row["case_id"], "prev": row["entry_hash"], "hash": "f" * 64},
        )
        conn.execute(text("UPDATE audit_head SET seq = seq + 1"))
    result = verify_cli(app)
    assert result.exit_code != 0
    assert "altered: entry 3 does not carry a valid MAC" in result.output
    assert "inserted or deleted: entry 4 does not follow the one before" in result.output


def test_entries_for_a_case_come_in_order(app, three_reads):
    assert audit.verify() == []
    assert [e.seq for e in audit.entries_for_case(three_reads.id)] == [1, 2, 3]


def test_admin_page_shows_the_verification_result(app, three_reads):
    from tests.factories import login

    admin = app.test_client()
    login(admin, make_user("itadmin", Role.ADMIN))
    assert "Intact: all 3 entries" in admin.get("/admin/audit").get_data(as_text=True)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE access_log SET actor_id = 77 WHERE seq = 1"))
    page = admin.get("/admin/audit").get_data(as_text=True)
    assert "tampered with" in page
    assert "altered: entry 1 does not carry a valid MAC" in page
    assert "MARKER" not in page
