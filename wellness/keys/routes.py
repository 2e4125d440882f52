"""The coordinator's recovery page: restore someone's access after a password reset."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from wellness.accounts import service as accounts
from wellness.accounts.access import roles_required
from wellness.accounts.models import Role
from wellness.cases import rekeying
from wellness.crypto.errors import RecoveryCodeError
from wellness.keys.forms import RestoreAccessForm

bp = Blueprint("keys", __name__, url_prefix="/coordinator")


@bp.route("/restore-access", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def restore_access() -> Response | str:
    form = RestoreAccessForm()
    if form.validate_on_submit():
        user = accounts.find_user(form.username.data)
        if user is None:
            form.username.errors.append("No account has that username.")
        else:
            try:
                rekeying.restore_access(user, form.code.data, current_user, form.safety_code.data)
            except RecoveryCodeError as exc:
                form.code.errors.append(f"That recovery code does not work: {exc}.")
            except rekeying.RestoreError as exc:
                form.safety_code.errors.append(str(exc))
            else:
                flash(f"Access restored for {user.username}.")
                return redirect(url_for(".restore_access"))
    return render_template("keys/restore_access.html", form=form)
