"""Training pages: the policy and its versions, acknowledging it, the daily bulletin and the
completion report (the coordinator's or admin's writing is ``training.manage``). Nothing here
links to, or reads, the confidential side: a bulletin's way to ask for help is a plain link to
the public pages."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError

from wellness.accounts.access import holds, roles_required, safe_next, start_page
from wellness.accounts.models import Role
from wellness.extensions import db
from wellness.library import render
from wellness.training import report as completion
from wellness.training import rules
from wellness.training import service as training
from wellness.training.access import MANAGERS, links
from wellness.training.forms import AcknowledgeForm, AnswerForm

bp = Blueprint("training", __name__, url_prefix="/training")
CHOSEN = "bulletin_choice"  # the answer just given, in the browser's own session, shown once
PAGE = 200  # members per page of the completion report (the CSV has everyone)


bp.context_processor(links)


@bp.app_context_processor
def training_nav() -> dict[str, object]:
    """Whether the training page has something new for the signed-in member (the in-app notice:
    "Training (new)"). Never on the pages that must work with the database down."""
    if not current_user.is_authenticated or request.endpoint in {"static", "referrals.crisis"}:
        return {"training_new": False}
    try:
        with db.session.no_autoflush:  # a read for the header: it never writes what a page made
            return {"training_new": bool(training.waiting(current_user.id, training.today()))}
    except SQLAlchemyError:
        db.session.rollback()
        return {"training_new": False}


@bp.route("/")
@login_required
def home() -> str:
    """The member's training: the policy (acknowledged or not) and the last 30 days' bulletins."""
    day = training.today()
    version = training.current_policy()
    recent = training.recent_bulletins(day)
    return render_template(
        "training/home.html",
        version=version,
        acknowledged=training.acknowledged_on(current_user.id, version.id) if version else None,
        bulletins=recent,
        answered=training.answered(current_user.id, [b.id for b in recent]),
        today=day,
    )


@bp.route("/policy")
@login_required
def policy() -> str:
    """Every version, newest first, with what changed; the current one in full."""
    versions = training.policy_versions()
    current = versions[0] if versions else None
    return render_template(
        "training/policy.html",
        versions=versions,
        version=current,
        body=render.to_html(current.body) if current else "",
        acknowledged=training.acknowledgments(current_user.id),
    )


@bp.route("/policy/<int:number>")
@login_required
def policy_version(number: int) -> str:
    version = training.policy_version(number) if number < 1_000_000 else None
    if version is None:
        abort(404)
    latest = training.current_policy()
    return render_template(
        "training/policy_version.html",
        version=version,
        body=render.to_html(version.body),
        is_current=latest is not None and latest.id == version.id,
        acknowledged=training.acknowledgments(current_user.id).get(version.id),
    )


@bp.route("/acknowledge", methods=["GET", "POST"])
@login_required
def acknowledge() -> Response | str:
    """The one page members see at sign-in while the current version waits for them: read it,
    acknowledge it, or go on and come back later."""
    back = safe_next(request.values.get("next")) or start_page(current_user)
    version = training.current_policy()
    if version is None or training.acknowledged_on(current_user.id, version.id) is not None:
        return redirect(back)
    form = AcknowledgeForm(data={"version": version.number, "next": back})
    if form.validate_on_submit():
        shown = training.policy_version(form.version.data)
        if shown is None:
            abort(404)
        training.acknowledge(current_user.id, shown, training.today())
        if shown.id == version.id:
            flash(f"Thank you: you acknowledged version {shown.number} of the policy.")
            return redirect(back)
        flash("A newer version was published while you were reading. Please read it too.")
        return redirect(url_for(".acknowledge", next=back))
    return render_template(
        "training/acknowledge.html",
        form=form,
        version=version,
        body=render.to_html(version.body),
        back=back,
        earlier=any(training.acknowledgments(current_user.id)),
    )


@bp.route("/bulletins/<int:bulletin_id>", methods=["GET", "POST"])
@login_required
def bulletin(bulletin_id: int) -> Response | str:
    """A published bulletin: answer it (a wrong answer shows why, never a penalty). Only that
    the member answered is recorded; their choice is shown back once from their own session."""
    day = training.today()
    found = training.published_bulletin(bulletin_id, day) if bulletin_id < 2**31 else None
    if found is None:
        abort(404)
    form = AnswerForm(found.answers)
    if form.validate_on_submit():
        training.answer(current_user.id, found, day)
        session[CHOSEN] = [found.id, form.choice.data]
        return redirect(url_for(".bulletin", bulletin_id=found.id))
    shown = session.pop(CHOSEN, None) if request.method == "GET" else None
    chosen = shown[1] if shown and shown[0] == found.id else None
    done = training.answered(current_user.id, [found.id]).get(found.id)
    return render_template(
        "training/bulletin.html",
        bulletin=found,
        form=form,
        chosen=chosen,
        answered_on=done,
        topic=training.TOPICS.get(found.topic, found.topic),
    )


@bp.route("/team")
@roles_required(Role.SUPERVISOR, *MANAGERS)
def team() -> str:
    """Supervisors: their units and those below; coordinators and admins: the agency. Who has
    not acknowledged the current version, and 30 days of bulletin completion."""
    units = _scope()
    found = _report(units)
    pages = max(1, -(-len(found.rows) // PAGE))
    page = min(max(rules.small_number(request.args.get("page"), 1), 1), pages)
    return render_template(
        "training/team.html",
        report=found,
        rows=found.rows[(page - 1) * PAGE : page * PAGE],
        page=page,
        pages=pages,
        agency=units is None,
        no_units=units == set(),
    )


def _scope() -> set[int] | None:
    """Whose record the signed-in person sees: the agency for a coordinator or admin whose role
    holds (a role row alone opens nothing), else the units they supervise and those below."""
    return completion.scope(current_user, any(holds(current_user, r) for r in MANAGERS))


def _report(units: set[int] | None) -> completion.Report:
    return completion.report(
        units,
        training.current_policy(),
        training.today(),
        int(current_app.config["POLICY_ACK_DAYS"]),
    )


@bp.route("/team.csv")
@roles_required(Role.SUPERVISOR, *MANAGERS)
def team_csv() -> Response:
    """The same report as CSV: completion only."""
    found = _report(_scope())
    return Response(
        completion.to_csv(found),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="training-completion.csv"'},
    )
