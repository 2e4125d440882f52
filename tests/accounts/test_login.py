import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import PASSWORD, login, make_user, post, totp_code
from wellness.accounts.models import LoginSession, Role, User
from wellness.extensions import db
from wellness.timeutil import frozen_at, utcnow


def signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def test_officer_signs_in_with_a_good_password(client, ctx):
    user = make_user("jordan", Role.OFFICER)
    response = login(client, user)
    assert response.status_code == 302
    assert signed_in(client)


def test_bad_password_and_unknown_user_get_the_same_answer(client, ctx):
    make_user("jordan", Role.OFFICER)
    wrong = post(client, "/login", {"username": "jordan", "password": "not the password"})
    nobody = post(client, "/login", {"username": "no.such.user", "password": "not the password"})
    assert wrong.status_code == nobody.status_code == 200
    assert "Sign-in failed." in wrong.get_data(as_text=True)

    # (the CSRF token is timestamped to the second: the two pages may straddle one)
    def page(response):
        return re.sub(r'name="csrf_token"[^>]*', "", response.get_data(as_text=True))

    assert page(wrong) == page(nobody).replace('value="no.such.user"', 'value="jordan"')
    assert not signed_in(client)


def test_username_is_case_insensitive(client, ctx):
    make_user("jordan", Role.OFFICER)
    post(client, "/login", {"username": " Jordan ", "password": PASSWORD})
    assert signed_in(client)


def test_account_locks_after_repeated_failures_then_unlocks(client, ctx, app):
    user = make_user("jordan", Role.OFFICER)
    start = utcnow()
    with frozen_at(start):
        for _ in range(app.config["LOGIN_MAX_FAILURES"]):
            post(client, "/login", {"username": "jordan", "password": "wrong password!"})
        locked = post(client, "/login", {"username": "jordan", "password": PASSWORD})
        # the right password is refused while locked, with the same words as any failure
        assert "Sign-in failed." in locked.get_data(as_text=True)
        assert not signed_in(client)
    with frozen_at(start + timedelta(minutes=app.config["LOGIN_LOCKOUT_MINUTES"], seconds=1)):
        login(client, user)
        assert signed_in(client)


def test_staff_password_alone_does_not_sign_in(client, ctx):
    make_user("kelly", Role.COUNSELOR)
    response = post(client, "/login", {"username": "kelly", "password": PASSWORD})
    assert response.headers["Location"].endswith("/login/verify")
    assert not signed_in(client)


def test_staff_with_the_right_code_signs_in(client, ctx):
    user = make_user("kelly", Role.COUNSELOR)
    login(client, user)
    assert signed_in(client)


def test_wrong_code_is_refused(client, ctx):
    make_user("kelly", Role.COUNSELOR)
    post(client, "/login", {"username": "kelly", "password": PASSWORD})
    response = post(client, "/login/verify", {"code": "000000"}, token_from="/login/verify")
    assert "not valid" in response.get_data(as_text=True)
    assert not signed_in(client)


def test_wrong_codes_count_toward_the_lockout(client, ctx, app):
    user = make_user("kelly", Role.COUNSELOR)
    post(client, "/login", {"username": "kelly", "password": PASSWORD})
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        post(client, "/login/verify", {"code": "000000"}, token_from="/login/verify")
    db.session.refresh(user)
    assert user.locked_until is not None
    good = post(client, "/login/verify", {"code": totp_code(user)}, token_from="/login/verify")
    assert "Sign-in failed." in good.get_data(as_text=True)
    assert not signed_in(client)


def test_a_code_cannot_be_used_twice(app, ctx):
    user = make_user("kelly", Role.COUNSELOR)
    code = totp_code(user)
    first, second = app.test_client(), app.test_client()
    login(first, user, code=code)
    assert signed_in(first)
    post(second, "/login", {"username": "kelly", "password": PASSWORD})
    page = post(second, "/login/verify", {"code": code}, token_from="/login/verify")
    assert not signed_in(second)
    # Said as it is (signing in twice in one 30-second window), and not counted as a failure.
    said = page.get_data(as_text=True)
    assert "That code has been used already. Wait for the next code" in said
    assert "not valid" not in said
    db.session.expire_all()
    assert db.session.get(User, user.id).failed_logins == 0


def test_verify_page_without_a_password_step_sends_back_to_login(client, ctx):
    assert client.get("/login/verify").headers["Location"].endswith("/login")


