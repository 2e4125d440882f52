"""The front door: what this is, where to get help now, and the way in; and health checks."""

from flask import Blueprint, Response, render_template
from sqlalchemy import text

from wellness.extensions import db

bp = Blueprint("main", __name__)


@bp.route("/")
def home() -> str:
    return render_template("main/home.html")


@bp.route("/healthz")
def health() -> Response:
    """Liveness, for a load balancer or monitor: the process answers. Touches no database."""
    return Response("ok\n", mimetype="text/plain")


@bp.route("/readyz")
def ready() -> Response:
    """Readiness: the database answers too (else the 503 page of errors/routes.py)."""
    db.session.execute(text("SELECT 1"))
    return Response("ready\n", mimetype="text/plain")
