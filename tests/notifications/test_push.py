"""Web Push (issue 17) against a push service run here: it receives what the app sends,
decrypts it with the browser's keys, and checks it says nothing but that something is waiting.
Subscriptions are stored sealed; a push service that says a browser is gone has it removed;
one that fails delays nothing else."""

from __future__ import annotations

import base64
import json
import os
import re
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import func, select

from tests.attacks.conftest import dump_tables
from tests.factories import login, make_user, post, reader, self_referral
from wellness.accounts import service as accounts
from wellness.accounts.models import Role
from wellness.cases import service as cases
from wellness.checkins.models import Outbox
from wellness.extensions import db
from wellness.notifications import mail, push
from wellness.notifications.models import PushSubscription
from wellness.timeutil import utcnow


@pytest.fixture
def app_overrides():
    return {"PUSH_ALLOW_LOCAL": True}


class PushService:
    """A push service on 127.0.0.1: records every push; answers 410 for /gone/, 500 for /down/."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                service.received.append(
                    (self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
                status = 410 if "/gone/" in self.path else 500 if "/down/" in self.path else 201
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def service():
    running = PushService()
    yield running
    running.server.shutdown()
    running.server.server_close()


class Browser:
    """A browser's push keys (RFC 8291): what it gives the app, and what only it can open."""

    def __init__(self, endpoint: str) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        self.endpoint = endpoint

    def subscription(self) -> dict[str, object]:
        point = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()  # noqa: E731
        return {"endpoint": self.endpoint, "keys": {"p256dh": b64(point), "auth": b64(self.auth)}}

    def open(self, body: bytes) -> str:
        return http_ece.decrypt(
            body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"
        ).decode()


