"""Backup -> restore round trip on SQLite and PostgreSQL; damaged archives are refused."""

import contextvars
import io

import pytest
from sqlalchemy import func, select

from tests.conftest import create_pg_database, drop_pg_database, make_app
from tests.factories import make_unit, make_user, reader, self_referral
from wellness import backup
from wellness.accounts.models import Role, User
from wellness.agency.models import Unit
from wellness.cases import service as cases
from wellness.cases.models import Case
from wellness.crypto import archive, kdf
from wellness.extensions import db
from wellness.referrals import receipt_lookup

PASSPHRASE = "correct staple battery horse"


@pytest.fixture(autouse=True)
def migrated(app, ctx):
    """Tests build tables from the models; a backup also records the migration revision."""
    import flask_migrate

    flask_migrate.stamp()


def write_passphrase(tmp_path):
    path = tmp_path / "passphrase"
    path.write_text(PASSPHRASE)
    return str(path)


@pytest.fixture
def fresh(request, tmp_path, database_url):
    """A second, empty instance on the same kind of database, as on a replacement machine."""
    if database_url.startswith("sqlite"):
        url, cleanup = f"sqlite:///{tmp_path / 'restored.db'}", None
    else:
        url = create_pg_database("wellness_restore")
        cleanup = url
    app = make_app(tmp_path / "new", url)
    yield app
    with app.app_context():
        db.engine.dispose()
    if cleanup:
        drop_pg_database(cleanup)


def test_backup_then_restore_serves_every_case_as_before(app, ctx, fresh, tmp_path):
    hq = make_unit("HQ")
    boss = make_user("sgt", Role.SUPERVISOR, unit=hq)
    from wellness.agency import service as agency

    agency.save_unit(hq, "HQ", None, boss.id)  # the units <-> users cycle
    make_unit("Patrol", hq)
    officer, counselor = make_user("jordan", Role.OFFICER), make_user("kelly", Role.COUNSELOR)
    case, _ = self_referral(officer, text="MARKER-TEXT backed up")
    anon, code = self_referral(None, text="MARKER-ANON backed up")
    cases.post_message(case.id, reader(counselor), "MARKER-REPLY")
    passfile = write_passphrase(tmp_path)
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "backup",
            str(tmp_path / "db.bak"),
            "--keys-file",
            str(tmp_path / "keys.bak"),
            "--passphrase-file",
            passfile,
        ]
    )
    assert result.exit_code == 0, result.output
    raw = (tmp_path / "db.bak").read_bytes() + (tmp_path / "keys.bak").read_bytes()
    assert b"MARKER" not in raw
    assert b"jordan" not in raw  # even the directory is encrypted

    # Outside this test's app context, or the command would run against the first app.
    restored = contextvars.Context().run(
        fresh.test_cli_runner().invoke,
        args=[
            "restore",
            str(tmp_path / "db.bak"),
            "--keys-file",
            str(tmp_path / "keys.bak"),
            "--passphrase-file",
            passfile,
        ],
    )
    assert restored.exit_code == 0, restored.output
    with fresh.app_context():
        jordan = db.session.scalar(select(User).where(User.username == "jordan"))
        kelly = db.session.scalar(select(User).where(User.username == "kelly"))
        view = cases.open_case_page(case.id, reader(kelly), "after restore")
        assert view.content["text"] == "MARKER-TEXT backed up"
        assert view.messages[0].body == "MARKER-REPLY"
        assert cases.open_case(case.id, reader(jordan, as_owner=True), "mine")["text"]

        case_id, anonymous = receipt_lookup.open_by_receipt(code)
        assert cases.open_case(case_id, anonymous, "receipt")["text"] == "MARKER-ANON backed up"
        assert db.session.scalar(
            select(Unit.supervisor_id).where(Unit.name == "HQ")
        ) == db.session.scalar(select(User.id).where(User.username == "sgt"))
        # new rows after a restore get fresh ids (sequences were moved past the restored ones)
        assert self_referral(jordan)[0].id > max(case.id, anon.id)
        db.session.remove()
        # every account, role and session row still carries a MAC the restored row key checks,
        # and the access log verifies against the records outside the database
        runner = fresh.test_cli_runner()
        assert runner.invoke(args=["keys", "verify"]).exit_code == 0
        assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    db.session.remove()


