"""IT administration: accounts, roles, units. Admins never see case content (none is here)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from wellness.accounts import service as accounts
from wellness.accounts.access import roles_required
from wellness.accounts.models import Role, User, UserRole
from wellness.accounts.passwords import temporary_password
from wellness.admin.forms import CounselorForm, UnitForm, UserCreateForm, UserEditForm, parse_tags
from wellness.agency import service as agency
from wellness.agency.models import Unit
from wellness.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE_SIZE = 50
NONE = 0  # the "no unit / no supervisor" choice in selects


@bp.before_request
@roles_required(Role.ADMIN)
def only_admins() -> None:
    return None


def _unit_choices(blank: str) -> list[SelectChoice]:
    return [SelectChoice(NONE, blank)] + [
        SelectChoice(row.unit.id, "— " * row.depth + row.unit.name)
        for row in agency.units_in_tree_order()
    ]


def _get_user(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


@bp.route("/")
def users() -> str:
    query = (request.args.get("q") or "").strip()[:64]
    page = request.args.get("page", 1, type=int)
    stmt = select(User).options(selectinload(User.unit)).order_by(User.username)
    if query:
        stmt = stmt.where(User.username.contains(query.lower(), autoescape=True))
    result = db.paginate(stmt, page=max(page, 1), per_page=PAGE_SIZE, error_out=False)
    return render_template("admin/users.html", result=result, query=query)


@bp.route("/users/new", methods=["GET", "POST"])
def new_user() -> str:
    form = UserCreateForm()
    form.unit.choices = _unit_choices("No unit")
    if form.validate_on_submit():
        password = temporary_password()
        try:
            user = accounts.create_user(
                form.username.data,
                form.display_name.data,
                password,
                form.roles.data,
                unit_id=form.unit.data or None,
                must_change_password=True,
            )
            accounts.set_email_address(user, (form.email.data or "").strip() or None)
            db.session.commit()
        except accounts.AccountError as exc:
            form.username.errors.append(str(exc))
        else:
            # Shown once, in this response only: never in a URL, a flash cookie or a log.
            return render_template("admin/password_shown.html", user=user, password=password)
    return render_template("admin/user_new.html", form=form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int) -> Response | str:
    user = _get_user(user_id)
    form = _user_form(user)
    if form.validate_on_submit():
        try:
            accounts.update_user(
                user,
                form.display_name.data,
                form.unit.data or None,
                form.roles.data,
                form.active.data,
            )
        except accounts.AccountError as exc:
            form.form_errors.append(str(exc))
        else:
            accounts.set_email_address(user, (form.email.data or "").strip() or None)
            db.session.commit()
            flash("Saved.")
            return redirect(url_for(".edit_user", user_id=user.id))
    return render_template(
        "admin/user_edit.html", user=user, form=form, counselor_form=_counselor_form(user)
    )


def _user_form(user: User) -> UserEditForm:
    form = UserEditForm(
        data={
            "display_name": user.display_name,
            "unit": user.unit_id or NONE,
            "roles": [r.value for r in user.roles],
            "active": user.active,
            "email": accounts.email_address(user) or "",
        }
    )
    form.unit.choices = _unit_choices("No unit")
    return form


def _counselor_form(user: User) -> CounselorForm:
    profile = user.counselor
    if profile is None:
        return CounselorForm()
    return CounselorForm(
        data={
            "supporter_type": profile.supporter_type.value,
            "specialties": ", ".join(profile.specialties or []),
            "languages": ", ".join(profile.languages or []),
            "available": profile.available,
            "on_call": profile.on_call,
            "caseload_cap": profile.caseload_cap,
        }
    )


@bp.route("/users/<int:user_id>/counselor", methods=["POST"])
def edit_counselor(user_id: int) -> Response | str:
    user = _get_user(user_id)
    if not user.has_role(Role.COUNSELOR):
        abort(404)
    counselor_form = CounselorForm()
    if counselor_form.validate_on_submit():
        accounts.save_counselor_profile(
            user,
            supporter_type=counselor_form.supporter_type.data,
            specialties=parse_tags(counselor_form.specialties.data),
            languages=parse_tags(counselor_form.languages.data),
            available=counselor_form.available.data,
            on_call=counselor_form.on_call.data,
            caseload_cap=counselor_form.caseload_cap.data,
        )
        flash("Counselor profile saved.")
        return redirect(url_for(".edit_user", user_id=user.id))
    return render_template(
        "admin/user_edit.html", user=user, form=_user_form(user), counselor_form=counselor_form
    ), 400


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
def reset_password(user_id: int) -> str:
    user = _get_user(user_id)
    password = accounts.reset_password(user)
    return render_template("admin/password_shown.html", user=user, password=password, reset=True)


@bp.route("/users/<int:user_id>/reset-authenticator", methods=["POST"])
def reset_authenticator(user_id: int) -> Response:
    user = _get_user(user_id)
    accounts.reset_second_factor(user)
    flash("Authenticator removed. They will set up a new one at their next sign-in.")
    return redirect(url_for(".edit_user", user_id=user.id))


@bp.route("/units")
def units() -> str:
    return render_template("admin/units.html", rows=agency.units_in_tree_order())


def _supervisor_choices() -> list[SelectChoice]:
    people = db.session.scalars(
        select(User)
        .join(UserRole)
        .where(UserRole.role == Role.SUPERVISOR)
        .order_by(User.display_name)
    ).all()
    return [SelectChoice(NONE, "Nobody yet")] + [
        SelectChoice(u.id, f"{u.display_name} ({u.username})") for u in people
    ]


@bp.route("/units/new", methods=["GET", "POST"], defaults={"unit_id": None})
@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
def edit_unit(unit_id: int | None) -> Response | str:
    unit = None if unit_id is None else (db.session.get(Unit, unit_id) or abort(404))
    data = (
        {}
        if unit is None
        else {
            "name": unit.name,
            "parent": unit.parent_id or NONE,
            "supervisor": unit.supervisor_id or NONE,
        }
    )
    form = UnitForm(data=data)
    form.parent.choices = _unit_choices("Top of the agency")
    form.supervisor.choices = _supervisor_choices()
    if form.validate_on_submit():
        try:
            agency.save_unit(
                unit, form.name.data, form.parent.data or None, form.supervisor.data or None
            )
        except agency.UnitError as exc:
            form.form_errors.append(str(exc))
        else:
            flash("Unit saved.")
            return redirect(url_for(".units"))
    return render_template("admin/unit_edit.html", form=form, unit=unit)


@bp.app_context_processor
def admin_nav() -> dict[str, object]:
    is_admin = current_user.is_authenticated and current_user.has_role(Role.ADMIN)
    return {"nav_admin": is_admin}


@bp.route("/audit")
def audit_log() -> str:
    """The access log's integrity, for IT: the hash chain verified, never what was read."""
    from wellness.audit import service as audit

    problems = audit.verify()
    entries, last_hash = audit.head()
    return render_template(
        "admin/audit.html", problems=problems, entries=entries, last_hash=last_hash
    )
