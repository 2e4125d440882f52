"""An anonymous officer's pages, opened with their receipt code: the request, replies and
check-ins. The code travels only in POST bodies."""

from __future__ import annotations

from flask import (
    flash,
    render_template,
    request,
)

from wellness.cases import service as cases
from wellness.checkins import service as checkins
from wellness.checkins.forms import AnswerForm
from wellness.extensions import limiter
from wellness.referrals import forms, mine, receipt_lookup
from wellness.referrals.routes import _answer_own, bp, receipt_limit


@bp.route("/receipt", methods=["GET", "POST"])
@limiter.limit(receipt_limit, methods=["POST"])
def receipt() -> str:
    form = forms.ReceiptForm()
    if form.validate_on_submit():
        return _receipt_page(form.code.data) or _receipt_not_found(form)
    return render_template("referrals/receipt_form.html", form=form)


def _receipt_not_found(form: forms.ReceiptForm) -> str:
    # errors is a tuple on a form that was never validated: replace it, do not append.
    form.code.errors = [*form.code.errors, "No request matches that code. Check it and try again."]
    return render_template("referrals/receipt_form.html", form=form)


def _receipt_page(code: str) -> str | None:
    try:
        case_id, reader = receipt_lookup.open_by_receipt(code)
        view = cases.open_case_page(case_id, reader, "receipt page")
    except (receipt_lookup.ReceiptNotFoundError, cases.NotSharedError):
        return None
    reply = forms.ReceiptMessageForm(formdata=None, code=code)
    return render_template(
        "referrals/receipt.html",
        waiting=checkins.waiting_for_answer([case_id]),
        view=view,
        code=code,
        reply=reply,
        status=mine.status_for_officer(view.case, "owner"),
    )


@bp.route("/receipt/message", methods=["POST"])
@limiter.limit(receipt_limit)
def receipt_message() -> str:
    form = forms.ReceiptMessageForm()
    if not form.validate_on_submit():
        return _receipt_page(form.code.data or "") or _receipt_not_found(form)
    try:
        case_id, reader = receipt_lookup.open_by_receipt(form.code.data)
        cases.post_message(case_id, reader, form.body.data.strip())
    except (receipt_lookup.ReceiptNotFoundError, cases.NotSharedError):
        return _receipt_not_found(form)
    flash("Your message was sent.")
    return _receipt_page(form.code.data) or _receipt_not_found(form)


@bp.route("/receipt/check-in", methods=["POST"])
@limiter.limit(receipt_limit)
def receipt_checkin() -> str:
    code = (request.form.get("code") or "")[:40]
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            case_id, reader = receipt_lookup.open_by_receipt(code)
            _answer_own(form, reader, [case_id])
        except receipt_lookup.ReceiptNotFoundError:
            pass
        except checkins.CheckInError as exc:
            flash(str(exc))
    else:
        flash("Choose a number from 1 to 5 to answer the check-in.")
    return _receipt_page(code) or _receipt_not_found(forms.ReceiptForm(formdata=None))
