"""The counselor's side of a case (the full caseload comes with the dashboard), and the
coordinator's queue and crisis numbers."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from wellness.accounts.access import current_private_key, roles_required
from wellness.accounts.models import Role, User
from wellness.cases import service as cases
from wellness.cases.models import Case
from wellness.cases.service import Reader
from wellness.extensions import db
from wellness.notifications import service as notifications
from wellness.program import crisis as crisis_numbers
from wellness.referrals.forms import CrisisNumbersForm, CsrfForm, MessageForm

bp = Blueprint("cases", __name__)
OPEN = ("new", "contacted", "active")


def _reader() -> Reader:
    return Reader(current_user, current_private_key())


@bp.route("/cases/")
@roles_required(Role.COUNSELOR, Role.COORDINATOR)
def my_cases() -> str:
    rows = db.session.scalars(
        select(Case)
        .where(Case.assignee_id == current_user.id, Case.status.in_(OPEN))
        .order_by(Case.created_at)
    ).all()
    waiting = notifications.unread(current_user.id)
    return render_template(
        "cases/list.html", cases=rows, notifications=waiting, messages=notifications.MESSAGES
    )


def _open(case_id: int) -> cases.CaseView:
    try:
        return cases.open_case_page(case_id, _reader(), "case page")
    except cases.NotSharedError:
        abort(404)


@bp.route("/cases/<int:case_id>")
@roles_required(Role.COUNSELOR, Role.COORDINATOR)
def case(case_id: int) -> str:
    return render_template("cases/case.html", view=_open(case_id), reply=MessageForm())


@bp.route("/cases/<int:case_id>/message", methods=["POST"])
@roles_required(Role.COUNSELOR, Role.COORDINATOR)
def message(case_id: int) -> Response | str:
    form = MessageForm()
    if not form.validate_on_submit():
        return render_template("cases/case.html", view=_open(case_id), reply=form)
    try:
        cases.post_message(case_id, _reader(), form.body.data.strip())
    except cases.NotSharedError:
        abort(404)
    flash("Message sent.")
    return redirect(url_for(".case", case_id=case_id))


@bp.route("/cases/<int:case_id>/contacted", methods=["POST"])
@roles_required(Role.COUNSELOR, Role.COORDINATOR)
def contacted(case_id: int) -> Response:
    if not CsrfForm().validate_on_submit():
        abort(400)
    try:
        cases.record_contact(case_id, _reader())
    except cases.NotSharedError:
        abort(404)
    flash("Recorded that you have reached out.")
    return redirect(url_for(".case", case_id=case_id))


@bp.route("/notifications/read", methods=["POST"])
@roles_required(Role.COUNSELOR, Role.COORDINATOR)
def notifications_read() -> Response:
    notifications.mark_read(current_user.id)
    return redirect(url_for(".my_cases"))


@bp.route("/coordinator/queue")
@roles_required(Role.COORDINATOR)
def queue() -> str:
    rows = db.session.scalars(
        select(Case)
        .where(Case.assignee_id.is_(None), Case.status.in_(OPEN))
        .order_by(Case.created_at)
    ).all()
    recent = db.session.execute(
        select(Case, User.display_name)
        .outerjoin(User, User.id == Case.assignee_id)
        .order_by(Case.created_at.desc())
        .limit(50)
    ).all()
    return render_template("cases/queue.html", cases=rows, recent=recent)


@bp.route("/coordinator/crisis-numbers", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def crisis_settings() -> Response | str:
    saved = crisis_numbers.load(current_app.instance_path)
    form = CrisisNumbersForm(data=saved.__dict__)
    if form.validate_on_submit():
        crisis_numbers.save(
            current_app.instance_path,
            crisis_numbers.CrisisNumbers(
                on_call_label=(form.on_call_label.data or "").strip(),
                on_call_phone=(form.on_call_phone.data or "").strip(),
                note=(form.note.data or "").strip(),
            ),
        )
        flash("Crisis numbers saved. They show on every crisis page from now on.")
        return redirect(url_for(".crisis_settings"))
    return render_template("cases/crisis_settings.html", form=form)
