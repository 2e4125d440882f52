"""Sign in (password, then TOTP for staff), sign out, and the person's own account page."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from wellness.accounts import service, sessions, signin, totp
from wellness.accounts.access import safe_next, start_page
from wellness.accounts.forms import LoginForm, NoticeAddressForm, PasswordChangeForm, TotpForm
from wellness.accounts.models import CASE_ROLES, User
from wellness.accounts.passwords import WeakPasswordError
from wellness.crypto import keypairs
from wellness.extensions import limiter, login_manager
from wellness.keys import service as keys
from wellness.main import drafts, held
from wellness.notifications import push
from wellness.notifications import service as notifications
from wellness.training import service as training

bp = Blueprint("auth", __name__)


def login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    sid, skey = session.get("sid"), session.get("skey")
    if not sid or not isinstance(skey, bytes) or not user_id.isdigit():
        return None
    user = sessions.resume_session(sid, skey, int(user_id))
    if user is None:
        g.session_lapsed = True  # it ended: the idle limit passed (or it was ended elsewhere)
    return user


@login_manager.unauthorized_handler
def sign_in_first() -> Response:
    """A page that needs signing in: say why, keep what was typed into a form that was sent
    (it is put back once they are in again), and come back to the same page afterwards."""
    page = drafts.keep() or (request.path if request.method == "GET" else None)
    if g.get("session_lapsed"):
        flash(SIGNED_OUT_IDLE + (" What you typed has been kept." if drafts.restorable() else ""))
    else:
        flash("Please sign in to continue.")
    return redirect(url_for("auth.login", next=page) if page else url_for("auth.login"))


SIGNED_OUT_IDLE = (
    "You were signed out after a while without activity, so nobody else can see your pages. "
    "Please sign in again."
)


# Pages that must work for everyone, even with the database down, never look at the account.
NO_ACCOUNT_CHECK = {"static", "referrals.crisis", "main.health", "main.ready"}


@bp.before_app_request
def require_fresh_password() -> Response | None:
    allowed = {"auth.password", "auth.logout", *NO_ACCOUNT_CHECK}
    if request.endpoint in allowed:
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        return redirect(url_for("auth.password"))
    return None


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def login() -> Response | str:
    if current_user.is_authenticated:
        return redirect(start_page(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user, private = signin.sign_in(
                form.username.data, form.password.data, signin.login_policy()
            )
        except signin.AccountError as exc:
            form.form_errors.append(str(exc))
        else:
            back_to = safe_next(request.args.get("next"))
            kept = held.keep_across_sign_in(user.id, kinds=(drafts.KIND,))
            session.clear()  # nothing from before sign-in carries over (session fixation)
            session.update(kept)  # (what they typed, held under a key only this browser has)
            if back_to:
                session["next"] = back_to
            second_factor = signin.needs_second_factor(user)
            session["sid"], session["skey"] = sessions.start_session(
                user, private, verified=not second_factor
            )
            if second_factor:
                session["pending"] = user.id
                return redirect(url_for(".verify" if user.totp_enrolled else ".enrol"))
            return _finish_login(user)
    return render_template("auth/login.html", form=form)


def _pending_user() -> User | None:
    if "pending" not in session or "sid" not in session or "skey" not in session:
        return None
    return sessions.pending_user(session["sid"], session["skey"], session["pending"])


def _pending_private() -> bytes:
    """The key the password step unlocked, from the session waiting for its second factor."""
    return sessions.session_private_key(session["sid"], session["skey"])


def _finish_login(user: User) -> Response:
    sid, session_key = session["sid"], session["skey"]
    back_to, kept = session.get("next"), held.keep_across_sign_in(user.id, kinds=(drafts.KIND,))
    sessions.mark_verified(sid)
    session.clear()
    session["sid"], session["skey"] = sid, session_key
    session.update(kept)
    login_user(user)
    going_to = safe_next(back_to)
    if (
        going_to is None
        and not kept
        and not user.has_role(*CASE_ROLES)
        and training.needs_acknowledgment(user.id)
    ):
        # The one page a new policy version adds to signing in, with "Not now" first. Never
        # when they were on their way somewhere (a page that needed signing in, typing kept
        # from before), nor for counselors and coordinators, who may be signing in to answer a
        # crisis: for them, and whenever they go on, the header's "Training new" says it waits.
        return redirect(url_for("training.acknowledge", next=start_page(user)))
    return redirect(going_to or start_page(user))


@bp.route("/session/alive")
@login_required
def alive() -> Response:
    """Still here: the idle clock starts again (the page's "stay signed in" button)."""
    return Response(status=204)


@bp.route("/login/verify", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def verify() -> Response | str:
    user = _pending_user()
    if user is None or not user.totp_enrolled:
        flash("Please sign in again.")
        return redirect(url_for(".login"))
    form = TotpForm()
    if form.validate_on_submit():
        try:
            signin.check_totp(user, form.code.data, _pending_private())
        except signin.InvalidTotpError as exc:
            form.code.errors.append(str(exc))
        else:
            signin.clear_failures(user)
            return _finish_login(user)
    return render_template("auth/verify.html", form=form)


@bp.route("/login/enrol", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def enrol() -> Response | str:
    user = _pending_user()
    if user is None or user.totp_enrolled:
        flash("Please sign in again.")
        return redirect(url_for(".login"))
    # Kept server-side, encrypted under the session key: never in the (signed, not encrypted)
    # cookie, and unreadable from the database alone.
    secret = sessions.enrol_secret(session["sid"], session["skey"], totp.new_secret)
    form = TotpForm()
    if form.validate_on_submit():
        try:
            signin.check_totp(user, form.code.data, _pending_private(), new_secret=secret)
        except signin.InvalidTotpError as exc:
            form.code.errors.append(str(exc))
        else:
            return _finish_login(user)
    uri = totp.provisioning_uri(secret, user.username, current_app.config["TOTP_ISSUER"])
    return render_template("auth/enrol.html", form=form, qr=totp.qr_svg(uri), secret=secret)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    sid = session.get("sid")
    if sid:
        sessions.end_session(sid)
    logout_user()
    session.clear()
    flash("You are signed out.")
    return redirect(url_for(".login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account() -> Response | str:
    form = NoticeAddressForm(data={"email": service.email_address(current_user) or ""})
    if form.validate_on_submit():
        service.set_notice_address(current_user, (form.email.data or "").strip() or None)
        flash("Saved. Notices go there from now on." if form.email.data else "Saved: no e-mails.")
        return redirect(url_for(".account"))
    return render_template(
        "account/account.html",
        user=current_user,
        form=form,
        safety_code=keypairs.safety_code(current_user.public_key),
        notices=notifications.unread(current_user.id),
        messages=notifications.MESSAGES,
        push_devices=push.subscribed(current_user.id),
    )


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password() -> Response | str:
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            service.change_password(current_user, form.current.data, form.new.data)
        except service.InvalidCredentialsError as exc:
            form.current.errors.append(str(exc))
        except WeakPasswordError as exc:
            form.new.errors.append(str(exc))
        else:
            # Every session ended with the change; this browser gets a fresh one with the key.
            session.clear()
            session["sid"], session["skey"] = sessions.start_session(
                current_user, keys.unlock(current_user, form.new.data), verified=True
            )
            login_user(current_user)
            flash("Your password has been changed.")
            return redirect(url_for(".account"))
    return render_template("account/password.html", form=form)