def turn_on(app, user, browser: Browser):  # type: ignore[no-untyped-def]
    """What the Account page's script does: send the subscription with the page's token."""
    client = app.test_client()
    login(client, user)
    page = client.get("/account").get_data(as_text=True)
    token = re.search(r'data-csrf="([^"]+)"', page).group(1)
    answer = client.post(
        "/push/subscribe",
        data=json.dumps(browser.subscription()),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert answer.status_code == 201
    return client, token


def deliver() -> int:
    return mail.send_outbox(utcnow() + timedelta(minutes=1), mail.ConsoleMailer())


def test_a_reply_to_a_named_officer_is_pushed_saying_only_that_something_is_waiting(
    app, ctx, service
):
    officer = make_user("jordan", Role.OFFICER)
    counselor = make_user("kelly", Role.COUNSELOR)
    case, _ = self_referral(officer, text="MARKER-CASE I have not slept")
    browser = Browser(f"{service.url}/push/officer-phone")
    turn_on(app, officer, browser)
    stored = repr(dump_tables())
    assert browser.endpoint not in stored  # the subscription is sealed (class B)
    assert "officer-phone" not in stored

    cases.post_message(case.id, reader(counselor), "MARKER-REPLY Tuesday at ten?")
    assert deliver() == 1
    [(path, headers, body)] = service.received
    assert path == "/push/officer-phone"
    assert headers["content-encoding"] == "aes128gcm"
    assert headers["authorization"].startswith("vapid t=")  # signed with the instance's key
    assert browser.open(body) == "Something is waiting for you. Please sign in to see it."
    assert b"MARKER" not in body
    assert db.session.scalar(select(func.count()).select_from(Outbox)) == 0  # sent, gone


def test_a_counselor_is_pushed_a_new_case_and_an_anonymous_officer_never_is(app, ctx, service):
    counselor = make_user("kelly", Role.COUNSELOR)
    accounts.save_counselor_profile(counselor, caseload_cap=5)
    db.session.commit()
    browser = Browser(f"{service.url}/push/kelly")
    turn_on(app, counselor, browser)
    case, _ = self_referral(None, text="MARKER-ANON")  # routed to Kelly, who is told
    assert deliver() == 1
    assert browser.open(service.received[0][2]) == mail.TEXT
    cases.post_message(case.id, reader(counselor), "MARKER-REPLY")  # anonymous: nobody to push
    assert deliver() == 0
    assert len(service.received) == 1


def test_a_browser_the_push_service_says_is_gone_is_forgotten(app, ctx, service):
    officer = make_user("jordan", Role.OFFICER)
    counselor = make_user("kelly", Role.COUNSELOR)
    case, _ = self_referral(officer)
    turn_on(app, officer, Browser(f"{service.url}/gone/old-phone"))
    cases.post_message(case.id, reader(counselor), "hello")
    assert deliver() == 1  # done with: the service said 410
    assert db.session.scalar(select(func.count()).select_from(PushSubscription)) == 0
    assert db.session.scalar(select(func.count()).select_from(Outbox)) == 0


def test_a_failing_push_service_delays_nothing_else_and_is_retried(app, ctx, service):
    officer = make_user("jordan", Role.OFFICER)
    counselor = make_user("kelly", Role.COUNSELOR)
    case, _ = self_referral(officer)
    turn_on(app, officer, Browser(f"{service.url}/down/phone"))
    cases.post_message(case.id, reader(counselor), "hello")
    mail.queue("someone@example.org", "message")
    db.session.commit()
    sent = []

    class Mailer:
        def send(self, message):  # type: ignore[no-untyped-def]
            sent.append(message["To"])

    assert mail.send_outbox(utcnow() + timedelta(minutes=1), Mailer()) == 1  # the e-mail went
    assert sent == ["someone@example.org"]
    assert db.session.scalar(select(func.count()).select_from(Outbox)) == 1  # push kept
    assert db.session.scalar(select(func.count()).select_from(PushSubscription)) == 1
    mail.send_outbox(utcnow() + timedelta(minutes=10), Mailer())  # after the lease: tried again
    assert len([p for p, _, _ in service.received if "/down/" in p]) == 2


def test_only_real_subscriptions_are_accepted_and_each_person_removes_only_their_own(
    app, ctx, service
):
    officer = make_user("jordan", Role.OFFICER)
    client, token = turn_on(app, officer, Browser(f"{service.url}/push/mine"))
    bad = [
        {"endpoint": "http://push.example.org/x", "keys": Browser("x").subscription()["keys"]},
        {"endpoint": f"{service.url}/push/y", "keys": {"p256dh": "AAAA", "auth": "AAAA"}},
        {"endpoint": "x" * 2000, "keys": {}},
        ["not", "a", "dict"],
    ]
    for given in bad:
        answer = client.post(
            "/push/subscribe",
            data=json.dumps(given),
            content_type="application/json",
            headers={"X-CSRFToken": token},
        )
        assert answer.status_code == 400
    no_token = client.post(
        "/push/subscribe",
        data=json.dumps(Browser(f"{service.url}/push/z").subscription()),
        content_type="application/json",
    )
    assert no_token.status_code == 400  # the CSRF token is required here too
    other = make_user("sam", Role.OFFICER)
    theirs = app.test_client()
    login(theirs, other)
    token_theirs = re.search(r'data-csrf="([^"]+)"', theirs.get("/account").get_data(as_text=True))
    theirs.post(
        "/push/unsubscribe",
        data=json.dumps({"endpoint": f"{service.url}/push/mine"}),
        content_type="application/json",
        headers={"X-CSRFToken": token_theirs.group(1)},
    )
    assert db.session.scalar(select(func.count()).select_from(PushSubscription)) == 1
    client.post(
        "/push/unsubscribe",
        data=json.dumps({"endpoint": f"{service.url}/push/mine"}),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert db.session.scalar(select(func.count()).select_from(PushSubscription)) == 0


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://127.0.0.1:9/push/x",  # the test service, once it is not allowed
        "https://10.0.0.5:8443/internal",  # never an address inside the network
        "https://127.0.0.1/x",
        "https://push.example.org/x",  # nor any host but the browsers' push services
        "https://fcm.googleapis.com.evil.example/x",
        "https://[abc/x",  # nor something that is not a URL (never a 500)
    ],
)
def test_only_the_browsers_push_services_are_accepted(app, ctx, endpoint):
    app.config["PUSH_ALLOW_LOCAL"] = False
    with pytest.raises(push.SubscriptionError):
        push.parse(Browser(endpoint).subscription())


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://fcm.googleapis.com/fcm/send/abc",
        "https://updates.push.services.mozilla.com/wpush/v2/abc",
        "https://web.push.apple.com/abc",
        "https://wns2-par02p.notify.windows.com/w/?token=abc",
    ],
)
def test_the_browsers_push_services_are(app, ctx, endpoint):
    assert push.parse(Browser(endpoint).subscription()).endpoint == endpoint


