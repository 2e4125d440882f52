"""The front door: what this is, where to get help now, and the way in; and health checks."""

import json
from datetime import datetime
from pathlib import Path

from flask import Blueprint, Response, current_app, g, render_template, url_for
from sqlalchemy import text

from wellness.extensions import db
from wellness.program import limits
from wellness.timeutil import to_zone

bp = Blueprint("main", __name__)


@bp.route("/")
def home() -> str:
    return render_template("main/home.html")


@bp.route("/manifest.webmanifest")
def manifest() -> Response:
    """What a phone needs to put the site on its home screen as an app (no app store)."""
    name = current_app.config["AGENCY_NAME"]
    icons = [
        {"src": url_for("static", filename=f"icons/{f}"), "sizes": s, "type": "image/png"} | extra
        for f, s, extra in (
            ("icon-192.png", "192x192", {}),
            ("icon-512.png", "512x512", {}),
            ("maskable-512.png", "512x512", {"purpose": "maskable"}),
        )
    ]
    body = {
        "name": name,
        "short_name": name[:12],
        "description": "Confidential peer support: ask for help, by name or anonymously.",
        "start_url": url_for("referrals.hub"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#faf8f5",
        "theme_color": "#1e4a8c",
        "icons": icons,
    }
    return Response(json.dumps(body), mimetype="application/manifest+json")


@bp.route("/sw.js")
def service_worker() -> Response:
    """The service worker, from the site's root so that it may keep the crisis page offline
    (its code is static/sw.js; served here, never cached, so an update reaches everyone)."""
    path = Path(current_app.static_folder or "") / "sw.js"
    response = Response(path.read_text(encoding="utf-8"), mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    return response


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