@pytest.mark.parametrize("role", [Role.COUNSELOR, Role.COORDINATOR, Role.ADMIN])
def test_staff_without_authenticator_must_enrol_before_anything(client, ctx, role):
    make_user("newstaff", role, totp_secret="")
    response = post(client, "/login", {"username": "newstaff", "password": PASSWORD})
    assert response.headers["Location"].endswith("/login/enrol")
    page = client.get("/login/enrol").get_data(as_text=True)
    assert "<svg" in page  # the QR code, rendered here, not by a third party
    assert not signed_in(client)
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)
    with client.session_transaction() as session:  # never in the (signed, not encrypted) cookie
        assert secret not in repr(dict(session))
    # Held in the session row, encrypted under the cookie-only session key: not in the database
    assert secret.encode() not in b"".join(
        (row.enrol_secret or b"") for row in db.session.scalars(select(LoginSession))
    )
    assert client.get("/login/enrol").get_data(as_text=True).count(secret) == 1  # the same one
    import pyotp

    post(client, "/login/enrol", {"code": pyotp.TOTP(secret).now()}, token_from="/login/enrol")
    assert signed_in(client)
    stored = db.session.scalar(select(User.totp_secret).where(User.username == "newstaff"))
    assert stored
    assert secret not in stored


def test_logout_ends_the_server_session_so_an_old_cookie_is_useless(client, ctx):
    user = make_user("jordan", Role.OFFICER)
    login(client, user)
    with client.session_transaction() as session:
        stolen = dict(session)
    post(client, "/logout", token_from="/account")
    assert not signed_in(client)
    assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 0
    with client.session_transaction() as session:
        session.update(stolen)
    assert not signed_in(client)


@pytest.mark.parametrize(
    ("role", "idle_minutes", "still_in"),
    [
        (Role.COUNSELOR, 14, True),
        (Role.COUNSELOR, 16, False),
        (Role.OFFICER, 16, True),
        (Role.OFFICER, 31, False),
    ],
)
def test_idle_timeout_is_shorter_for_staff(client, ctx, role, idle_minutes, still_in):
    user = make_user("idle.tester", role)
    start = utcnow()
    with frozen_at(start):
        login(client, user)
        assert signed_in(client)
    with frozen_at(start + timedelta(minutes=idle_minutes)):
        assert signed_in(client) is still_in


def test_activity_keeps_a_session_alive(client, ctx):
    user = make_user("kelly", Role.COUNSELOR)
    start = utcnow()
    with frozen_at(start):
        login(client, user)
    for minutes in (10, 20, 30):
        with frozen_at(start + timedelta(minutes=minutes)):
            assert signed_in(client)


def test_password_change_requires_the_current_password(client, ctx):
    user = make_user("jordan", Role.OFFICER)
    login(client, user)
    bad = post(
        client,
        "/account/password",
        {
            "current": "not it at all",
            "new": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
        token_from="/account/password",
    )
    assert "not right" in bad.get_data(as_text=True)
    good = post(
        client,
        "/account/password",
        {"current": PASSWORD, "new": "a brand new passphrase", "confirm": "a brand new passphrase"},
        token_from="/account/password",
    )
    assert good.status_code == 302
    post(client, "/logout", token_from="/account")
    assert post(client, "/login", {"username": "jordan", "password": PASSWORD}).status_code == 200
    assert (
        post(
            client, "/login", {"username": "jordan", "password": "a brand new passphrase"}
        ).status_code
        == 302
    )


def test_weak_new_password_is_refused_with_the_reason(client, ctx):
    login(client, make_user("jordan", Role.OFFICER))
    response = post(
        client,
        "/account/password",
        {"current": PASSWORD, "new": "jordan-jordan-1", "confirm": "jordan-jordan-1"},
        token_from="/account/password",
    )
    assert "username" in response.get_data(as_text=True)


def test_a_one_time_password_must_be_changed_before_anything_else(client, ctx):
    user = make_user("jordan", Role.OFFICER)
    user.must_change_password = True
    db.session.commit()
    login(client, user)
    assert client.get("/account").headers["Location"].endswith("/account/password")
    assert client.get("/account/password").status_code == 200


@pytest.mark.parametrize("app_overrides", [{"LOGIN_RATE_LIMIT": "3 per minute"}])
def test_login_attempts_are_rate_limited(client, ctx, app_overrides):
    codes = [
        post(client, "/login", {"username": "x", "password": "y"}).status_code for _ in range(5)
    ]
    assert codes[:3] == [200, 200, 200]
    assert codes[3:] == [429, 429]


def test_rate_limits_are_kept_in_redis_when_configured(tmp_path):
    import secrets

    import redis

    from tests.conftest import make_app

    prefix = "wellness-test-" + secrets.token_hex(6)
    app = make_app(
        tmp_path,
        f"sqlite:///{tmp_path / 'rl.db'}",
        LOGIN_RATE_LIMIT="2 per minute",
        RATELIMIT_STORAGE_URL="redis://127.0.0.1:6379/0",
        RATELIMIT_KEY_PREFIX=prefix,
    )
    with app.app_context():
        db.create_all()
    client = app.test_client()
    codes = [
        post(client, "/login", {"username": "x", "password": "y"}).status_code for _ in range(3)
    ]
    assert codes == [200, 200, 429]
    store = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    keys = store.keys(f"*{prefix}*")
    assert keys, "the limiter's counters should live in Redis"
    store.delete(*keys)
