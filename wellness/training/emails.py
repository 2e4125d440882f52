"""What a training e-mail says. Unlike every other notice (notifications.mail.TEXT), these carry
their subject: a bulletin's title (to every member alike), or that the policy waits for an
acknowledgment (to those who have not given it: a mail administrator learns who they are, a
training fact, never anything of the confidential side).

The outbox row holds only its kind (``bulletin:<id>`` or ``policy:<number>``); the text is
written when the e-mail is sent.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from wellness.extensions import db
from wellness.notifications import mail
from wellness.training.models import Bulletin, PolicyVersion

BULLETIN = "bulletin"
POLICY = "policy"
BULLETIN_FOOTER = "Every member of the agency receives the day's bulletin."
POLICY_FOOTER = "Sent once to each member who has not yet acknowledged this version."


def kind(prefix: str, number: int) -> str:
    return f"{prefix}:{number}"


def _link(path: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + path


def bulletin_mail(kind_: str) -> tuple[str, str] | None:
    """Today's bulletin: its title and where to answer it."""
    bulletin = db.session.get(Bulletin, int(kind_.partition(":")[2]))
    if bulletin is None:
        return None
    return (
        f"Today's training bulletin: {bulletin.title}",
        f"{bulletin.title}\n\nRead it and answer (under a minute):\n"
        f"{_link(f'/training/bulletins/{bulletin.id}')}\n\n{BULLETIN_FOOTER}\n",
    )


def policy_mail(kind_: str) -> tuple[str, str] | None:
    """The reminder: the policy's current version still waits for an acknowledgment."""
    number = int(kind_.partition(":")[2])
    title = db.session.scalar(select(PolicyVersion.title).where(PolicyVersion.number == number))
    if title is None:
        return None
    return (
        f"Please acknowledge the policy: {title}",
        f'Version {number} of the agency\'s policy "{title}" waits for you to read and '
        f"acknowledge it:\n{_link('/training/acknowledge')}\n\n{POLICY_FOOTER}\n",
    )


mail.register_writer(BULLETIN, bulletin_mail)
mail.register_writer(POLICY, policy_mail)
