"""Pages anyone may open before asking (no sign-in, nothing logged per visitor): the peer team
and the resources the program refers to; and the counselor's own public profile."""

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
    url_for,
)
from flask_login import current_user

from wellness.accounts.access import roles_required
from wellness.accounts.models import Role
from wellness.directory import forms, photos
from wellness.directory import service as directory
from wellness.forms import CsrfForm
from wellness.program import configuration
from wellness.program import crisis as crisis_numbers
from wellness.referrals.forms import TOPICS

bp = Blueprint("directory", __name__)
TOPIC_NAMES = dict(TOPICS) | {"crisis": "In crisis now", "retirement": "Retirement"}


@bp.route("/peer-team")
def team() -> str:
    """ "Our peer team": everyone who publishes a profile, and who can take a request now."""
    return render_template("directory/team.html", people=directory.published(), topics=TOPIC_NAMES)


@bp.route("/peer-team/<int:user_id>/photo")
def photo(user_id: int) -> Response:
    """A published profile's photo (re-encoded on upload: no metadata); a counselor also sees
    their own before publishing."""
    data = directory.photo(user_id)
    if data is None and current_user.is_authenticated and current_user.id == user_id:
        own = current_user.counselor  # read only: no profile is made for someone who has none
        data = own.photo if own else None
    if data is None:
        abort(404)
    return Response(data, mimetype="image/jpeg")


@bp.route("/resources")
def resources() -> str:
    """Where to turn besides the peer team, by topic, with one-tap call and text links."""
    topic = request.args.get("topic") or None
    if topic not in (None, *TOPIC_NAMES):
        topic = None  # an unknown topic shows everything, never an error
    return render_template(
        "directory/resources.html",
        resources=configuration.public_resources(topic),
        topic=topic,
        topics=TOPIC_NAMES,
        numbers=crisis_numbers.load(current_app.instance_path),
    )


@bp.route("/account/profile", methods=["GET", "POST"])
@roles_required(Role.COUNSELOR)
def profile() -> Response | str:
    """The counselor's public profile: their own words, whom they serve, a photo, and whether
    it is published. (Type, topics and languages are routing's, kept by the coordinator.)"""
    own = directory.profile_of(current_user)
    form = forms.ProfileForm(
        data=None
        if request.method == "POST"
        else {
            "published": own.published,
            "public_name": own.public_name or current_user.display_name,
            "background": own.background,
            "serves": own.serves or ["members"],
        }
    )
    if form.validate_on_submit():
        directory.save_profile(
            current_user,
            directory.ProfileFields(
                form.published.data,
                form.public_name.data,
                form.background.data or "",
                list(form.serves.data or []),
            ),
        )
        flash("Profile saved." + (" It is on the public page." if form.published.data else ""))
        return redirect(url_for(".profile"))
    return render_template(
        "directory/profile.html", form=form, photo_form=forms.PhotoForm(), profile=own
    )


@bp.route("/account/profile/photo", methods=["POST"])
@roles_required(Role.COUNSELOR)
def profile_photo() -> Response | tuple[str, int]:
    """Upload (re-encoded, metadata stripped) or remove the profile photo."""
    form = forms.PhotoForm()
    if form.validate_on_submit():
        upload = form.photo.data
        try:
            if form.remove.data:
                directory.set_photo(current_user, None)
                flash("Photo removed.")
            else:
                data = b""
                if upload:
                    with upload.stream:  # (spooled to a temporary file when large)
                        data = upload.read()
                directory.set_photo(current_user, data)
                flash("Photo saved.")
            return redirect(url_for(".profile"))
        except photos.PhotoError as exc:
            form.photo.errors = [str(exc)]
    own = directory.profile_of(current_user)
    page = render_template(
        "directory/profile.html",
        form=forms.ProfileForm(
            formdata=None,  # (this request posted the photo, not the profile)
            data={
                "published": own.published,
                "public_name": own.public_name or current_user.display_name,
                "background": own.background,
                "serves": own.serves or ["members"],
            },
        ),
        photo_form=form,
        profile=own,
    )
    return page, 400


@bp.route("/coordinator/team/<int:user_id>/public-profile", methods=["POST"])
@roles_required(Role.COORDINATOR)
def hide(user_id: int) -> Response:
    """The coordinator hides a published profile from the public page, or shows it again."""
    if not CsrfForm().validate_on_submit():
        abort(400)
    hidden = request.form.get("hidden") == "1"
    directory.set_hidden(user_id, hidden)
    flash("Profile hidden from the public page." if hidden else "Profile shown again.")
    return redirect(url_for("team.team"))
