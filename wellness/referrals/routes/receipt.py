"""An anonymous officer's pages, opened with their receipt code: the request, replies and
check-ins. The code travels only in POST bodies; after each one it is held for the single
page the redirect shows (``main.held``: encrypted under a key only this browser holds), so a
reload never sends anything twice and shows the code form again."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for

from wellness.cases import service as cases
from wellness.checkins import service as checkins
from wellness.checkins.forms import AnswerForm
from wellness.extensions import limiter
from wellness.main import held, once
from wellness.referrals import forms, mine, receipt_lookup
from wellness.referrals.routes import _answer_own, bp, receipt_limit

HELD = "receipt"


@bp.route("/receipt", methods=["GET", "POST"])
@limiter.limit(receipt_limit, methods=["POST"])
def receipt() -> Response | str:
    """The code form; the request itself once a code was given (shown after a redirect, and
    opened only there: one look-up and one access-log entry per visit)."""
    form = forms.ReceiptForm()
    if form.validate_on_submit():
        return _show(form.code.data)
    kept = held.take(HELD, path=request.path) if request.method == "GET" else None
    if kept is None:
        return render_template("referrals/receipt_form.html", form=form)
    return _receipt_page(kept["code"]) or _receipt_not_found(forms.ReceiptForm(formdata=None))


def _show(code: str) -> Response:
    held.hold(HELD, {"code": code}, path=url_for(".receipt"))
    return redirect(url_for(".receipt"))


def _open(code: str):  # type: ignore[no-untyped-def]
    try:
        case_id, reader = receipt_lookup.open_by_receipt(code)
        return case_id, reader, cases.open_case_page(case_id, reader, "receipt page")
    except (receipt_lookup.ReceiptNotFoundError, cases.NotSharedError):
        return None


def _receipt_not_found(form: forms.ReceiptForm) -> str:
    # errors is a tuple on a form that was never validated: replace it, do not append.
    form.code.errors = [*form.code.errors, "No request matches that code. Check it and try again."]
    return render_template("referrals/receipt_form.html", form=form)


def _receipt_page(code: str, reply: forms.ReceiptMessageForm | None = None) -> str | None:
    opened = _open(code)
    if opened is None:
        return None
    case_id, _, view = opened
    return render_template(
        "referrals/receipt.html",
        waiting=checkins.waiting_for_answer([case_id]),
        view=view,
        code=code,
        reply=reply or forms.ReceiptMessageForm(formdata=None, code=code),
        status=mine.status_for_officer(view.case, "owner"),
    )


@bp.route("/receipt/message", methods=["POST"])
@limiter.limit(receipt_limit)
def receipt_message() -> Response | str:
    """A message from the anonymous officer to whoever holds their request."""
    form = forms.ReceiptMessageForm()
    if not form.validate_on_submit():
        return _receipt_page(form.code.data or "", form) or _receipt_not_found(form)
    try:
        case_id, reader = receipt_lookup.open_by_receipt(form.code.data)
        once.run(
            form.once.data, lambda: cases.post_message(case_id, reader, form.body.data.strip())
        )
    except (receipt_lookup.ReceiptNotFoundError, cases.NotSharedError):
        return _receipt_not_found(form)
    except once.AlreadyDone:
        flash("That message was sent already.")
    except cases.CaseClosedError as exc:
        flash(str(exc))  # back to their request, which says it is closed
    else:
        flash("Your message was sent.")
    return _show(form.code.data)


@bp.route("/receipt/check-in", methods=["POST"])
@limiter.limit(receipt_limit)
def receipt_checkin() -> Response | str:
    """The anonymous officer's answer to a check-in."""
    code = (request.form.get("code") or "")[:40]
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            case_id, reader = receipt_lookup.open_by_receipt(code)
            _answer_own(form, reader, [case_id])
        except receipt_lookup.ReceiptNotFoundError:
            return _receipt_not_found(forms.ReceiptForm(formdata=None))
        except checkins.CheckInError as exc:
            flash(str(exc))
    else:
        flash("Choose a number from 1 to 5 to answer the check-in.")
    return _show(code)
