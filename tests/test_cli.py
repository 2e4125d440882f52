import stat
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from tests.conftest import create_pg_database, drop_pg_database, make_app
from wellness.accounts import service as accounts
from wellness.accounts.models import Role, User
from wellness.agency.models import Unit
from wellness.extensions import db


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fresh_app(request, tmp_path):
    """An app over an empty database and an empty instance folder, as on a new machine."""
    if request.param == "sqlite":
        yield make_app(tmp_path, f"sqlite:///{tmp_path / 'fresh.db'}")
        return
    url = create_pg_database("wellness_cli")
    app = make_app(tmp_path, url)
    yield app
    with app.app_context():
        db.engine.dispose()
    drop_pg_database(url)


def test_init_creates_schema_and_owner_only_keys(fresh_app):
    result = fresh_app.test_cli_runner().invoke(args=["init"])
    assert result.exit_code == 0, result.output
    keys = sorted(Path(fresh_app.instance_path, "keys").iterdir())
    assert [k.name for k in keys] == [
        "audit.key",
        "receipt.key",
        "recovery.pin",
        "rows.key",
        "server-0001.key",
        "signing.key",
    ]
    assert {stat.S_IMODE(k.stat().st_mode) for k in keys} == {0o600}
    assert stat.S_IMODE(Path(fresh_app.instance_path).stat().st_mode) == 0o700
    with fresh_app.app_context():
        assert {"users", "units", "user_roles"} <= set(inspect(db.engine).get_table_names())


def test_init_refuses_to_overwrite_existing_keys(fresh_app):
    runner = fresh_app.test_cli_runner()
    assert runner.invoke(args=["init"]).exit_code == 0
    key = Path(fresh_app.instance_path, "keys", "server-0001.key")
    before = key.read_bytes()
    second = runner.invoke(args=["init"])
    assert second.exit_code != 0
    assert "Refusing to overwrite keys" in second.output
    assert key.read_bytes() == before
    assert len(list(key.parent.iterdir())) == 6  # nothing added, nothing replaced


def test_demo_builds_an_agency_once(fresh_app):
    runner = fresh_app.test_cli_runner()
    runner.invoke(args=["init"])
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "coordinator" in result.output
    assert "admin" in result.output
    with fresh_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Unit)) >= 5
        counselors = db.session.scalars(select(User).where(User.counselor.has())).all()
        assert {c.counselor.supporter_type for c in counselors} == {"peer", "clinician", "chaplain"}
        for user in db.session.scalars(select(User)):
            assert not user.is_staff or accounts.totp_secret(user) in result.output
        roles = set().union(*(u.roles for u in db.session.scalars(select(User))))
        assert roles == set(Role)
        # The officer's side (issue 17): published profiles, public resources, the library.
        from wellness.directory import service as directory
        from wellness.library import service as library
        from wellness.program import configuration

        assert len(directory.published()) == 5
        assert {"families", "retirees"} <= set().union(*(p.serves for p in directory.published()))
        assert len(configuration.public_resources()) >= 6
        articles = library.published()
        assert {a.topic for a in articles} == set(library.TOPICS)
        assert all("Asking for help" in a.body or "ask" in a.body.lower() for a in articles)
        # Training (issue 18): the policy, three weeks of bulletins, some acknowledged/answered.
        from wellness.training import report as completion
        from wellness.training import service as training
        from wellness.training.models import BulletinAnswer, PolicyAcknowledgment

        assert training.current_policy().number == 1
        assert len(training.recent_bulletins(training.today())) == 15
        assert len(training.queued()) == 5
        acknowledged = db.session.scalar(select(func.count()).select_from(PolicyAcknowledgment))
        assert 0 < acknowledged < db.session.scalar(select(func.count()).select_from(User))
        assert db.session.scalar(select(func.count()).select_from(BulletinAnswer)) > 20
        report = completion.report(None, training.current_policy(), training.today(), 14)
        assert any(row.answered for row in report.rows)
        assert any(row.acknowledged_on is None for row in report.rows)
    page = fresh_app.test_client().get("/library/after-a-critical-incident")
    assert "call or text 988" in page.get_data(as_text=True)
    again = runner.invoke(args=["demo"])
    assert again.exit_code != 0
    assert "already has accounts" in again.output


