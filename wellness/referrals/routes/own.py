"""A signed-in officer's own requests and concerns: status, messages, who opened them,
check-ins and their calendar entries, withdrawal, declining outreach, and their data."""

from __future__ import annotations

from flask import (
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
from flask_login import login_required

from wellness.cases import service as cases
from wellness.checkins import ics
from wellness.checkins import service as checkins
from wellness.checkins.forms import AnswerForm
from wellness.checkins.ics import calendar_uid
from wellness.checkins.models import CheckIn
from wellness.extensions import db
from wellness.incidents import service as incidents
from wellness.main import once
from wellness.referrals import forms, mine
from wellness.referrals.routes import _answer_own, _me, bp
from wellness.timeutil import as_utc, utcnow


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
    return cases.open_case_page(case_id, _me(), "my referrals page")


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
        try:
            once.run(
                form.once.data, lambda: cases.post_message(case_id, _me(), form.body.data.strip())
            )
        except once.AlreadyDone:
            flash("That message was sent already.")
        except cases.CaseClosedError as exc:
            flash(str(exc))  # (the page now says so, and how to ask again)
        else:
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
    mine.withdraw(case_id, _me())
    flash("Your request has been withdrawn and everything in it destroyed.")
    return redirect(url_for(".my_referrals"))


@bp.route("/me/referrals/<int:case_id>/decline", methods=["POST"])
@login_required
def decline(case_id: int) -> Response:
    if not forms.CsrfForm().validate_on_submit():
        abort(400)
    incidents.decline(case_id, _me())
    flash("Follow-up stopped. You can still ask for help at any time.")
    return redirect(url_for(".my_referral", case_id=case_id))


@bp.route("/me/export.json")
@login_required
def export() -> Response:
    response = jsonify(mine.export(_me()))
    response.headers["Content-Disposition"] = 'attachment; filename="my-wellness-data.json"'
    return response
