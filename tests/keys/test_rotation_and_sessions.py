import pytest
from sqlalchemy import func, select

from tests.factories import PASSWORD, login, make_case, make_user, post, reader, totp_code
from wellness.accounts import service as accounts
from wellness.accounts import sessions
from wellness.accounts.models import LoginSession, Role, User
from wellness.cases import service as cases
from wellness.crypto import serverkeys
from wellness.crypto.errors import DecryptionError
from wellness.crypto.fields import USER_TOTP
from wellness.extensions import db
from wellness.keyring import key_dir


def test_rotation_re_encrypts_every_server_field_and_retires_the_old_key(app, ctx):
    counselor = make_user("kelly", Role.COUNSELOR)
    officer = make_user("jordan", Role.OFFICER)
    case = make_case(officer, counselor)
    # one value of every class-B kind: TOTP secret, e-mail address, reminder token, outbox row
    from datetime import timedelta

    from wellness.checkins import service as checkins
    from wellness.checkins.models import CheckIn
    from wellness.notifications import mail
    from wellness.timeutil import utcnow

    accounts.set_email_address(officer, "jordan@example.org")
    mail.queue("kelly@example.org", "message")
    db.session.commit()
    checkin = checkins.schedule(case.id, reader(counselor), [utcnow() + timedelta(days=1)])[0]
    secret = accounts.totp_secret(counselor)
    old_token = counselor.totp_secret
    result = app.test_cli_runner().invoke(args=["rotate-keys"])
    assert result.exit_code == 0, result.output
    assert "Server key 2 is active; 5 values re-encrypted; retired keys: [1]" in result.output
    db.session.expire_all()
    assert accounts.email_address(db.session.get(User, officer.id)) == "jordan@example.org"
    token = db.session.get(CheckIn, checkin.id).notify_token
    assert token.startswith("sk2.2.")
    assert mail.send_outbox(utcnow(), mail.ConsoleMailer()) == 1  # the address still opens
    assert list(serverkeys.key_files(key_dir())) == [2]
    db.session.expire_all()
    counselor = db.session.get(User, counselor.id)
    assert counselor.totp_secret.startswith("sk2.2.")
    assert accounts.totp_secret(counselor) == secret
    with pytest.raises(serverkeys.ServerKeyError):  # the old key is gone for good
        serverkeys.load(key_dir()).decrypt(old_token, USER_TOTP.context(counselor.id))
    # Everything else still works: sign-in with the second factor, and case content.
    client = app.test_client()
    login(client, counselor, code=totp_code(counselor))
    assert client.get("/account").status_code == 200
    assert cases.open_case(case.id, reader(counselor), "after rotation")["text"]


def test_session_holds_the_key_wrapped_neither_half_opens_it_alone(app, ctx):
    officer = make_user("jordan", Role.OFFICER)
    client = app.test_client()
    login(client, officer)
    with client.session_transaction() as cookie:
        sid, session_key = cookie["sid"], cookie["skey"]
    private = reader(officer).private_key
    assert db.session.get(LoginSession, sid) is None  # the row is found by a hash of the id only
    row = db.session.scalars(select(LoginSession)).one()
    assert private not in row.wrapped_private_key  # the database copy holds only the wrapped key
    assert sessions.session_private_key(sid, session_key) == private  # both halves together
    with pytest.raises(DecryptionError):  # the database copy with a guessed cookie key
        sessions.session_private_key(sid, bytes(32))
    post(client, "/logout", token_from="/account")
    db.session.expunge_all()  # forget what this test's own session cached
    with pytest.raises(DecryptionError):  # the stolen cookie after sign-out
        sessions.session_private_key(sid, session_key)


def test_pending_second_factor_session_signs_nobody_in(app, ctx):
    make_user("kelly", Role.COUNSELOR)
    client = app.test_client()
    post(client, "/login", {"username": "kelly", "password": PASSWORD})
    rows = db.session.scalars(select(LoginSession)).all()
    assert [r.verified for r in rows] == [False]
    assert client.get("/account").status_code == 302


def test_abandoned_and_idle_sessions_are_purged_at_the_next_sign_in(app, ctx):
    from datetime import timedelta

    from wellness.timeutil import frozen_at, utcnow

    make_user("kelly", Role.COUNSELOR)
    officer = make_user("jordan", Role.OFFICER)
    start = utcnow()
    with frozen_at(start):
        post(app.test_client(), "/login", {"username": "kelly", "password": PASSWORD})
        login(app.test_client(), officer)
    assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 2
    with frozen_at(start + timedelta(minutes=31)):
        login(app.test_client(), officer)
    db.session.expunge_all()
    assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 1


def test_the_scheduler_purges_idle_sessions_with_nobody_signing_in(app, ctx):
    from datetime import timedelta

    from wellness.jobs import run_named
    from wellness.timeutil import frozen_at, utcnow

    officer = make_user("jordan", Role.OFFICER)
    start = utcnow()
    with frozen_at(start):
        login(app.test_client(), officer)
    with frozen_at(start + timedelta(minutes=31)):
        assert run_named("sessions", utcnow()) == {"sessions purged": 1}
    assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 0


def test_every_server_key_value_the_flows_write_is_one_rotation_moves(app, ctx):
    """Fill the database through the real flows (requests of every kind, check-ins, notice
    addresses, e-mails, an authenticator), then read every text column of every table: each
    value in the server-key format belongs to a registered field (crypto.fields), so rotation
    re-encrypts it, and every registered field was seen."""
    from datetime import timedelta

    from sqlalchemy import String, Text

    from tests.factories import self_referral
    from wellness.checkins import service as checkins
    from wellness.crypto.fields import SERVER_FIELDS
    from wellness.keys.rotation import model_of
    from wellness.notifications import mail
    from wellness.referrals import service as referrals
    from wellness.timeutil import utcnow

    counselor = make_user("kelly", Role.COUNSELOR)
    make_user("maria", Role.COORDINATOR)
    officer = make_user("jordan", Role.OFFICER)
    accounts.set_email_address(officer, "jordan@example.org")
    case, _ = self_referral(officer)
    checkins.schedule(case.id, reader(counselor), [utcnow() + timedelta(days=1)])
    accounts.save_counselor_profile(counselor, available=False)  # the next ones wait in queue
    referrals.submit_concern(
        referrals.ConcernReport(officer, ["sleep"], "tired", "routine"), reader(counselor)
    )
    mail.queue("kelly@example.org", "message")
    from wellness.notifications import push

    browser_key = (
        "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
    )
    subscription = {
        "endpoint": "https://fcm.googleapis.com/fcm/send/x",
        "keys": {"p256dh": browser_key},
    }
    subscription["keys"]["auth"] = "tBHItJI5svbpez7KI4CCXg"
    push.subscribe(officer.id, push.parse(subscription))
    db.session.commit()

    seen = set()
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, String | Text):
                continue
            values = db.session.execute(select(column).where(column.like("sk%.%"))).scalars()
            if any(serverkeys.is_token(v) for v in values):
                seen.add((table.name, column.name))
    registered = {(f.table, f.column) for f in SERVER_FIELDS}
    assert seen == registered
    for field in SERVER_FIELDS:  # and rotation finds each one's rows
        assert model_of(field).__tablename__ == field.table
