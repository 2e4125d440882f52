"""The coordinator's pages: queue and reassignment, team and on-call roster, resources,
check-in plans, crisis numbers. Nothing here decrypts case content."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from wellness.accounts.access import current_private_key, roles_required
from wellness.accounts.models import Role, User
from wellness.cases import forms, lifecycle
from wellness.cases import service as case_service
from wellness.cases.service import Reader
from wellness.checkins import rules
from wellness.checkins.models import PlanTemplate
from wellness.crypto.errors import RecoveryCodeError
from wellness.extensions import db
from wellness.incidents import service as incident_service
from wellness.incidents.forms import IncidentForm
from wellness.main import once
from wellness.program import configuration, limits
from wellness.program import crisis as crisis_numbers
from wellness.program import queue as queues
from wellness.program.forms import CrisisNumbersForm, LimitsForm
from wellness.program.models import Resource

bp = Blueprint("program", __name__, url_prefix="/coordinator")


@bp.before_request
@roles_required(Role.COORDINATOR)
def only_coordinators() -> None:
    return None


@bp.route("/queue")
def queue() -> str:
    queue = queues.for_coordinator(current_user.id)
    shown = [card.case for card in (*queue.waiting, *queue.late, *queue.recent)]
    return render_template(
        "program/queue.html",
        queue=queue,
        labels=case_service.labels(shown),
        form_for=_reassign_form,
    )


def _reassign_form(case_id: int) -> forms.ReassignForm:
    """One form per card, its fields' ids unique on the page."""
    form = forms.ReassignForm()
    for f in (form.to, form.recovery_code):
        f.id = f.label.field_id = f"{f.name}-{case_id}"
    return form


@bp.route("/cases/<int:case_id>/reassign", methods=["POST"])
def reassign(case_id: int) -> Response:
    form = forms.ReassignForm()
    if not form.validate_on_submit():
        flash("Choose a counselor.")
        return redirect(url_for(".queue"))
    try:
        lifecycle.reassign(
            case_id,
            Reader(current_user, current_private_key()),
            db.session.get(User, form.to.data),
            form.recovery_code.data or None,
        )
    except (lifecycle.LifecycleError, RecoveryCodeError) as exc:
        flash(f"Case #{case_id} was not reassigned: {exc}")
    else:
        flash(f"Case #{case_id} reassigned.")
    return redirect(url_for(".queue"))


@bp.route("/resources", methods=["GET", "POST"], defaults={"resource_id": None})
@bp.route("/resources/<int:resource_id>", methods=["GET", "POST"])
def resources(resource_id: int | None) -> Response | str:
    resource = None if resource_id is None else db.get_or_404(Resource, resource_id)
    form = forms.ResourceForm(obj=resource)
    if form.validate_on_submit():
        fields = configuration.ResourceFields(
            form.name.data,
            form.kind.data,
            form.contact.data or "",
            form.notes.data or "",
            form.active.data,
            form.public.data,
            tuple(form.topics.data or ()),
            form.phone.data or "",
            form.text_number.data or "",
        )
        try:
            once.run(form.once.data, lambda: configuration.save_resource(resource, fields))
        except once.AlreadyDone:
            flash("That was saved already.")
        else:
            flash("Resource saved.")
        return redirect(url_for(".resources"))
    return render_template(
        "program/resources.html",
        form=form,
        resources=configuration.resources(),
        editing=resource,
    )


@bp.route("/plans", methods=["GET", "POST"], defaults={"plan_id": None})
@bp.route("/plans/<int:plan_id>", methods=["GET", "POST"])
def plans(plan_id: int | None) -> Response | str:
    plan = None if plan_id is None else db.get_or_404(PlanTemplate, plan_id)
    form = forms.PlanTemplateForm(
        data={"name": plan.name, "offsets": plan.offsets_hours} if plan else None
    )
    if form.validate_on_submit():
        try:
            configuration.save_plan(plan, form.name.data, form.offsets.data)
        except rules.PlanError as exc:
            form.offsets.errors.append(str(exc))
        except configuration.PlanNameTakenError as exc:
            form.name.errors.append(str(exc))
        else:
            flash("Plan saved.")
            return redirect(url_for(".plans"))
    return render_template(
        "program/plans.html", form=form, plans=configuration.plans(), editing=plan
    )


@bp.route("/crisis-numbers", methods=["GET", "POST"])
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
    return render_template("program/crisis_settings.html", form=form)


@bp.route("/privacy", methods=["GET", "POST"])
def privacy_text() -> Response | str:
    saved = limits.current()
    form = LimitsForm(data={"summary": saved.summary, "full": saved.full})
    if form.validate_on_submit():
        limits.save(form.summary.data, form.full.data, current_user.id)
        flash("Saved. Every form and the Privacy page show the new words now.")
        return redirect(url_for(".privacy_text"))
    return render_template("program/privacy_text.html", form=form)


@bp.route("/incidents", methods=["GET", "POST"])
def incidents() -> Response | str:
    form = IncidentForm()
    if form.validate_on_submit():
        try:
            offsets = rules.parse_offsets(form.plan.data)
            members = incident_service.find_members(form.members.data.splitlines())
        except rules.PlanError as exc:
            form.plan.errors.append(str(exc))
        except incident_service.IncidentError as exc:
            form.members.errors.append(str(exc))
        else:
            incident_service.record(
                form.kind.data, form.occurred_on.data, members, offsets, current_user
            )
            flash(f"Incident recorded: outreach and follow-up planned for {len(members)} members.")
            return redirect(url_for(".incidents"))
    return render_template(
        "program/incidents.html", form=form, incidents=incident_service.overview()
    )
