"""Program statistics for the coordinator, and the same read-only view for command staff."""

from __future__ import annotations

from flask import Blueprint, Response, render_template

from wellness.accounts.access import roles_required
from wellness.accounts.models import Role
from wellness.statistics import charts, service
from wellness.timeutil import utcnow

bp = Blueprint("statistics", __name__)


def _page(command_view: bool) -> str:
    report = service.report(utcnow().date(), completed_only=command_view)
    totals = [report.by_kind.row_totals[i] for i in range(len(report.months))]
    chart = charts.bar_chart("Referrals by month", report.months, totals)
    return render_template(
        "statistics/report.html", report=report, chart=chart, command_view=command_view
    )


@bp.route("/coordinator/statistics")
@roles_required(Role.COORDINATOR)
def coordinator() -> str:
    return _page(command_view=False)


@bp.route("/coordinator/statistics.csv")
@roles_required(Role.COORDINATOR)
def csv() -> Response:
    body = service.to_csv(service.report(utcnow().date()))
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="program-statistics.csv"'},
    )


@bp.route("/command/statistics")
@roles_required(Role.SUPERVISOR, Role.COORDINATOR)
def command() -> str:
    return _page(command_view=True)
