"""The front door: what this is, where to get help now, and the way in."""

from flask import Blueprint, render_template

bp = Blueprint("main", __name__)


@bp.route("/")
def home() -> str:
    return render_template("main/home.html")
