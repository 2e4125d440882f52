"""Pages for asking for help. Thin: parse the form, call the service, render."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError
from wtforms.fields.choices import SelectChoice

from wellness.accounts.access import current_private_key, roles_required
from wellness.accounts.models import Role
from wellness.agency import service as agency
from wellness.cases import service as cases
from wellness.cases.service import Reader
from wellness.checkins import ics, rules
from wellness.checkins import service as checkins
from wellness.checkins.forms import AnswerForm
from wellness.checkins.ics import calendar_uid
from wellness.checkins.models import CheckIn
from wellness.errors.routes import render_error, render_standalone
from wellness.extensions import db, limiter
from wellness.program import crisis as crisis_numbers
from wellness.referrals import forms, mine, receipt_lookup, screeners
from wellness.referrals import service as referrals
from wellness.timeutil import as_utc, utcnow

bp = Blueprint("referrals", __name__)


@bp.errorhandler(CSRFError)
def page_expired(error: CSRFError) -> tuple[str, int]:
    """A one-tap crisis request from a page left open too long: say plainly that nothing was
    sent, with the numbers and the button again, instead of the generic expired page."""
    if request.endpoint == "referrals.reach_out":
        return render_template("referrals/reach_out_again.html", numbers=_numbers()), 400
    return render_error(400)


def receipt_limit() -> str:
    return current_app.config["RECEIPT_RATE_LIMIT"]


def _me(as_owner: bool = True) -> Reader:
    return Reader(current_user, current_private_key(), as_owner=as_owner)


def _numbers() -> crisis_numbers.CrisisNumbers:
    return crisis_numbers.load(current_app.instance_path)


@bp.route("/help/")
def hub() -> str:
    return render_template("referrals/hub.html")


def _screener_from(form: forms.ReferralFields) -> screeners.Result | None:
    # The form refused a result that does not score; what reaches here is whole.
    if not form.screener.data:
        return None
    return forms.attached_result(form.screener.data, form.screener_answers.data)


def _referral(form: forms.ReferralFields, **extra: object) -> referrals.SelfReferral:
    return referrals.SelfReferral(
        topics=list(form.topics.data or []),
        text=(form.text.data or "").strip(),
        urgency=form.urgency.data,
        supporter_type=form.supporter_type.data or None,
        language=(form.language.data or "").strip() or None,
        screener=_screener_from(form),
        **extra,
    )  # type: ignore[arg-type]


def _starting(form: forms.ReferralFields) -> bool:
    """A screener result page posts here to start a prefilled form, not to submit it."""
    return request.method == "POST" and request.form.get("start") == "1"


@bp.route("/help/self", methods=["GET", "POST"])
@login_required
def self_referral() -> str:
    form = forms.SelfReferralForm()
    if not _starting(form) and form.validate_on_submit():
        result = referrals.submit_self_referral(
            _referral(
                form,
                contact_method=form.contact_method.data,
                contact_details=(form.contact_details.data or "").strip(),
                contact_time=(form.contact_time.data or "").strip(),
            ),
            _me(),
        )
        return _sent(result, named=True)
    return render_template("referrals/self.html", form=form, numbers=_numbers())


def _sent(result: referrals.Submitted, named: bool) -> str:
    """What happens next: when to expect contact (the urgency's deadline, in words), how to
    check back, and plainly if a crisis could not be put in anyone's hands at once."""
    return render_template(
        "referrals/sent.html",
        result=result,
        numbers=_numbers(),
        expect=_expect(result),
        named=named,
    )


def _expect(result: referrals.Submitted) -> str:
    """The first-contact deadline for what it is handled as, in words ("4 hours")."""
    minutes = current_app.config["FIRST_CONTACT_MINUTES"]
    return rules.duration_in_words(int(minutes.get(result.urgency, minutes["routine"])))


@bp.route("/help/anonymous", methods=["GET", "POST"])
def anonymous_referral() -> str:
    form = forms.AnonymousReferralForm()
    form.unit.choices = [SelectChoice(0, "Prefer not to say")] + [
        SelectChoice(row.unit.id, row.unit.name) for row in agency.units_in_tree_order()
    ]
    if not _starting(form) and form.validate_on_submit():
        result = referrals.submit_anonymous_referral(
            _referral(
                form,
                contact_method="here",
                unit_id=form.unit.data or None,
                contact_details=(form.contact_details.data or "").strip(),
            )
        )
        # The receipt exists only in this response: not in a URL, a cookie or the database.
        return _sent(result, named=False)
    return render_template("referrals/anonymous.html", form=form, numbers=_numbers())


@bp.route("/help/reach-out", methods=["POST"])
def reach_out() -> str:
    """From a risky questionnaire result: a crisis request in one tap, named if signed in and
    asked, otherwise anonymous (nobody can be paged about someone the system cannot reach)."""
    form = forms.ReachOutForm()
    if not form.validate_on_submit():  # (an expired page is page_expired's, above)
        return render_template("referrals/reach_out_again.html", numbers=_numbers())
    result = form.result()
    referral = referrals.SelfReferral(
        topics=[],
        text="Asked for someone to reach out now"
        + (", from a questionnaire result." if result else "."),
        urgency="crisis",
        screener=result,
        contact_method="phone" if form.named.data == "1" else "here",
    )
    if form.named.data == "1" and current_user.is_authenticated:
        return _sent(referrals.submit_self_referral(referral, _me()), named=True)
    return _sent(referrals.submit_anonymous_referral(referral), named=False)


def _concern(form: forms.ConcernForm, supervisor: bool) -> str:
    candidates = []
    if form.validate_on_submit():
        try:
            subject = referrals.find_colleague(form.colleague.data, current_user)
        except referrals.ColleagueNotFoundError as exc:
            candidates = exc.candidates
            form.colleague.errors.append(
                "Choose one of the people below."
                if candidates
                else "Nobody matches that name. Check the spelling, or use their username."
            )
        else:
            report = referrals.ConcernReport(
                subject=subject,
                behaviours=list(form.behaviours.data or []),
                text=(form.text.data or "").strip(),
                urgency=form.urgency.data,
                critical_incident=form.critical_incident.data,
                supervisor_report=supervisor,
                observed_on=(getattr(form, "observed_on", None) and form.observed_on.data) or "",
                actions_taken=(getattr(form, "actions_taken", None) and form.actions_taken.data)
                or "",
            )
            result = referrals.submit_concern(report, _me(as_owner=False))
            return render_template(
                "referrals/concern_sent.html",
                result=result,
                numbers=_numbers(),
                report=report,
                expect=_expect(result),
            )
    return render_template(
        "referrals/concern.html",
        form=form,
        candidates=candidates,
        supervisor=supervisor,
        numbers=_numbers(),
    )


@bp.route("/help/concern", methods=["GET", "POST"])
@login_required
def concern() -> str:
    return _concern(forms.ConcernForm(), supervisor=False)


@bp.route("/help/report", methods=["GET", "POST"])
@roles_required(Role.SUPERVISOR)
def supervisor_report() -> str:
    return _concern(forms.SupervisorReportForm(), supervisor=True)


@bp.route("/crisis")
def crisis() -> str:
    # Reads only instance/crisis.json, and renders without looking at the account: works with
    # the database down, signed in or not.
    return render_standalone("referrals/crisis.html", numbers=_numbers())


@bp.route("/screeners/")
def screener_list() -> str:
    return render_template("referrals/screeners.html", screeners=screeners.SCREENERS.values())


@bp.route("/screeners/<key>", methods=["GET", "POST"])
def screener(key: str) -> str:
    chosen = screeners.SCREENERS.get(key) or abort(404)
    form = forms.CsrfForm()
    errors = False
    if request.method == "POST" and form.validate_on_submit():
        try:
            answers = [int(request.form.get(f"q{i}", "")) for i in range(len(chosen.items))]
            result = screeners.score(key, answers)
        except (ValueError, screeners.ScreenerError):
            errors = True
        else:
            return render_template(
                "referrals/screener_result.html",
                screener=chosen,
                result=result,
                numbers=_numbers(),
                answers=",".join(map(str, result.answers)),
            )
    return render_template(
        "referrals/screener.html", screener=chosen, form=form, errors=errors, given=request.form
    )


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
        answer_form=AnswerForm(formdata=None),
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


@bp.route("/me/check-ins", methods=["GET", "POST"])
@login_required
def my_checkins() -> Response | str:
    own = cases.own_case_ids(_me())
    form = AnswerForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                _answer_own(form, _me(), own)
            except checkins.CheckInError as exc:
                flash(str(exc))
            return redirect(url_for(".my_checkins"))
        flash("Choose a number from 1 to 5 to answer the check-in.")
    return render_template(
        "referrals/checkins.html",
        waiting=checkins.waiting_for_answer(own),
        upcoming=checkins.upcoming(own),
        answer_form=AnswerForm(formdata=None),
    )


@bp.route("/me/check-ins/<int:checkin_id>.ics")
@login_required
def checkin_calendar(checkin_id: int) -> Response:
    checkin = db.session.get(CheckIn, checkin_id)
    if checkin is None or checkin.case_id not in cases.own_case_ids(_me()):
        abort(404)
    body = ics.calendar_event(
        calendar_uid(_me().private_key, checkin.id),
        as_utc(checkin.due_at),
        utcnow(),
        current_app.config["BASE_URL"],
    )
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": 'attachment; filename="check-in.ics"'},
    )


