"""Attacker: someone who can write the database (not the instance folder) and wants an account
that reads new cases (issue 23, second round). SECURITY.md, threat model: "database write
access".

The attack that worked before rows carried the instance's MAC, step by step:

1. insert a whole account row with a known password hash and ``must_change_password``; sign in
   and choose a password, so the server signs a fresh key for a row it never created;
2. insert a counselor role row for it;
3. swap the coordinator's wrapped private key, password hash and KDF for the attacker's, and
   NULL the authenticator, so sign-in sends the account to a fresh enrolment;
4. as that coordinator, confirm the planted account with its safety code;
5. put the coordinator's columns back; new cases then went to the planted account.

Each step now fails or is caught, on SQLite and PostgreSQL, and no case is ever sealed to the
planted key. With the Flask secret key as well, an inserted session row signed nobody in either.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets

import pytest
from sqlalchemy import insert, select, update

from tests.attacks.test_database_writer import alerted, opens_with, run
from tests.factories import PASSWORD, login, post, self_referral
from wellness.accounts import grants, signin
from wellness.accounts import service as accounts
from wellness.accounts.models import CounselorProfile, LoginSession, Role, User, UserRole
from wellness.checkins.models import Outbox
from wellness.crypto import envelope, fields, kdf, keypairs, rowmac
from wellness.extensions import db
from wellness.keyring import row_key
from wellness.keys import audit_keys, trust
from wellness.keys import service as keys
from wellness.keys.rows import COVERED
from wellness.notifications.models import Notification
from wellness.timeutil import floor_minute, utcnow

ATTACKER_PASSWORD = "an attacker's own passphrase"


def wrapped_for(
    pair: keypairs.Keypair, password: str, public: bytes | None = None
) -> dict[str, object]:
    """The columns a writer computes to make ``password`` unlock ``pair`` where the account's
    public key is ``public`` (no instance key needed: the KDF and the wrapping are public
    algorithms, and the wrapping's context is the public key)."""
    params = kdf.new_params(1, 1024, 1)
    context = keys._ctx("private_key", public or pair.public)
    return {
        "key_kdf": params.encode(),
        "wrapped_private_key": keypairs.wrap_private(
            pair.private, kdf.derive_key(password, params), context
        ),
        "password_hash": signin.hasher().hash(password),
    }


def plant_account(username: str = "mallory") -> tuple[int, keypairs.Keypair]:
    """Step 1: a whole users row, as a database writer inserts it."""
    pair = keypairs.generate()
    row = {
        "username": username,
        "display_name": "Mallory",
        "active": True,
        "must_change_password": True,
        "failed_logins": 0,
        "public_key": pair.public,
        "recovery_sealed_key": envelope.seal(
            pair.private, keys.recovery_public_key(), keys.recovery_context(pair.public)
        ),
        "session_epoch": secrets.token_bytes(16),
        "created_at": utcnow(),
        **wrapped_for(pair, "one-time password 123"),
    }
    with db.engine.begin() as conn:
        user_id = conn.execute(insert(User).values(**row).returning(User.id)).scalar_one()
    return user_id, pair


def plant_counselor_role(user_id: int) -> None:
    """Step 2: a counselor role row (and profile) for the planted account."""
    with db.engine.begin() as conn:
        conn.execute(insert(UserRole).values(user_id=user_id, role="counselor"))
        conn.execute(
            insert(CounselorProfile).values(
                user_id=user_id,
                supporter_type="peer",
                specialties=[],
                languages=[],
                available=True,
                on_call=True,
                caseload_cap=99,
            )
        )


def take_over(coordinator: User, pair: keypairs.Keypair) -> dict[str, object]:
    """Step 3: the coordinator's wrapped key, password and KDF swapped for the attacker's, the
    authenticator NULLed. Returns the columns as they were (step 5 puts them back)."""
    columns = ("wrapped_private_key", "password_hash", "key_kdf", "totp_secret")
    with db.engine.begin() as conn:
        before = conn.execute(
            select(*(getattr(User, c) for c in columns)).where(User.id == coordinator.id)
        ).one()
        swapped = wrapped_for(pair, ATTACKER_PASSWORD, coordinator.public_key)
        swapped |= {"totp_secret": None}
        conn.execute(update(User).where(User.id == coordinator.id).values(**swapped))
    db.session.expire_all()
    return dict(zip(columns, before, strict=True))


def sign_in_page(app, username: str, password: str):
    client = app.test_client()
    page = post(client, "/login", {"username": username, "password": password})
    return client, page


def test_each_step_of_the_planted_account_fails_or_is_caught(app, agency_people, caplog):
    coordinator, other = agency_people["coordinator"], agency_people["coordinator2"]
    caplog.set_level(logging.ERROR)
    planted_id, pair = plant_account()

    # 1. Signing in to the planted row fails like a wrong password, and nothing is signed.
    _, page = sign_in_page(app, "mallory", "one-time password 123")
    assert page.status_code == 200
    assert "Sign-in failed" in page.get_data(as_text=True)
    planted = db.session.get(User, planted_id)
    with pytest.raises(trust.UntrustedKeyError):  # the server never signs its key
        accounts.change_password(planted, "one-time password 123", ATTACKER_PASSWORD)
    db.session.expire_all()
    assert db.session.get(User, planted_id).key_signature is None
    assert f"account {planted_id}'s row fails its check" in caplog.text

    # 2. A role row for it: not offered for confirmation, opens no page, named by the check.
    plant_counselor_role(planted_id)
    assert planted_id not in {w.user.id for w in grants.waiting()}
    report = audit_keys.verify_keys()
    assert f"users id={planted_id} (mallory): row not written by this instance" in "\n".join(
        report.problems
    )
    assert f"user_roles user_id={planted_id} role=counselor: row not written" in "\n".join(
        report.problems
    )

    # 3. The coordinator's password, wrapped key and authenticator swapped: sign-in refused,
    #    never sent to a fresh enrolment, and reported.
    kept = take_over(coordinator, pair)
    client, page = sign_in_page(app, "maria", ATTACKER_PASSWORD)
    assert "Sign-in failed" in page.get_data(as_text=True)
    assert "/login/enrol" not in page.headers.get("Location", "")
    assert client.get("/login/enrol").status_code == 302  # nothing pending
    assert f"account {coordinator.id}'s row fails its check" in caplog.text
    assert alerted([agency_people["admin"], other])

    # 4. Even from the real coordinator's session, the planted account cannot be confirmed.
    planted = db.session.get(User, planted_id)
    code = keypairs.safety_code(planted.public_key)
    with pytest.raises(grants.GrantError, match="not made through this site"):
        grants.confirm_person(planted, db.session.get(User, other.id), code)
    db.session.expire_all()
    assert (
        db.session.scalar(select(UserRole.endorsement).where(UserRole.user_id == planted_id))
        is None
    )

    # 5. The coordinator's columns put back: they work again; the planted account never
    #    receives a case, named or anonymous, routine or crisis, even as the only one on call.
    with db.engine.begin() as conn:
        conn.execute(update(User).where(User.id == coordinator.id).values(**kept))
        conn.execute(
            update(CounselorProfile)
            .where(CounselorProfile.user_id != planted_id)
            .values(available=False, on_call=False)
        )
    db.session.expire_all()
    assert trust.endorsed(db.session.get(User, coordinator.id), Role.COORDINATOR)
    for owner in (agency_people["officer"], None):
        for urgency in ("routine", "crisis"):
            case, _ = self_referral(owner, urgency=urgency, text="MARKER-PLANTED")
            assert case.assignee_id != planted_id
            assert not opens_with(pair.private, case)
    result = run(app, "keys", "verify")
    assert result.exit_code == 1
    assert f"users id={planted_id} (mallory)" in result.output
    assert "MARKER" not in caplog.text


def test_a_swapped_wrapped_key_is_refused_even_with_a_valid_row_mac(app, agency_people, caplog):
    """Sign-in proves the unwrapped private key is the account's endorsed key: someone who
    also held the row key (or a bug that re-MACed a row) still gets no sign-in from a wrapped
    key that is not the account's."""
    coordinator = agency_people["coordinator"]
    take_over(coordinator, keypairs.generate())
    user = db.session.get(User, coordinator.id)
    values = [(name, getattr(user, name)) for name in COVERED[User]]
    remac = rowmac.mac(row_key(), "users", values)
    with db.engine.begin() as conn:
        conn.execute(update(User).where(User.id == coordinator.id).values(row_mac=remac))
    db.session.expire_all()
    assert trust.account_ok(db.session.get(User, coordinator.id))  # the MAC passes
    caplog.set_level(logging.ERROR)
    _, page = sign_in_page(app, "maria", ATTACKER_PASSWORD)
    assert "Sign-in failed" in page.get_data(as_text=True)
    assert f"account {coordinator.id}'s key is not its endorsed key" in caplog.text


def forged_session(app, user: User, attacker_private: bytes, row_mac: bytes | None):
    """The secret-key variant: a session row written into the database and a cookie signed
    with the stolen Flask secret key, for ``user``."""
    sid, skey = secrets.token_urlsafe(32), secrets.token_bytes(32)
    row_id = hashlib.sha256(b"wellness session\0" + sid.encode()).hexdigest()
    tag = hmac.new(
        skey,
        b"wellness session user\0" + str(user.id).encode() + b"\0" + user.session_epoch,
        "sha256",
    ).digest()
    ctx = fields.SESSION_PRIVATE_KEY.context(row_id)
    row = {
        "id": row_id,
        "user_tag": tag,
        "verified": True,
        "last_seen_at": floor_minute(utcnow()),
        "wrapped_private_key": keypairs.wrap_private(attacker_private, skey, ctx),
        "enrol_secret": None,
    }
    if row_mac == b"compute":  # the control: as if the attacker also held rows.key
        values = [(name, row.get(name)) for name in COVERED[LoginSession]]
        row_mac = rowmac.mac(row_key(), "login_sessions", values)
    with db.engine.begin() as conn:
        conn.execute(insert(LoginSession).values(**row, row_mac=row_mac))
    serializer = app.session_interface.get_signing_serializer(app)
    cookie = serializer.dumps({"_user_id": str(user.id), "_fresh": True, "sid": sid, "skey": skey})
    client = app.test_client()
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    return client


def test_an_inserted_session_row_with_a_forged_cookie_signs_nobody_in(app, agency_people):
    coordinator = db.session.get(User, agency_people["coordinator"].id)
    attacker = keypairs.generate()
    client = forged_session(app, coordinator, attacker.private, None)
    page = client.get("/coordinator/team/")
    assert page.status_code == 302
    assert "/login" in page.headers["Location"]
    result = run(app, "keys", "verify")
    assert "login_sessions id=" in result.output
    assert audit_keys.daily_check()  # the scheduler's daily check tells them, too
    assert alerted([agency_people["admin"], agency_people["coordinator2"]])
    # Control: the same forgery with a MAC only rows.key could make opens the page, so the
    # refusal above is the MAC's doing.
    control = forged_session(app, coordinator, attacker.private, b"compute")
    assert control.get("/coordinator/team/").status_code == 200


def test_confirming_a_person_tells_every_coordinator_and_shows_on_the_team_page(app, agency_people):
    """A coordinator's account used by someone else cannot add a reader quietly."""
    coordinator, other = agency_people["coordinator"], agency_people["coordinator2"]
    for person in (coordinator, other):
        accounts.set_notice_address(db.session.get(User, person.id), f"{person.username}@x.test")
    officer = db.session.get(User, agency_people["officer2"].id)
    grant = grants.propose(officer, Role.COUNSELOR, agency_people["admin"])
    db.session.commit()
    db.session.query(Notification).delete()
    db.session.query(Outbox).delete()
    db.session.commit()
    grants.approve(grant, coordinator, keypairs.safety_code(officer.public_key))
    told = set(
        db.session.scalars(
            select(Notification.user_id).where(Notification.kind == "role_confirmed")
        )
    )
    assert told == {coordinator.id, other.id}
    assert db.session.query(Outbox).filter_by(kind="role_confirmed").count() == 2
    client = app.test_client()
    login(client, other)
    team = client.get("/coordinator/team/").get_data(as_text=True)
    assert "role granted: counselor" in team
    assert PASSWORD not in team


def _snapshot(table, where) -> list[dict]:
    with db.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(table).where(where))]


