"""The coordinator's (or an admin's) training pages: publishing a version of the policy, and
keeping the queue of daily bulletins. Only the app factory imports this module."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from wellness.accounts.access import roles_required
from wellness.extensions import db
from wellness.library import render
from wellness.main import once
from wellness.training import rules
from wellness.training import service as training
from wellness.training.access import MANAGERS, links
from wellness.training.forms import BulletinForm, PolicyForm
from wellness.training.models import Bulletin

bp = Blueprint("training_manage", __name__, url_prefix="/training/manage")
bp.context_processor(links)


@bp.route("/policy", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def policy() -> Response | str:
    """Publish a new version (with a preview of the rendered text first)."""
    current = training.current_policy()
    form = PolicyForm(data={"title": current.title, "body": current.body} if current else None)
    if form.validate_on_submit() and request.form.get("action") == "publish":
        fields = rules.PolicyFields(form.title.data, form.body.data, form.changes.data)
        try:
            version = once.run(
                form.once.data,
                lambda: training.publish_policy(fields, current_user.id, training.today()),
            )
        except once.AlreadyDone:
            flash("That version was published already.")
        except training.PublishClashError as exc:
            flash(str(exc))
        else:
            flash(
                f"Version {version.number} published. Every member is asked to acknowledge it "
                "when they next sign in."
            )
        return redirect(url_for("training.policy"))
    return render_template(
        "training/manage_policy.html",
        form=form,
        current=current,
        preview=render.to_html(form.body.data)
        if request.method == "POST" and form.body.data
        else "",
    )


@bp.route("/bulletins", methods=["GET", "POST"], defaults={"queued_id": None})
@bp.route("/bulletins/<int:queued_id>", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def bulletins(queued_id: int | None) -> Response | str:
    """The queue: what goes out next, in order; add a bulletin, or change one not yet out."""
    editing = None if queued_id is None else _queued_or_404(queued_id)
    form = BulletinForm(obj=editing)
    if editing is not None and request.method == "GET":
        form.fill(editing.answers, editing.correct)
    if form.validate_on_submit():
        fields = form.fields()
        try:
            once.run(
                form.once.data,
                lambda: (
                    training.edit_bulletin(editing, fields)
                    if editing
                    else training.add_bulletin(fields)
                ),
            )
        except once.AlreadyDone:
            flash("That was saved already.")
            return redirect(url_for(".bulletins"))
        except (rules.BulletinError, training.AlreadyPublishedError) as exc:
            form.form_errors.append(str(exc))
        else:
            flash("Bulletin saved." if editing else "Bulletin added to the end of the queue.")
            return redirect(url_for(".bulletins"))
    return render_template(
        "training/manage_bulletins.html",
        form=form,
        editing=editing,
        queue=training.queued(),
        recent=training.recent_bulletins(training.today()),
    )


def _queued_or_404(queued_id: int) -> Bulletin:
    """A bulletin still in the queue (a published one is never changed)."""
    found = db.session.get(Bulletin, queued_id) if queued_id < 2**31 else None
    if found is None or found.published_on is not None:
        abort(404)
    return found


@bp.route("/bulletins/<int:queued_id>/move", methods=["POST"])
@roles_required(*MANAGERS)
def move(queued_id: int) -> Response:
    """Earlier or later in the queue."""
    found = _queued_or_404(queued_id)
    try:
        training.move_bulletin(found, rules.small_number(request.form.get("place"), 1))
    except training.AlreadyPublishedError as exc:
        flash(str(exc))
    return redirect(url_for(".bulletins"))


@bp.route("/bulletins/<int:queued_id>/remove", methods=["POST"])
@roles_required(*MANAGERS)
def remove(queued_id: int) -> Response:
    """Take a bulletin out of the queue before it is published."""
    found = _queued_or_404(queued_id)
    try:
        training.remove_bulletin(found)
    except training.AlreadyPublishedError as exc:
        flash(str(exc))
    else:
        flash("Bulletin removed from the queue.")
    return redirect(url_for(".bulletins"))