@bp.route("/me/referrals")
@login_required
def my_referrals() -> str:
    return render_template("referrals/mine.html", items=mine.my_referrals(_me()))


def _open_mine(case_id: int):  # type: ignore[no-untyped-def]
    if case_id not in cases.own_case_ids(_me()):
        abort(404)
    try:
        return cases.open_case_page(case_id, _me(), "my referrals page")
    except cases.NotSharedError:
        abort(404)


@bp.route("/me/referrals/<int:case_id>")
@login_required
def my_referral(case_id: int) -> str:
    view = _open_mine(case_id)
    return render_template(
        "referrals/my_referral.html",
        view=view,
        status=mine.status_for_officer(view.case, "owner"),
        log=mine.access_log_for_officer(case_id),
        reply=forms.MessageForm(),
        withdraw=forms.WithdrawForm(),
    )


@bp.route("/me/referrals/<int:case_id>/message", methods=["POST"])
@login_required
def my_referral_message(case_id: int) -> Response | str:
    if case_id not in cases.own_case_ids(_me()):
        abort(404)
    form = forms.MessageForm()
    if form.validate_on_submit():
        cases.post_message(case_id, _me(), form.body.data.strip())
        flash("Your message was sent.")
        return redirect(url_for(".my_referral", case_id=case_id))
    view = _open_mine(case_id)
    return render_template(
        "referrals/my_referral.html",
        view=view,
        reply=form,
        status=mine.status_for_officer(view.case, "owner"),
        log=mine.access_log_for_officer(case_id),
        withdraw=forms.WithdrawForm(),
    )


@bp.route("/me/referrals/<int:case_id>/withdraw", methods=["POST"])
@login_required
def withdraw(case_id: int) -> Response:
    form = forms.WithdrawForm()
    if not form.validate_on_submit():
        flash("Tick the box to confirm that you want to withdraw it.")
        return redirect(url_for(".my_referral", case_id=case_id))
    try:
        mine.withdraw(case_id, _me())
    except cases.NotSharedError:
        abort(404)
    flash("Your request has been withdrawn and everything in it destroyed.")
    return redirect(url_for(".my_referrals"))


@bp.route("/me/referrals/<int:case_id>/decline", methods=["POST"])
@login_required
def decline(case_id: int) -> Response:
    from wellness.incidents import service as incidents

    if not forms.CsrfForm().validate_on_submit():
        abort(400)
    try:
        incidents.decline(case_id, _me())
    except cases.NotSharedError:
        abort(404)
    flash("Follow-up stopped. You can still ask for help at any time.")
    return redirect(url_for(".my_referral", case_id=case_id))


@bp.route("/me/export.json")
@login_required
def export() -> Response:
    response = jsonify(mine.export(_me()))
    response.headers["Content-Disposition"] = 'attachment; filename="my-wellness-data.json"'
    return response
