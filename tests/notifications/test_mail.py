"""E-mails captured by a real SMTP server on loopback carry no content, no name, no topic."""

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from sqlalchemy import func, select

from tests.factories import make_user, self_referral
from wellness.accounts import service as accounts
from wellness.accounts.models import Role
from wellness.checkins.models import Outbox
from wellness.extensions import db
from wellness.notifications import mail
from wellness.timeutil import utcnow


class Capture(Message):
    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


def free_port():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    handler = Capture()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


def test_notification_emails_say_only_that_something_is_waiting(app, ctx, smtp_server):
    controller, handler = smtp_server
    app.config.update(
        MAIL_BACKEND="smtp",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=controller.port,
        BASE_URL="https://wellness.example.org",
    )
    counselor = make_user("kelly", Role.COUNSELOR)
    accounts.set_email_address(counselor, "kelly@example.org")
    db.session.commit()
    officer = make_user("jordan", Role.OFFICER)
    self_referral(officer, urgency="soon", text="MARKER-TEXT drinking alone every night")
    assert mail.send_outbox(utcnow(), mail.mailer_from_config()) == 1
    assert db.session.scalar(select(func.count()).select_from(Outbox)) == 0  # nothing lingers
    [message] = handler.messages
    assert message["To"] == "kelly@example.org"
    text = message.as_string()
    assert "Something is waiting for you. Please sign in to see it." in text
    assert "referral" not in text.lower()  # not even what kind of thing is waiting
    assert "https://wellness.example.org" in text
    for secret in ("MARKER", "drinking", "Jordan", "jordan", "stress", "soon", "Kelly"):
        assert secret not in text.replace("kelly@example.org", "")


def test_a_failed_send_is_kept_and_retried_after_the_lease(app, ctx):
    class Down:
        def send(self, message):
            raise OSError("connection refused")

    mail.queue("someone@example.org", "message")
    db.session.commit()
    now = utcnow()
    assert mail.send_outbox(now, Down()) == 0
    assert mail.send_outbox(now, mail.ConsoleMailer()) == 0  # still leased to the first try
    from datetime import timedelta

    assert mail.send_outbox(now + timedelta(minutes=6), mail.ConsoleMailer()) == 1


def test_outbox_stores_no_address_in_clear(app, ctx):
    mail.queue("someone@example.org", "message")
    db.session.commit()
    token = db.session.scalar(select(Outbox.to_token))
    assert "someone" not in token
    assert token.startswith("sk2.")
