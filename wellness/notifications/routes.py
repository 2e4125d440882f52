"""Turning push on or off for this browser (opt-in; JavaScript only, as Web Push is): the
page's script sends the browser's subscription here, with the page's CSRF token."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, jsonify, redirect, request, url_for
from flask_login import current_user, login_required

from wellness.forms import CsrfForm
from wellness.notifications import push

bp = Blueprint("push", __name__, url_prefix="/push")


@bp.route("/key")
@login_required
def key() -> Response:
    """The VAPID public key the browser subscribes with."""
    return jsonify({"key": push.public_key()})


@bp.route("/subscribe", methods=["POST"])
@login_required
def subscribe() -> tuple[Response, int]:
    """Keep this browser's subscription for the signed-in person."""
    try:
        subscription = push.parse(request.get_json(silent=True))
    except push.SubscriptionError as exc:
        return jsonify({"error": str(exc)}), 400
    push.subscribe(current_user.id, subscription)
    return jsonify({"ok": True}), 201


@bp.route("/off", methods=["POST"])
@login_required
def off_everywhere() -> Response:
    """Turn push off on every device (works without JavaScript: a lost phone)."""
    if not CsrfForm().validate_on_submit():
        abort(400)
    gone = push.unsubscribe_all(current_user.id)
    flash(f"Notices turned off on {gone} {'device' if gone == 1 else 'devices'}.")
    return redirect(url_for("auth.account"))


@bp.route("/unsubscribe", methods=["POST"])
@login_required
def unsubscribe() -> tuple[Response, int]:
    """Forget this browser's subscription."""
    given = request.get_json(silent=True)
    endpoint = given.get("endpoint") if isinstance(given, dict) else None
    if not isinstance(endpoint, str) or len(endpoint) > push.ENDPOINT_MAX:
        abort(400)
    push.unsubscribe(current_user.id, endpoint)
    return jsonify({"ok": True}), 200
