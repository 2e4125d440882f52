"""The coordinator's team page: counselors, their caseloads and availability, and what is
waiting for a coordinator's confirmation (separation of duties, accounts/grants.py)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from wellness.accounts import grants
from wellness.accounts import service as accounts
from wellness.accounts.access import roles_required
from wellness.accounts.models import CounselorProfile, Role, RoleGrant, User
from wellness.audit import service as audit
from wellness.cases import forms
from wellness.cases import service as case_service
from wellness.extensions import db
from wellness.forms import CsrfForm, parse_tags

bp = Blueprint("team", __name__, url_prefix="/coordinator/team")


@bp.before_request
@roles_required(Role.COORDINATOR)
def only_coordinators() -> None:
    """Every page here is for coordinators only."""
    return None


@bp.route("/")
def team() -> str:
    """The team page: counselors' caseloads and availability, what waits for confirmation, and
    recent role changes and resets."""
    rows = db.session.execute(
        select(User, CounselorProfile).join(CounselorProfile).order_by(User.display_name)
    ).all()
    names = dict(db.session.execute(select(User.id, User.display_name)).all())
    return render_template(
        "program/team.html",
        rows=rows,
        loads=case_service.open_caseloads(),
        waiting=grants.waiting(),
        events=audit.account_events(),
        names=names,
    )


def _counselor(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.counselor is None:
        abort(404)
    return user


@bp.route("/<int:user_id>", methods=["POST"])
def set_availability(user_id: int) -> Response:
    """Save a counselor's availability and on-call status from the team page."""
    user = _counselor(user_id)
    form = forms.AvailabilityForm()
    if form.validate_on_submit():
        accounts.save_counselor_profile(
            user, available=form.available.data, on_call=form.on_call.data
        )
        flash(f"Saved for {user.display_name}.")
    return redirect(url_for(".team"))


@bp.route("/<int:user_id>/profile", methods=["GET", "POST"])
def profile(user_id: int) -> Response | str:
    """Edit a counselor's profile: supporter type, specialties, languages, availability, cap."""
    user = _counselor(user_id)
    saved = user.counselor
    form = forms.CounselorForm(
        data={
            "supporter_type": saved.supporter_type.value,
            "specialties": ", ".join(saved.specialties or []),
            "languages": ", ".join(saved.languages or []),
            "available": saved.available,
            "on_call": saved.on_call,
            "caseload_cap": saved.caseload_cap,
        }
    )
    if form.validate_on_submit():
        accounts.save_counselor_profile(
            user,
            supporter_type=form.supporter_type.data,
            specialties=parse_tags(form.specialties.data),
            languages=parse_tags(form.languages.data),
            available=form.available.data,
            on_call=form.on_call.data,
            caseload_cap=form.caseload_cap.data,
        )
        flash(f"Profile saved for {user.display_name}.")
        return redirect(url_for(".team"))
    return render_template("program/profile.html", user=user, form=form)


def _decide(action, form=None) -> Response:  # type: ignore[no-untyped-def]
    form = form or CsrfForm()
    if not form.validate_on_submit():
        flash(next(iter(form.errors.values()), ["Please try again."])[0])
        return redirect(url_for(".team"))
    try:
        done = action()
    except grants.GrantError as exc:
        flash(str(exc))
    else:
        flash(done)
    return redirect(url_for(".team"))


def _grant(grant_id: int) -> RoleGrant:
    return db.session.get(RoleGrant, grant_id) or abort(404)


@bp.route("/grants/<int:grant_id>/approve", methods=["POST"])
def approve(grant_id: int) -> Response:
    """Confirm a proposed role, once the person's safety code matches."""
    grant = _grant(grant_id)

    form = forms.SafetyCodeForm()

    def act() -> str:
        grants.approve(grant, current_user, form.safety_code.data)
        return f"{grant.user.display_name} is now a {grant.role}."

    return _decide(act, form)


@bp.route("/grants/<int:grant_id>/refuse", methods=["POST"])
def refuse(grant_id: int) -> Response:
    """Turn a proposed role down."""
    grant = _grant(grant_id)

    def act() -> str:
        grants.refuse(grant, current_user)
        return "Proposal refused."

    return _decide(act)


@bp.route("/<int:user_id>/confirm", methods=["POST"])
def confirm(user_id: int) -> Response:
    """Confirm a person after a reset, by their safety code, so they receive cases again."""
    user = db.session.get(User, user_id) or abort(404)

    form = forms.SafetyCodeForm()

    def act() -> str:
        grants.confirm_person(user, current_user, form.safety_code.data)
        return f"{user.display_name} is confirmed and can receive cases again."

    return _decide(act, form)
