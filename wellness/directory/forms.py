"""The counselor's public profile form."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from wellness.directory.service import SERVES
from wellness.forms import CheckboxesField, Form


class ProfileForm(Form):
    published = BooleanField("Show my profile on the public “Our peer team” page")
    public_name = StringField(
        "Name to show",
        validators=[InputRequired(), Length(max=80)],
        description="As colleagues know you, e.g. “Kelly R.” or “Sgt. Kelly Reyes”.",
    )
    background = TextAreaField(
        "About you, in your own words",
        validators=[Optional(), Length(max=600)],
        description="Up to 600 characters: years of service, assignments, what you have been "
        "through that others might be going through. Nothing you would not say to a stranger.",
        render_kw={"rows": 5, "maxlength": 600},
    )
    serves = CheckboxesField(
        "Whom you are ready to support",
        choices=[SelectChoice(value, label) for value, label in SERVES],
        validators=[Optional()],
    )


class PhotoForm(Form):
    photo = FileField("A photo of you (optional)", description="JPEG or PNG, up to 8 MB.")
    remove = BooleanField("Remove my photo")
