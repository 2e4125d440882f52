"""Counselor and coordinator forms for working a case."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from wellness.cases.lifecycle import OUTCOMES
from wellness.program.models import RESOURCE_KINDS
from wellness.referrals.forms import TEXT_MAX, _choices


class NoteForm(FlaskForm):
    body = TextAreaField(
        "Note (only people holding this case can read it)",
        validators=[InputRequired(), Length(max=TEXT_MAX)],
        render_kw={"rows": 3, "maxlength": TEXT_MAX},
    )


class CheckInForm(FlaskForm):
    due_at = DateTimeLocalField(
        "When (UTC)", validators=[InputRequired()], format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
    )


class PlanForm(FlaskForm):
    template = SelectField("Plan", coerce=int, validate_choice=True)
    start = DateTimeLocalField(
        "Starting from (UTC)",
        validators=[InputRequired()],
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
    )


class TransferForm(FlaskForm):
    to = SelectField("Counselor", coerce=int, validate_choice=True)


class ReassignForm(TransferForm):
    recovery_code = StringField(
        "Program recovery code (only for a case not shared with you)",
        validators=[Optional(), Length(max=120)],
        render_kw={"autocomplete": "off"},
    )


class CloseForm(FlaskForm):
    outcome = SelectField("Outcome", choices=_choices(list(OUTCOMES.items())))
    resource = SelectField("Referred to (for a referral out)", coerce=int, validate_choice=True)
    note = TextAreaField(
        "Closing note (optional, encrypted)",
        validators=[Optional(), Length(max=TEXT_MAX)],
        render_kw={"rows": 2},
    )


class ResourceForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired(), Length(max=120)])
    kind = SelectField("Kind", choices=_choices([(k, k) for k in RESOURCE_KINDS]))
    contact = StringField("Phone, address or web site", validators=[Optional(), Length(max=200)])
    notes = StringField(
        "Notes (hours, cost, who it suits)", validators=[Optional(), Length(max=500)]
    )
    active = BooleanField("Listed", default=True)


class PlanTemplateForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired(), Length(max=80)])
    offsets = StringField(
        "Hours after the start, comma-separated",
        validators=[InputRequired(), Length(max=200)],
        description="e.g. 24,72,168,720,2160 for +1 d, +3 d, +7 d, +30 d, +90 d",
    )


class AvailabilityForm(FlaskForm):
    available = BooleanField("Available for new cases")
    on_call = BooleanField("On call for crisis referrals")
