"""The front door: what this is, where to get help now, and the way in; and health checks."""

from datetime import datetime

from flask import Blueprint, Response, current_app, g, render_template
from sqlalchemy import text

from wellness.extensions import db
from wellness.program import limits
from wellness.timeutil import to_zone

bp = Blueprint("main", __name__)


@bp.route("/")
def home() -> str:
    return render_template("main/home.html")


@bp.route("/privacy")
def privacy() -> str:
    """What stays private, its limits (the agency's words), and how it is kept, in plain words."""
    return render_template("main/privacy.html", blocks=limits.paragraphs(limits.current().full))


@bp.app_context_processor
def privacy_summary() -> dict[str, object]:
    """``limits_summary()`` for every form that takes free text (read once per request)."""

    def summary() -> str:
        if "limits_summary" not in g:
            g.limits_summary = limits.current().summary
        return g.limits_summary

    return {"limits_summary": summary}


@bp.app_template_filter("local")
def local(value: datetime, fmt: str = "%d %b %H:%M") -> str:
    """A stored (UTC) time as the agency reads it, in its time zone (the ``TIMEZONE`` setting)."""
    return to_zone(value, current_app.config["TIMEZONE"]).strftime(fmt)


@bp.app_context_processor
def time_zone() -> dict[str, object]:
    """``zone``: the name of the time zone pages show times in."""
    return {"zone": current_app.config["TIMEZONE"]}


@bp.route("/healthz")
def health() -> Response:
    """Liveness, for a load balancer or monitor: the process answers. Touches no database."""
    return Response("ok\n", mimetype="text/plain")


@bp.route("/readyz")
def ready() -> Response:
    """Readiness: the database answers too (else the 503 page of errors/routes.py)."""
    db.session.execute(text("SELECT 1"))
    return Response("ready\n", mimetype="text/plain")