def test_restoring_an_older_backup_in_place_starts_a_new_baseline(app, ctx, tmp_path):
    """An operator who puts an older database back on purpose gets a log that verifies (a
    signed 'restored' checkpoint says so), not a permanent 'rolled back' alarm; the same log put
    back by a database writer, without that checkpoint, is reported."""
    from wellness.audit import service as audit

    officer = make_user("jordan", Role.OFFICER)
    make_user("kelly", Role.COUNSELOR)
    case_id = self_referral(officer, text="MARKER-TEXT")[0].id

    def read(times: int) -> None:
        for _ in range(times):
            kelly = db.session.scalar(select(User).where(User.username == "kelly"))
            cases.open_case(case_id, reader(kelly), "case page")

    read(1)
    passfile = write_passphrase(tmp_path)
    runner = app.test_cli_runner()
    backup_args = ["backup", str(tmp_path / "db.bak"), "--passphrase-file", passfile]
    assert runner.invoke(args=backup_args).exit_code == 0
    read(3)
    db.session.remove()
    restore_args = ["restore", str(tmp_path / "db.bak"), "--passphrase-file", passfile]
    restored = contextvars.Context().run(runner.invoke, args=restore_args)
    assert restored.exit_code == 0, restored.output
    assert "new baseline" in restored.output
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    with open(audit.checkpoint_path()) as handle:
        assert '"restored": true' in handle.read()
    # Control: more reads, then the same older database put back without the operator's
    # restore (a database writer): reported as rolled back.
    read(3)
    db.session.remove()
    contextvars.Context().run(_restore_only, app, tmp_path / "db.bak")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "rolled back" in result.output


def _restore_only(app, path):
    with app.app_context():
        backup.restore(path, PASSPHRASE)


def damage(blob, how):
    if how == "flipped":
        return blob[:200] + bytes([blob[200] ^ 1]) + blob[201:]
    if how == "truncated":
        return blob[: len(blob) - 40]
    if how == "cut at a chunk":
        return blob[: len(archive.MAGIC) + 10]
    return blob + b"extra"


@pytest.mark.parametrize("how", ["flipped", "truncated", "cut at a chunk", "extended"])
def test_a_tampered_or_truncated_archive_is_refused_and_nothing_written(app, ctx, tmp_path, how):
    self_referral(make_user("jordan", Role.OFFICER), text="MARKER-TEXT")
    passfile = write_passphrase(tmp_path)
    runner = app.test_cli_runner()
    runner.invoke(args=["backup", str(tmp_path / "db.bak"), "--passphrase-file", passfile])
    bad = tmp_path / "bad.bak"
    bad.write_bytes(damage((tmp_path / "db.bak").read_bytes(), how))
    before = db.session.scalar(select(func.count()).select_from(Case))
    make_user("after.backup", Role.OFFICER)
    result = runner.invoke(args=["restore", str(bad), "--passphrase-file", passfile])
    assert result.exit_code != 0
    assert "nothing restored" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Case)) == before
    assert db.session.scalar(select(User).where(User.username == "after.backup")) is not None


def test_wrong_passphrase_is_refused(app, ctx, tmp_path):
    passfile = write_passphrase(tmp_path)
    runner = app.test_cli_runner()
    runner.invoke(args=["backup", str(tmp_path / "db.bak"), "--passphrase-file", passfile])
    other = tmp_path / "other"
    other.write_text("a different long passphrase")
    result = runner.invoke(
        args=["restore", str(tmp_path / "db.bak"), "--passphrase-file", str(other)]
    )
    assert result.exit_code != 0
    assert "passphrase is wrong" in result.output


@pytest.mark.parametrize("size", [0, 1, archive.CHUNK - 1, archive.CHUNK, 2 * archive.CHUNK + 7])
def test_archive_round_trip_and_every_damage_detected(size):
    params = kdf.new_params(1, 1024, 1)
    data = bytes(i % 251 for i in range(size))
    sealed = io.BytesIO()
    archive.encrypt_stream(io.BytesIO(data), sealed, PASSPHRASE, params)
    blob = sealed.getvalue()
    out = io.BytesIO()
    archive.decrypt_stream(io.BytesIO(blob), out, PASSPHRASE)
    assert out.getvalue() == data
    for how in ["truncated", "extended"]:
        with pytest.raises(archive.ArchiveError):
            archive.decrypt_stream(io.BytesIO(damage(blob, how)), io.BytesIO(), PASSPHRASE)