def test_the_vapid_key_is_made_once_owner_only(app, ctx):
    first = push.public_key()
    assert push.public_key() == first
    path = os.path.join(app.instance_path, "keys", "vapid.key")
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"


def test_a_check_in_that_is_due_is_pushed_to_the_named_officer(app, ctx, service):
    from wellness.checkins import jobs
    from wellness.checkins import service as checkins

    officer = make_user("jordan", Role.OFFICER)
    counselor = make_user("kelly", Role.COUNSELOR)
    case, _ = self_referral(officer)
    browser = Browser(f"{service.url}/push/jordan")
    turn_on(app, officer, browser)
    checkins.schedule(case.id, reader(counselor), [utcnow() + timedelta(minutes=5)])
    db.session.commit()
    assert jobs.dispatch_due_checkins(utcnow() + timedelta(minutes=10)) == 1
    assert deliver() == 1
    assert browser.open(service.received[0][2]) == mail.TEXT


def test_a_lost_phone_is_turned_off_from_the_account_page_and_by_a_password_reset(
    app, ctx, service
):
    officer = make_user("jordan", Role.OFFICER)
    client, _ = turn_on(app, officer, Browser(f"{service.url}/push/lost-phone"))
    turn_on(app, officer, Browser(f"{service.url}/push/laptop"))
    page = client.get("/account").get_data(as_text=True)
    assert "Turned on for 2 devices." in page
    off = post(client, "/push/off", token_from="/account", follow_redirects=True)
    assert "Notices turned off on 2 devices." in off.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(PushSubscription)) == 0

    turn_on(app, officer, Browser(f"{service.url}/push/new-phone"))
    admin = make_user("itadmin", Role.ADMIN)
    it = app.test_client()
    login(it, admin)
    post(it, f"/admin/users/{officer.id}/reset-password", token_from=f"/admin/users/{officer.id}")
    assert db.session.scalar(select(func.count()).select_from(PushSubscription)) == 0


def test_an_address_that_looks_like_a_push_is_an_e_mail_and_stops_nothing(app, ctx):
    mail.queue("push:1@x.co", "message")  # what anyone may type as their notice address
    mail.queue("someone@example.org", "message")
    db.session.commit()
    sent = []

    class Mailer:
        def send(self, message):  # type: ignore[no-untyped-def]
            sent.append(message["To"])

    assert mail.send_outbox(utcnow(), Mailer()) == 2
    assert len(sent) == 2  # both e-mailed (the odd one as whatever the mail header makes of it)
    assert "someone@example.org" in sent


def test_a_push_that_keeps_failing_is_given_up_and_e_mails_go_first(app, ctx, service):
    officer = make_user("jordan", Role.OFFICER)
    counselor = make_user("kelly", Role.COUNSELOR)
    case, _ = self_referral(officer)
    turn_on(app, officer, Browser(f"{service.url}/down/phone"))
    cases.post_message(case.id, reader(counselor), "hello")  # the push is queued first
    mail.queue("someone@example.org", "message")
    db.session.commit()
    order = []

    class Mailer:
        def send(self, message):  # type: ignore[no-untyped-def]
            order.append(("mail", len(service.received)))

    now = utcnow()
    for attempt in range(push.MAX_ATTEMPTS):
        mail.send_outbox(now + timedelta(minutes=10 * (attempt + 1)), Mailer())
    assert order == [("mail", 0)]  # sent before the push was even tried
    assert len(service.received) == push.MAX_ATTEMPTS
    assert db.session.scalar(select(func.count()).select_from(Outbox)) == 0  # given up
    assert db.session.scalar(select(func.count()).select_from(PushSubscription)) == 1
