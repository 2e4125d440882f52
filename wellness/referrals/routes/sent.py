"""After sending: a request is sent once, and what happens next is shown once, after a
redirect (the receipt code held server-side for that one display: main/held.py). A reload or
Back never sends it again, and a repeat of the same form shows what the first sending held."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict

from flask import Response, current_app, redirect, render_template, url_for
from flask_login import login_required

from wellness.checkins import rules
from wellness.main import held, once
from wellness.referrals import forms
from wellness.referrals import service as referrals
from wellness.referrals.routes import _numbers, bp
from wellness.transaction import use_case

PICK_UNAVAILABLE = (
    "{name} cannot take a new request right now. Nothing has been sent. Choose someone else, "
    "or “Let the team choose”, and send it again."
)


def submit_once(
    form: forms.Form,
    submit: Callable[[], referrals.Submitted],
    named: bool,
    page: str = "sent",
    again: Callable[[], str] | None = None,
    **shown: str,
) -> Response | str:
    """Send once (a repeat of the same form does nothing), hold the result for one display,
    and show it after a redirect. If the person the officer asked for cannot take it, nothing
    is stored and the form (``again``) says so in the same words whatever the reason, so the
    officer chooses again."""
    token = form.once.data
    try:
        _send_and_hold(
            token, submit, page, lambda r: {"result": asdict(r), "named": named, **shown}
        )
    except once.AlreadyDone:  # sent already: show what that sending held, if not shown yet
        held.claim(page, token)
    except referrals.PickUnavailable as refused:
        if refused.key_alert:
            referrals.raise_key_alert()  # (the sending was rolled back, its alert with it)
        chosen = {c.value: c.label for c in form.ask_for.choices}.get(form.ask_for.data)
        form.ask_for.errors = [PICK_UNAVAILABLE.format(name=chosen or "That person")]
        return again()  # type: ignore[misc]
    return redirect(url_for(f".{page}"))


@use_case
def _send_and_hold(
    token: str | None,
    submit: Callable[[], referrals.Submitted],
    page: str,
    shown: Callable[[referrals.Submitted], dict[str, object]],
) -> None:
    """One transaction: the request, its used form token, and the page that shows it once (so
    a second tap that finds the token used always finds the page too, never a lost code)."""
    result = once.run(token, submit)
    held.hold(page, shown(result), secret=token)


def _shown_once(kind: str, template: str) -> str:
    """The page held for ``kind``, once; after that only that it was sent."""
    page = held.take(kind)
    if page is None:
        return render_template("referrals/sent_again.html", concern=kind == "concern_sent")
    result = referrals.Submitted(**page.pop("result"))
    return render_template(
        template, result=result, numbers=_numbers(), expect=_expect(result), **page
    )


def _expect(result: referrals.Submitted) -> str:
    """The first-contact deadline for what it is handled as, in words ("4 hours")."""
    minutes = current_app.config["FIRST_CONTACT_MINUTES"]
    return rules.duration_in_words(int(minutes.get(result.urgency, minutes["routine"])))


@bp.route("/help/sent")
def sent() -> str:
    """What happens next: when to expect contact (the urgency's deadline, in words), how to
    check back, and plainly if a crisis could not be put in anyone's hands at once. The receipt
    code is in no URL or cookie."""
    return _shown_once("sent", "referrals/sent.html")


@bp.route("/help/concern/sent")
@login_required
def concern_sent() -> str:
    """The reporter's "received" page, shown once after the redirect."""
    return _shown_once("concern_sent", "referrals/concern_sent.html")
