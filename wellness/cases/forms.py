"""Counselor and coordinator forms for working a case."""

from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from wellness.accounts.models import SupporterType
from wellness.cases import lifecycle
from wellness.cases.lifecycle import OUTCOMES
from wellness.forms import CheckboxesField, Form, once_field, tags_field
from wellness.program import configuration
from wellness.program.models import RESOURCE_KINDS
from wellness.referrals.forms import TEXT_MAX, TOPICS, _choices


class NoteForm(Form):
    restore_from = ("cases.note",)
    once = once_field()
    body = TextAreaField(
        "Note (only people holding this case can read it)",
        validators=[InputRequired(), Length(max=TEXT_MAX)],
        render_kw={"rows": 3, "maxlength": TEXT_MAX},
    )


class CheckInForm(Form):
    restore_from = ("cases.schedule_checkin",)
    once = once_field()
    due_at = DateTimeLocalField(
        "When", validators=[InputRequired()], format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
    )


# The forms with choices from the database fill them in themselves, the same way when a page
# is shown and when its form is accepted.


class PlanForm(Form):
    restore_from = ("cases.schedule_plan",)
    once = once_field()
    template = SelectField("Plan", coerce=int, validate_choice=True)
    start = DateTimeLocalField(
        "Starting from",
        validators=[InputRequired()],
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.template.choices = [
            SelectChoice(t.id, f"{t.name} ({t.offsets_hours} h)") for t in configuration.plans()
        ]


class TransferForm(Form):
    """A counselor to hand a case to; never the person handing it on (``exclude``)."""

    # Starts on "Choose…": one stray tap must not hand a case to whoever is first.
    to = SelectField(
        "Counselor",
        coerce=lambda value: int(value) if value not in (None, "", "None") else None,
        validate_choice=True,
        validators=[DataRequired(message="Choose a counselor.")],
    )

    def __init__(self, *args: object, exclude: int | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.to.choices = [SelectChoice("", "Choose a counselor…")] + [
            SelectChoice(u.id, u.display_name) for u in lifecycle.counselors() if u.id != exclude
        ]


class ReassignForm(TransferForm):
    recovery_code = StringField(
        "Program recovery code (only for a case not shared with you)",
        validators=[Optional(), Length(max=120)],
        render_kw={"autocomplete": "off"},
    )


class CloseForm(Form):
    restore_from = ("cases.close",)
    outcome = SelectField("Outcome", choices=_choices(list(OUTCOMES.items())))
    resource = SelectField("Referred to (for a referral out)", coerce=int, validate_choice=True)
    note = TextAreaField(
        "Closing note (optional, encrypted)",
        validators=[Optional(), Length(max=TEXT_MAX)],
        render_kw={"rows": 2},
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.resource.choices = [SelectChoice(0, "—")] + [
            SelectChoice(r.id, f"{r.name} ({r.kind})")
            for r in configuration.resources(listed_only=True)
        ]


PHONE = r"^\+?[0-9][0-9 ().-]{1,38}$"
PHONE_MESSAGE = "Digits, spaces and + ( ) - . only, e.g. 555 0100 or +1 555 0100."
RESOURCE_TOPICS = [*TOPICS, ("crisis", "In crisis now"), ("retirement", "Retirement")]


class ResourceForm(Form):
    once = once_field()
    name = StringField("Name", validators=[InputRequired(), Length(max=120)])
    kind = SelectField("Kind", choices=_choices([(k, k) for k in RESOURCE_KINDS]))
    contact = StringField("Phone, address or web site", validators=[Optional(), Length(max=200)])
    notes = StringField(
        "Notes (hours, cost, who it suits)", validators=[Optional(), Length(max=500)]
    )
    active = BooleanField("Listed", default=True)
    public = BooleanField("Also on the public “Other places to turn” page")
    phone = StringField(
        "Number to call (for a one-tap call link)",
        validators=[Optional(), Length(max=40), Regexp(PHONE, message=PHONE_MESSAGE)],
    )
    text_number = StringField(
        "Number to text (for a one-tap text link)",
        validators=[Optional(), Length(max=40), Regexp(PHONE, message=PHONE_MESSAGE)],
    )
    topics = CheckboxesField(
        "Topics it helps with (none: everything)",
        choices=_choices(RESOURCE_TOPICS),
        validators=[Optional()],
    )


class PlanTemplateForm(Form):
    name = StringField("Name", validators=[InputRequired(), Length(max=80)])
    offsets = StringField(
        "Hours after the start, comma-separated",
        validators=[InputRequired(), Length(max=200)],
        description="e.g. 24,72,168,720,2160 for +1 d, +3 d, +7 d, +30 d, +90 d",
    )


class AvailabilityForm(Form):
    available = BooleanField("Available for new cases")
    on_call = BooleanField("On call for crisis referrals")


class CounselorForm(Form):
    """A counselor's profile, kept by the coordinator (never by an admin: routing is theirs)."""

    supporter_type = SelectField(
        "Supporter type",
        choices=[SelectChoice(t.value, t.value.capitalize()) for t in SupporterType],
    )
    specialties = tags_field("Specialties", "Separate with commas, e.g. critical incident, grief.")
    languages = tags_field("Languages", "Separate with commas, e.g. English, Spanish.")
    available = BooleanField("Available for new cases")
    on_call = BooleanField("On call for crisis referrals")
    caseload_cap = IntegerField("Caseload cap", validators=[InputRequired(), NumberRange(0, 100)])


class SafetyCodeForm(Form):
    """The safety code a person reads out from their own Account page."""

    safety_code = StringField(
        "Safety code they read to you",
        validators=[InputRequired(message="Type the code they read to you."), Length(max=40)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
