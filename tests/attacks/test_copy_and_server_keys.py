"""Attacker: someone with a copy of the database *and* the instance folder (server keys, the
secret key): SECURITY.md, threat model "database + server configuration"."""

import os
import secrets
from pathlib import Path

from sqlalchemy import select

from tests.attacks.conftest import as_time, dump_tables
from tests.factories import login, make_user
from wellness.accounts import sessions
from wellness.accounts.models import LoginSession, Role
from wellness.crypto.fields import TOTP_STATE
from wellness.extensions import db


def forged_client(app, values):
    """A browser whose session cookie the attacker signed with the stolen secret key."""
    cookie = app.session_interface.get_signing_serializer(app).dumps(values)
    client = app.test_client()
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    return client


def test_database_and_secret_key_cannot_hijack_a_live_session(app, ctx):
    officer = make_user("jordan", Role.OFFICER)
    victim = app.test_client()
    login(victim, officer)
    assert victim.get("/account").status_code == 200
    row = db.session.scalars(select(LoginSession)).one()
    attempts = [
        # the row's id as the cookie's session id, any key
        {"sid": row.id, "skey": secrets.token_bytes(32), "_user_id": str(officer.id)},
        # the tag and wrapped key are there, but the session key never was
        {"sid": row.id, "skey": row.user_tag, "_user_id": str(officer.id)},
        {"_user_id": str(officer.id), "_fresh": True},
    ]
    for values in attempts:
        assert forged_client(app, values).get("/account").status_code == 302
    assert victim.get("/account").status_code == 200  # the real browser is unaffected


def test_no_session_row_says_whose_it_is_even_with_the_server_keys(app, ctx):
    people = [make_user(f"officer{i}", Role.OFFICER) for i in range(3)]
    cookies = []
    for person in people:
        client = app.test_client()
        login(client, person)
        with client.session_transaction() as cookie:
            cookies.append(cookie["skey"])
    stolen = dump_tables()["login_sessions"]
    assert len(stolen) == 3
    assert not {"user_id", "created_at"} & set(stolen[0])  # no account, no start time
    tags = {row["user_tag"] for row in stolen}
    # With the session key (only ever in the browser) a tag names its account...
    assert {sessions._tag(key, person) for key, person in zip(cookies, people, strict=True)} == tags
    # ...with every key the instance folder holds, and the secret key, nothing matches.
    keydir = os.path.join(app.instance_path, "keys")
    candidates = [entry.read_bytes() for entry in map(Path, os.scandir(keydir)) if entry.is_file()]
    candidates.append(app.config["SECRET_KEY"].encode())
    guesses = {sessions._tag(key, person) for key in candidates for person in people}
    assert not guesses & tags
    assert all(as_time(row["last_seen_at"]).second == 0 for row in stolen)  # to the minute


def test_a_staff_sign_in_leaves_no_time_the_server_keys_can_read(app, ctx):
    """The authenticator's last step is a sign-in time: sealed to the person, not to the
    server, under a handle only their key derives, so even with the instance folder it says
    nothing about when they signed in; and signing in does not write their account row."""
    from sqlalchemy import select

    from wellness.accounts.models import AuthenticatorStep, User
    from wellness.crypto import envelope
    from wellness.keys import service as keys

    counselor = make_user("kelly", Role.COUNSELOR)
    db.session.expire_all()
    before = {c: getattr(db.session.get(User, counselor.id), c) for c in ("row_mac", "totp_secret")}
    login(app.test_client(), counselor)
    db.session.expire_all()
    counselor = db.session.get(User, counselor.id)
    assert {c: getattr(counselor, c) for c in before} == before  # the account row: untouched
    state = db.session.scalars(select(AuthenticatorStep.box)).one()
    assert isinstance(state, bytes)  # not a server-key token
    assert envelope.version_of(state) == "hybrid"  # HPKE, to the person's own key
    private = keys.unlock(counselor, "correct horse battery")
    assert envelope.open_sealed(state, private, TOTP_STATE.context(counselor.id)).isdigit()


def test_what_an_officer_does_leaves_clear_times_only_to_the_hour(app, ctx):
    from sqlalchemy import select

    from tests.factories import reader, self_referral
    from wellness.audit.models import AccessLogEntry
    from wellness.cases import service as cases
    from wellness.cases.models import Case
    from wellness.referrals import mine

    officer = make_user("jordan", Role.OFFICER)
    make_user("kelly", Role.COUNSELOR)
    case, _ = self_referral(officer, text="MARKER")
    cases.open_case(case.id, reader(officer, as_owner=True), "my referrals page")
    db.session.expire_all()
    made = db.session.get(Case, case.id).created_at
    assert (made.minute, made.second, made.microsecond) == (0, 0, 0)
    case_id = case.id
    mine.withdraw(case_id, reader(officer, as_owner=True))  # leaves no row, so no time at all
    db.session.expunge_all()
    assert db.session.get(Case, case_id) is None
    for entry in db.session.scalars(select(AccessLogEntry)):
        assert (entry.at.minute, entry.at.second) == (0, 0)
