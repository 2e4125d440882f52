"""The MAC on every row that decides who can read (keys/rows.py): written by the app at each
flush, over rows it trusts only, and checked where the rows are used."""

from sqlalchemy import update

from tests.factories import make_user
from wellness.accounts import service as accounts
from wellness.accounts.models import Role, User, UserRole
from wellness.extensions import db
from wellness.keys import rows, trust


def test_rows_the_app_writes_are_authentic(app, ctx):
    user = make_user("maria", Role.COORDINATOR)
    db.session.commit()
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert rows.authentic(user)
    assert all(rows.authentic(row) for row in user.role_rows)
    user.active = False  # the app changes a covered column: the MAC follows
    db.session.commit()
    db.session.expire_all()
    assert rows.authentic(db.session.get(User, user.id))


def test_a_row_changed_in_the_database_is_never_blessed_by_the_app_touching_it(app, ctx):
    user = make_user("jordan")
    with db.engine.begin() as conn:
        conn.execute(update(User).where(User.id == user.id).values(must_change_password=True))
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert not rows.authentic(user)
    user.active = False  # the app writes to the forged row...
    db.session.commit()
    db.session.expire_all()
    assert not rows.authentic(db.session.get(User, user.id))  # ...which stays forged
    assert user.id in {u.id for u, _ in rows.failing(User)}


def test_columns_left_out_change_nothing(app, ctx):
    user = make_user("jordan")
    with db.engine.begin() as conn:
        conn.execute(
            update(User).where(User.id == user.id).values(failed_logins=3, display_name="J")
        )
    db.session.expire_all()
    assert rows.authentic(db.session.get(User, user.id))


def test_a_role_row_written_into_the_database_holds_no_role(app, ctx):
    officer = make_user("sam")
    with db.engine.begin() as conn:
        conn.execute(UserRole.__table__.insert().values(user_id=officer.id, role="admin"))
    db.session.expire_all()
    officer = db.session.get(User, officer.id)
    assert officer.has_role(Role.ADMIN)  # the row is there...
    assert not trust.role_row_ok(officer, Role.ADMIN)  # ...and counts for nothing
    assert trust.role_row_ok(officer, Role.OFFICER)


def test_trust_as_is_is_the_only_way_to_bless_a_stored_row(app, ctx):
    """``keys adopt`` on an upgraded instance: the rows as they stand, once."""
    user = make_user("jordan")
    with db.engine.begin() as conn:
        conn.execute(update(User).where(User.id == user.id).values(row_mac=None))
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert not rows.authentic(user)
    rows.trust_as_is(user)
    db.session.commit()
    db.session.expire_all()
    assert rows.authentic(db.session.get(User, user.id))


def test_a_reset_keeps_the_row_authentic_and_enrolment_is_offered_only_then(app, ctx):
    admin = make_user("itadmin", Role.ADMIN)
    counselor = make_user("kelly", Role.COUNSELOR)
    accounts.reset_second_factor(counselor, admin)
    db.session.expire_all()
    counselor = db.session.get(User, counselor.id)
    assert rows.authentic(counselor)
    assert not counselor.totp_enrolled  # the reset, under the MAC, says enrol


def test_keys_adopt_gives_an_instance_of_the_last_release_its_row_key(app, ctx):
    import os
    import stat
    from pathlib import Path

    from wellness.accounts.models import LoginSession, RoleGrant
    from wellness.keys.models import RetiredUserKey

    coordinator = make_user("maria", Role.COORDINATOR)
    make_user("jordan")
    key_file = Path(app.instance_path, "keys", "rows.key")
    os.remove(key_file)  # as the last release left it: no row key, no MACs
    app.extensions["wellness_instance_keys"].pop("rows.key", None)
    with db.engine.begin() as conn:
        for model in (User, UserRole, RoleGrant, LoginSession, RetiredUserKey):
            conn.execute(update(model).values(row_mac=None))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["keys", "adopt"])
    assert result.exit_code == 0, result.output
    assert "Row key created" in result.output
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    db.session.expire_all()
    assert trust.endorsed(db.session.get(User, coordinator.id), Role.COORDINATOR)
    assert runner.invoke(args=["keys", "verify"]).exit_code == 0
    again = runner.invoke(args=["keys", "adopt"])
    assert again.exit_code != 0
    assert "nothing to adopt" in again.output
