"""IT administration: accounts, roles, units. Admins never see case content (none is here)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from wellness.accounts import grants
from wellness.accounts import service as accounts
from wellness.accounts.access import roles_required
from wellness.accounts.models import CASE_ROLES, Role, User, UserRole
from wellness.admin import service as admin_service
from wellness.admin.forms import UnitForm, UserCreateForm, UserEditForm
from wellness.agency import service as agency
from wellness.agency.models import Unit
from wellness.audit import service as audit
from wellness.extensions import db
from wellness.main import held, once
from wellness.notifications import push
from wellness.notifications import service as notifications
from wellness.transaction import use_case

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE_SIZE = 50
PASSWORD_SHOWN = "admin password"  # noqa: S105  (the kind of page held, not a password)
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
    return render_template(
        "admin/users.html",
        result=result,
        query=query,
        notices=notifications.unread(current_user.id),
        messages=notifications.MESSAGES,
    )


@bp.route("/users/new", methods=["GET", "POST"])
def new_user() -> Response | str:
    form = UserCreateForm()
    form.unit.choices = _unit_choices("No unit")
    if form.validate_on_submit():
        try:
            _create_and_hold(form)
        except accounts.AccountError as exc:
            form.username.errors.append(str(exc))
        else:
            return redirect(url_for(".password_shown"))
    return render_template("admin/user_new.html", form=form)


@use_case
def _create_and_hold(form: UserCreateForm) -> None:
    """One transaction: the account and the page showing its one-time password once, after
    the redirect (held server-side: never in a URL, a flash cookie or a log); a reload finds
    it gone, and never makes another."""
    user, password, proposed = admin_service.create_by_admin(
        form.username.data,
        form.display_name.data,
        [Role(r) for r in form.roles.data],
        form.unit.data or None,
        (form.email.data or "").strip() or None,
        current_user,
    )
    shown = {"user_id": user.id, "password": password, "proposed": [str(r) for r in proposed]}
    held.hold(PASSWORD_SHOWN, shown)


@bp.route("/users/password")
def password_shown() -> Response | str:
    page = held.take(PASSWORD_SHOWN)
    if page is None:
        flash("A one-time password is shown only once. Reset it again if it was not noted.")
        return redirect(url_for(".users"))
    user = _get_user(page.pop("user_id"))
    return render_template("admin/password_shown.html", user=user, **page)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int) -> Response | str:
    user = _get_user(user_id)
    form = _user_form(user)
    if form.validate_on_submit():
        try:
            proposed = admin_service.update_by_admin(
                user,
                form.display_name.data,
                form.unit.data or None,
                [Role(r) for r in form.roles.data],
                form.active.data,
                (form.email.data or "").strip() or None,
                current_user,
            )
        except accounts.AccountError as exc:
            form.form_errors.append(str(exc))
        else:
            flash("Saved." + _proposed_note(proposed))
            return redirect(url_for(".edit_user", user_id=user.id))
    return render_template("admin/user_edit.html", user=user, form=form, **_grant_state(user))


def _proposed_note(proposed: list[Role]) -> str:
    if not proposed:
        return ""
    return (
        f" Proposed: {', '.join(proposed)}. A coordinator confirms it with the person before "
        "it takes effect."
    )


def _grant_state(user: User) -> dict[str, object]:
    confirmed = {row.role: row.endorsement is not None for row in user.role_rows}
    return {
        "pending": grants.pending_for(user),
        "case_roles": [(r, confirmed[r]) for r in sorted(user.roles & CASE_ROLES)],
    }


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


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
def reset_password(user_id: int) -> Response:
    user = _get_user(user_id)
    try:  # a second send of the same page (Back, then again) does not reset it again
        _reset_and_hold(request.form.get("once"), user)
    except once.AlreadyDone:
        flash("That password was reset already. Reset it again if it was not noted.")
        return redirect(url_for(".edit_user", user_id=user.id))
    return redirect(url_for(".password_shown"))


@use_case
def _reset_and_hold(token: str | None, user: User) -> None:
    """One transaction: the reset, its used form token, and the page showing the password."""
    password = once.run(token, lambda: accounts.reset_password(user, current_user))
    push.unsubscribe_all(user.id)  # whoever holds their devices is told nothing more
    held.hold(PASSWORD_SHOWN, {"user_id": user.id, "password": password, "reset": True})


@bp.route("/users/<int:user_id>/reset-authenticator", methods=["POST"])
def reset_authenticator(user_id: int) -> Response:
    user = _get_user(user_id)
    accounts.reset_second_factor(user, current_user)
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
    problems = audit.verify()
    entries, last_hash = audit.head()
    return render_template(
        "admin/audit.html", problems=problems, entries=entries, last_hash=last_hash
    )
