"""Pages for asking for help. Thin: parse the form, call the service, render.

One blueprint in three parts: asking (``asking``: the forms, the questionnaires, the crisis
page), an anonymous officer's receipt pages (``receipt``), and a signed-in officer's own
requests and check-ins (``own``).
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from wellness.accounts.access import current_private_key
from wellness.cases.service import Reader
from wellness.checkins import service as checkins
from wellness.checkins.forms import AnswerForm
from wellness.checkins.models import CheckIn
from wellness.errors.pages import expired_form
from wellness.extensions import db
from wellness.program import crisis as crisis_numbers

bp = Blueprint("referrals", __name__)


@bp.errorhandler(CSRFError)
def page_expired(error: CSRFError) -> Response | tuple[str, int]:
    """A one-tap crisis request from a page left open too long: say plainly that nothing was
    sent, with the numbers and the button again, instead of the generic expired page."""
    if request.endpoint == "referrals.reach_out":
        return render_template("referrals/reach_out_again.html", numbers=_numbers()), 400
    return expired_form()


def receipt_limit() -> str:
    return current_app.config["RECEIPT_RATE_LIMIT"]


def _me(as_owner: bool = True) -> Reader:
    return Reader(current_user, current_private_key(), as_owner=as_owner)


def _numbers() -> crisis_numbers.CrisisNumbers:
    return crisis_numbers.load(current_app.instance_path)


def _answer_own(form: AnswerForm, reader: Reader, own_case_ids: list[int]) -> None:
    checkin = db.session.get(CheckIn, form.checkin.data)
    if checkin is None or checkin.case_id not in own_case_ids:
        raise checkins.CheckInError("This check-in is not open for an answer.")
    checkins.answer(
        checkin.id,
        reader,
        checkins.Answer(
            int(form.rating.data), form.wants_contact.data, (form.text.data or "").strip()
        ),
    )
    flash("Thank you. Your answer was sent to your counselor.")


from wellness.referrals.routes import asking, own, receipt, sent  # noqa: E402,F401  (registers the pages)