def _put_back(table, where, saved: list[dict]) -> None:
    """The rows as they were: an account row rewritten in place (deleting it would take its
    role rows and everything else that points at it), role rows replaced."""
    with db.engine.begin() as conn:
        if table is User.__table__:
            conn.execute(update(table).where(where).values(**saved[0]))
        else:
            conn.execute(table.delete().where(where))
            for row in saved:
                conn.execute(insert(table).values(**row))
    db.session.expire_all()


def test_an_earlier_state_put_back_from_an_older_copy_is_refused(app, agency_people):
    """A MAC cannot tell a row from an earlier genuine state of itself. IT removes a
    counselor's role and disables the account; a writer who kept an older copy puts the old
    account and role rows back, MACs and endorsement included. They name an older account
    event than the access log holds: refused, named by `keys verify`, and no case reaches
    them (issue 23 review)."""
    counselor, other = agency_people["counselor"], agency_people["counselor2"]
    users, roles = User.__table__, UserRole.__table__
    saved_user = _snapshot(users, users.c.id == counselor.id)
    saved_roles = _snapshot(roles, roles.c.user_id == counselor.id)
    accounts.update_user(
        db.session.get(User, counselor.id),
        "Kelly",
        None,
        [Role.OFFICER],
        False,
        agency_people["admin"],
    )
    _put_back(roles, roles.c.user_id == counselor.id, saved_roles)
    _put_back(users, users.c.id == counselor.id, saved_user)
    kelly = db.session.get(User, counselor.id)
    assert kelly.active
    assert kelly.has_role(Role.COUNSELOR)
    assert not trust.endorsed(kelly, Role.COUNSELOR)  # ...and count for nothing
    with db.engine.begin() as conn:
        conn.execute(
            update(CounselorProfile)
            .where(CounselorProfile.user_id == other.id)
            .values(available=False, on_call=False)
        )
    db.session.expire_all()
    case, _ = self_referral(agency_people["officer"], text="MARKER-REPLAY")
    assert case.assignee_id != counselor.id
    assert not opens_with(keys.unlock(db.session.get(User, counselor.id), PASSWORD), case)
    _, page = sign_in_page(app, "kelly", PASSWORD)
    assert "Sign-in failed" in page.get_data(as_text=True)
    result = run(app, "keys", "verify")
    assert f"users id={counselor.id} (kelly): an earlier state of the row" in result.output


def test_a_password_from_before_a_reset_cannot_be_put_back(app, agency_people):
    officer, admin = agency_people["officer"], agency_people["admin"]
    users = User.__table__
    saved = _snapshot(users, users.c.id == officer.id)
    accounts.reset_password(db.session.get(User, officer.id), admin)
    _put_back(users, users.c.id == officer.id, saved)
    _, page = sign_in_page(app, "jordan", PASSWORD)  # the password from before the reset
    assert "Sign-in failed" in page.get_data(as_text=True)


def test_a_role_given_from_the_server_command_line_is_told_to_every_coordinator(app, agency_people):
    coordinator, other = agency_people["coordinator"], agency_people["coordinator2"]
    db.session.query(Notification).delete()
    db.session.commit()
    result = run(app, "set-roles", "sam", "--role", "officer", "--role", "counselor")
    assert result.exit_code == 0, result.output
    told = set(
        db.session.scalars(
            select(Notification.user_id).where(Notification.kind == "role_confirmed")
        )
    )
    assert told == {coordinator.id, other.id}
