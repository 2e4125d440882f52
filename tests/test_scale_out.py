"""A state network in miniature (docs/DEPLOY.md): two app instances and two schedulers, each its
own process with its own instance folder, on one PostgreSQL, with rate limits in Redis.

A request submitted on one instance is served by the other; a sign-in on one holds on the
other; a rate limit counts across both; due check-ins and their e-mails go out exactly once.
"""

from __future__ import annotations

import re
import secrets
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from http.cookiejar import CookieJar

import psycopg
import pytest
import redis

from tests.conftest import create_pg_database, drop_pg_database, make_app
from tests.servers import app_env, flask, start_gunicorn, start_scheduler

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

DUE = 300
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
RECEIPT = re.compile(r'<p class="receipt-code"><code>([^<]+)</code>')
WORDS = "scale-out marker: I have been drinking more since the shooting"


class Browser:
    def __init__(self) -> None:
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def go(self, url: str, form: dict[str, str] | None = None) -> tuple[int, str]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(url, data, timeout=60) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def submit(self, page_url: str, post_url: str, fields: dict[str, str]) -> tuple[int, str]:
        _, page = self.go(page_url)
        return self.go(post_url, {"csrf_token": TOKEN.search(page).group(1), **fields})  # type: ignore[union-attr]


@pytest.fixture
def network(tmp_path):  # type: ignore[no-untyped-def]
    redis.Redis.from_url("redis://127.0.0.1:6379/0").ping()
    url = create_pg_database("wellness_scale")
    prefix = f"wellness-test-{secrets.token_hex(4)}"
    a, b = tmp_path / "a" / "instance", tmp_path / "b" / "instance"
    shared = {
        "WELLNESS_RATELIMIT_STORAGE_URL": "redis://127.0.0.1:6379/0",
        "WELLNESS_RATELIMIT_KEY_PREFIX": prefix,
        "WELLNESS_RECEIPT_RATE_LIMIT": '"4 per minute"',
        "WELLNESS_SCHEDULER_INTERVAL_SECONDS": "1",
    }
    env_a = app_env(a, url, **shared)
    flask(["init"], env_a)
    # The second instance gets the same secrets (as configuration management would copy them),
    # and nothing else: no database of its own, no state.
    b.mkdir(parents=True)
    shutil.copy2(a / "secret_key", b / "secret_key")
    shutil.copytree(a / "keys", b / "keys")
    env_b = app_env(b, url, **shared)
    processes = []
    try:
        web_a = start_gunicorn(env_a, tmp_path / "web-a.log")
        processes.append(web_a)
        web_b = start_gunicorn(env_b, tmp_path / "web-b.log")
        processes.append(web_b)
        yield {"url": url, "a": web_a, "b": web_b, "env": (env_a, env_b), "tmp": tmp_path}
    finally:
        for process in processes:
            process.stop()
        drop_pg_database(url)
        client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)


def test_a_request_sent_on_one_instance_is_served_by_the_other(network):
    a, b = network["a"].url, network["b"].url
    officer = Browser()
    status, page = officer.submit(
        f"{a}/help/anonymous",
        f"{a}/help/anonymous",
        {"urgency": "routine", "unit": "0", "text": WORDS},
    )
    assert status == 200
    code = RECEIPT.search(page).group(1)  # type: ignore[union-attr]

    elsewhere = Browser()  # the same person later, whichever instance the balancer picks
    status, page = elsewhere.submit(f"{b}/receipt", f"{b}/receipt", {"code": code})
    assert status == 200
    assert WORDS in page

    # Rate limits count across instances (Redis): 4 look-ups a minute in all, wherever made.
    guesser = Browser()
    wrong = {"code": "0000-0000-0000-0000"}
    outcomes = [guesser.submit(f"{x}/receipt", f"{x}/receipt", wrong)[0] for x in (a, b, a, b, a)]
    assert outcomes[-1] == 429, outcomes
    for log in (network["a"].log_text(), network["b"].log_text()):
        assert WORDS not in log
        assert code not in log
        assert " 500 " not in log


