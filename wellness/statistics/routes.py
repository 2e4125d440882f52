"""Program statistics: the coordinator's exact working view, and the releases that everyone
else (command staff, every export) sees."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template

from wellness.accounts.access import roles_required
from wellness.accounts.models import Role
from wellness.statistics import charts, release, releases, service
from wellness.timeutil import utcnow

bp = Blueprint("statistics", __name__)


def _published() -> dict[str, object]:
    today = utcnow().date()
    rows = releases.published(today)
    epsilon = float(current_app.config["RELEASE_EPSILON"])
    case_scale, checkin_scale = release.scales(epsilon)
    totals = [r.figures["total"] for r in rows]
    return {
        "releases": rows,
        "chart": charts.bar_chart(
            "Requests by period (released)",
            [r.period for r in rows],
            [t if t >= release.SMALL else None for t in totals],
        ),
        "epsilon": epsilon,
        "yearly": releases.yearly_budget(epsilon),
        "margin": release.margin_95(case_scale),
        "checkin_margin": release.margin_95(checkin_scale),
        "shown": release.shown,
        "rate": release.completion_rate,
        "kinds": release.KINDS,
        "urgencies": release.URGENCIES,
        "buckets": [b for b, _ in release.CONTACT_BUCKETS],
    }


@bp.route("/coordinator/statistics")
@roles_required(Role.COORDINATOR)
def coordinator() -> str:
    work = service.working(utcnow().date())
    return render_template(
        "statistics/coordinator.html", work=work, command_view=False, **_published()
    )


@bp.route("/statistics/releases.csv")
@roles_required(Role.SUPERVISOR, Role.COORDINATOR)
def csv() -> Response:
    """The releases, the same for every role: never the coordinator's exact numbers."""
    body = releases.to_csv(releases.published(utcnow().date()))
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="program-releases.csv"'},
    )


@bp.route("/command/statistics")
@roles_required(Role.SUPERVISOR, Role.COORDINATOR)
def command() -> str:
    return render_template("statistics/command.html", command_view=True, **_published())
