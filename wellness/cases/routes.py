"""The counselor's dashboard and case page. Thin: parse, call the service, render."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from wellness.accounts import service as accounts
from wellness.accounts.access import current_private_key, roles_required
from wellness.accounts.models import Role, User
from wellness.cases import actions, caseload, forms, lifecycle
from wellness.cases import service as cases
from wellness.cases.models import Case
from wellness.cases.service import Reader
from wellness.checkins import rules
from wellness.checkins import service as checkins
from wellness.checkins.models import PlanTemplate
from wellness.extensions import db
from wellness.main import once
from wellness.notifications import service as notifications
from wellness.program.models import Resource
from wellness.referrals.forms import CsrfForm, MessageForm
from wellness.timeutil import from_zone, utcnow

bp = Blueprint("cases", __name__)
STAFF = (Role.COUNSELOR, Role.COORDINATOR)


def _reader() -> Reader:
    return Reader(current_user, current_private_key())


@bp.app_template_global()
def received_at(case: Case):  # type: ignore[no-untyped-def]
    """When a case arrived, to the minute, for staff pages (the clear column says the hour)."""
    return cases.exact_created(case)


def deadline_clock(case: Case) -> rules.Clock:
    deadline = rules.first_contact_deadline(
        cases.exact_created(case), case.urgency, current_app.config["FIRST_CONTACT_MINUTES"]
    )
    return rules.clock(utcnow(), deadline)


@bp.route("/cases/")
@roles_required(*STAFF)
def my_cases() -> str:
    now = utcnow()
    load = caseload.of(current_user.id, now, current_app.config["TIMEZONE"])
    return render_template(
        "cases/dashboard.html",
        now=now,
        clock=deadline_clock,
        new=load.new,
        ongoing=load.ongoing,
        today=load.today,
        waiting=load.waiting,
        answered=load.answered,
        labels=cases.labels([*load.new, *load.ongoing]),
        notifications=notifications.unread(current_user.id),
        messages=notifications.MESSAGES,
        availability=forms.AvailabilityForm(
            data={
                "available": current_user.counselor.available if current_user.counselor else False,
                "on_call": current_user.counselor.on_call if current_user.counselor else False,
            }
        ),
    )


def _open(case_id: int) -> cases.CaseView:
    return cases.open_case_page(case_id, _reader(), "case page")


def _render_case(case_id: int, status: int = 200, **forms_given: object) -> tuple[str, int]:
    view = _open(case_id)
    page = {
        "reply": MessageForm(),
        "note": forms.NoteForm(),
        "checkin": forms.CheckInForm(),
        "plan": forms.PlanForm(),
        "transfer": forms.TransferForm(exclude=current_user.id),
        "close": forms.CloseForm(),
        **forms_given,
    }
    c = view.case
    state = (c.status, c.contacted_at is not None, c.accepted_at is not None)
    return render_template(
        "cases/case.html",
        view=view,
        label=cases.labels([c])[c.id],
        actions=actions.available(*state),
        next_step=actions.next_step(*state),
        events=lifecycle.events(case_id),
        notes=lifecycle.read_notes(case_id, view.key),
        checkins=checkins.for_case(case_id),
        answers=checkins.read_answers(case_id, view.key),
        clock=deadline_clock(view.case),
        **page,
    ), status


def _act(case_id: int, action, done: str, token: str | None = None) -> Response:  # type: ignore[no-untyped-def]
    """Do it (once, for a form with a one-time token), say how it went, show the case again."""
    try:
        once.run(token, action)
    except (
        lifecycle.LifecycleError,
        cases.CaseClosedError,
        checkins.CheckInError,
        rules.PlanError,
    ) as exc:
        flash(str(exc))
    except once.AlreadyDone:
        flash("That was done already.")
    else:
        flash(done)
    return redirect(url_for(".case", case_id=case_id))


@bp.route("/cases/<int:case_id>")
@roles_required(*STAFF)
def case(case_id: int) -> tuple[str, int]:
    return _render_case(case_id)


@bp.route("/cases/<int:case_id>/message", methods=["POST"])
@roles_required(*STAFF)
def message(case_id: int) -> Response | tuple[str, int]:
    form = MessageForm()
    if not form.validate_on_submit():
        return _render_case(case_id, 400, reply=form)
    return _act(
        case_id,
        lambda: cases.post_message(case_id, _reader(), form.body.data.strip()),
        "Message sent.",
        form.once.data,
    )


@bp.route("/cases/<int:case_id>/contacted", methods=["POST"])
@roles_required(*STAFF)
def contacted(case_id: int) -> Response:
    if not CsrfForm().validate_on_submit():
        abort(400)
    return _act(
        case_id,
        lambda: cases.record_contact(case_id, _reader()),
        "Recorded that you have reached out.",
    )


@bp.route("/cases/<int:case_id>/accept", methods=["POST"])
@roles_required(*STAFF)
def accept(case_id: int) -> Response:
    if not CsrfForm().validate_on_submit():
        abort(400)
    return _act(case_id, lambda: lifecycle.accept(case_id, _reader()), "Case accepted.")


@bp.route("/cases/<int:case_id>/note", methods=["POST"])
@roles_required(*STAFF)
def note(case_id: int) -> Response | tuple[str, int]:
    form = forms.NoteForm()
    if not form.validate_on_submit():
        return _render_case(case_id, 400, note=form)
    return _act(
        case_id,
        lambda: lifecycle.add_note(case_id, _reader(), form.body.data.strip()),
        "Note added.",
        form.once.data,
    )


@bp.route("/cases/<int:case_id>/check-ins", methods=["POST"])
@roles_required(*STAFF)
def schedule_checkin(case_id: int) -> Response | tuple[str, int]:
    form = forms.CheckInForm()
    if not form.validate_on_submit():
        return _render_case(case_id, 400, checkin=form)
    due = from_zone(form.due_at.data, current_app.config["TIMEZONE"])
    return _act(
        case_id,
        lambda: checkins.schedule(case_id, _reader(), [due]),
        "Check-in scheduled.",
        form.once.data,
    )


@bp.route("/cases/<int:case_id>/plan", methods=["POST"])
@roles_required(*STAFF)
def schedule_plan(case_id: int) -> Response | tuple[str, int]:
    form = forms.PlanForm()
    if not form.validate_on_submit():
        return _render_case(case_id, 400, plan=form)
    template = db.session.get(PlanTemplate, form.template.data)
    start = from_zone(form.start.data, current_app.config["TIMEZONE"])
    return _act(
        case_id,
        lambda: checkins.schedule_plan(case_id, _reader(), template, start),
        "Check-in plan scheduled.",
        form.once.data,
    )


@bp.route("/cases/<int:case_id>/transfer", methods=["POST"])
@roles_required(*STAFF)
def transfer(case_id: int) -> Response | tuple[str, int]:
    form = forms.TransferForm(exclude=current_user.id)
    if not form.validate_on_submit():
        return _render_case(case_id, 400, transfer=form)
    try:
        lifecycle.transfer(case_id, _reader(), db.session.get(User, form.to.data))
    except lifecycle.LifecycleError as exc:
        flash(str(exc))
        return redirect(url_for(".case", case_id=case_id))
    flash("Case transferred. Your key to it has been removed.")
    return redirect(url_for(".my_cases"))


@bp.route("/cases/<int:case_id>/close", methods=["POST"])
@roles_required(*STAFF)
def close(case_id: int) -> Response | tuple[str, int]:
    form = forms.CloseForm()
    if not form.validate_on_submit():
        return _render_case(case_id, 400, close=form)
    resource = db.session.get(Resource, form.resource.data) if form.resource.data else None
    return _act(
        case_id,
        lambda: lifecycle.close(
            case_id, _reader(), form.outcome.data, (form.note.data or "").strip(), resource
        ),
        "Case closed.",
    )


@bp.route("/cases/availability", methods=["POST"])
@roles_required(Role.COUNSELOR)
def availability() -> Response:
    form = forms.AvailabilityForm()
    if form.validate_on_submit():
        accounts.save_counselor_profile(
            current_user, available=form.available.data, on_call=form.on_call.data
        )
        flash("Availability saved.")
    return redirect(url_for(".my_cases"))


@bp.route("/notifications/read", methods=["POST"])
@roles_required(*STAFF)
def notifications_read() -> Response:
    notifications.mark_read(current_user.id)
    return redirect(url_for(".my_cases"))