def test_a_sign_in_on_one_instance_holds_on_the_other(network, tmp_path):
    from tests.factories import PASSWORD, make_user
    from wellness.accounts.models import Role
    from wellness.extensions import db

    app = make_app(tmp_path, network["url"], INSTANCE_PATH=str(network["tmp"] / "a" / "instance"))
    with app.app_context():
        make_user("jordan", Role.OFFICER)
        db.session.remove()
        db.engine.dispose()
    a, b = network["a"].url, network["b"].url
    officer = Browser()
    status, _ = officer.submit(
        f"{a}/login", f"{a}/login", {"username": "jordan", "password": PASSWORD}
    )
    assert status == 200  # redirected to the start page, signed in
    status, page = officer.go(f"{b}/account")  # same cookie, the other instance
    assert status == 200
    assert "<h1>Your account</h1>" in page
    # Signing out on B ends the session for A too: it lives in the database, not in a process.
    _, page = officer.go(f"{b}/account")
    officer.go(f"{b}/logout", {"csrf_token": TOKEN.search(page).group(1)})  # type: ignore[union-attr]
    status, page = officer.go(f"{a}/account")
    assert "<h1>Your account</h1>" not in page
    assert "Sign in" in page


def test_two_schedulers_send_every_due_check_in_and_e_mail_exactly_once(network, tmp_path):
    from tests.factories import make_user, reader
    from wellness.accounts import service as accounts
    from wellness.accounts.models import Role
    from wellness.checkins.models import CheckIn
    from wellness.crypto.fields import CHECKIN_NOTIFY
    from wellness.extensions import db
    from wellness.keyring import encrypt_field
    from wellness.referrals import service as referrals
    from wellness.referrals.service import SelfReferral
    from wellness.timeutil import utcnow

    app = make_app(tmp_path, network["url"], INSTANCE_PATH=str(network["tmp"] / "a" / "instance"))
    with app.app_context():
        officer = make_user("jordan", Role.OFFICER)
        accounts.set_email_address(officer, "jordan@example.org")
        make_user("kelly", Role.COUNSELOR)
        db.session.commit()
        result = referrals.submit_self_referral(
            SelfReferral([], "text", "routine"), reader(officer, as_owner=True)
        )
        past = utcnow() - timedelta(minutes=1)
        rows = [CheckIn(case_id=result.case_id, due_at=past) for _ in range(DUE)]
        db.session.add_all(rows)
        db.session.flush()
        for row in rows:
            row.notify_token = encrypt_field(CHECKIN_NOTIFY, row.id, str(officer.id).encode())
        db.session.commit()
        db.session.remove()
        db.engine.dispose()

    env_a, env_b = network["env"]
    schedulers = [
        start_scheduler(env_a, tmp_path / "scheduler-a.log"),
        start_scheduler(env_b, tmp_path / "scheduler-b.log"),
    ]
    try:
        deadline = time.monotonic() + 120
        with psycopg.connect(network["url"], autocommit=True) as conn:
            while time.monotonic() < deadline:
                pending = conn.execute(
                    "SELECT (SELECT count(*) FROM check_ins WHERE status = 'scheduled')"
                    " + (SELECT count(*) FROM outbox WHERE sent_at IS NULL)"
                ).fetchone()[0]
                if pending == 0:
                    break
                time.sleep(0.5)
            sent = conn.execute("SELECT count(*) FROM check_ins WHERE status = 'sent'").fetchone()
            unsent_mail = conn.execute("SELECT count(*) FROM outbox").fetchone()
    finally:
        for scheduler in schedulers:
            scheduler.stop()
    assert all("scheduler started" in s.log_text() for s in schedulers)  # both were running
    assert sent[0] == DUE
    assert unsent_mail[0] == 0  # a sent e-mail's row is deleted
    handed = [s.log_text().count("e-mail handed to the console backend") for s in schedulers]
    assert sum(handed) == DUE, handed  # handed over once each, by one scheduler or the other