def test_create_user_prints_a_one_time_password(fresh_app):
    runner = fresh_app.test_cli_runner()
    runner.invoke(args=["init"])
    result = runner.invoke(
        args=[
            "create-user",
            "Pat.Doe",
            "--name",
            "Pat Doe",
            "--role",
            "officer",
            "--role",
            "supervisor",
        ]
    )
    assert result.exit_code == 0, result.output
    with fresh_app.app_context():
        user = db.session.scalar(select(User).where(User.username == "pat.doe"))
        assert user.roles == {Role.OFFICER, Role.SUPERVISOR}
        assert user.must_change_password
    duplicate = runner.invoke(args=["create-user", "pat.doe", "--name", "X", "--role", "officer"])
    assert duplicate.exit_code != 0
    assert "already in use" in duplicate.output
    no_unit = runner.invoke(
        args=["create-user", "sam", "--name", "S", "--role", "officer", "--unit", "Nowhere"]
    )
    assert no_unit.exit_code != 0
    assert "no unit named" in no_unit.output


def test_units_roles_and_lost_credentials_from_the_command_line(fresh_app):
    runner = fresh_app.test_cli_runner()
    runner.invoke(args=["init"])
    runner.invoke(args=["create-user", "boss", "--name", "B", "--role", "supervisor"])
    runner.invoke(args=["create-user", "it", "--name", "I", "--role", "admin"])
    assert runner.invoke(args=["create-unit", "HQ", "--supervisor", "boss"]).exit_code == 0
    assert runner.invoke(args=["create-unit", "Patrol", "--parent", "HQ"]).exit_code == 0
    clash = runner.invoke(args=["create-unit", "Patrol"])
    assert clash.exit_code != 0
    assert "already has that name" in clash.output
    assert runner.invoke(args=["set-roles", "boss", "--role", "officer"]).exit_code == 0
    last_admin = runner.invoke(args=["set-roles", "it", "--role", "officer"])
    assert last_admin.exit_code != 0
    assert "last active admin" in last_admin.output
    assert "One-time password" in runner.invoke(args=["reset-password", "it"]).output
    assert runner.invoke(args=["reset-authenticator", "it"]).exit_code == 0
    with fresh_app.app_context():
        patrol = db.session.scalar(select(Unit).where(Unit.name == "Patrol"))
        assert patrol.parent.name == "HQ"
        assert patrol.parent.supervisor.username == "boss"
        assert accounts.find_user("boss").roles == {Role.OFFICER}
        assert accounts.find_user("it").must_change_password
    assert runner.invoke(args=["reset-password", "nobody"]).exit_code != 0


def test_every_demo_users_chain_of_command_is_what_the_unit_tree_says(fresh_app):
    """The demo's units were once built in one transaction with no ids yet, so Patrol Division
    and Patrol North had no parent and officer.north answered only to sgt.north."""
    from wellness import demo
    from wellness.agency import chain
    from wellness.agency import service as agency

    runner = fresh_app.test_cli_runner()
    runner.invoke(args=["init"])
    assert runner.invoke(args=["demo"]).exit_code == 0
    with fresh_app.app_context():
        names = dict(db.session.execute(select(Unit.id, Unit.name)).all())
        parent_of = {uid: pid for uid, pid in agency.parent_map().items()}
        assert {names[u]: names.get(p) for u, p in parent_of.items()} == demo.UNITS
        by_name = dict(db.session.execute(select(User.username, User.id)).all())
        expected_boss = {unit: by_name[user] for unit, user in demo.SUPERVISES.items()}

        def expected(unit: str) -> list[int]:
            line, at = [], unit
            while at is not None:
                boss = expected_boss.get(at)
                if boss is not None and boss not in line:
                    line.append(boss)
                at = demo.UNITS[at]
            return line

        for username, _, unit, _, _ in demo.PEOPLE:
            user = db.session.scalar(select(User).where(User.username == username))
            assert names[user.unit_id] == unit, username
            found = chain.supervisors_above(user.unit_id, parent_of, agency.supervisor_map())
            assert found == expected(unit), username
        north = db.session.scalar(select(User).where(User.username == "officer.north"))
        line = chain.supervisors_above(north.unit_id, parent_of, agency.supervisor_map())
        assert line == [by_name["sgt.north"], by_name["lt.patrol"], by_name["chief"]]
