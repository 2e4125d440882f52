"""Admin forms for accounts and units. Choices are filled in by the view from the database."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from wellness.accounts.models import DISPLAY_NAME_MAX, USERNAME_MAX, Role, SupporterType
from wellness.agency.models import UNIT_NAME_MAX

TAG_MAX, TAGS_MAX = 40, 12


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def role_choices() -> list[SelectChoice]:
    return [SelectChoice(r.value, r.value.capitalize()) for r in Role]


def parse_tags(text: str) -> list[str]:
    """'English, Spanish' -> ['English', 'Spanish'], without blanks or repeats."""
    tags: list[str] = []
    for part in (text or "").split(","):
        tag = " ".join(part.split())
        if tag and tag.lower() not in (t.lower() for t in tags):
            tags.append(tag)
    return tags


def tags_field(label: str, description: str) -> StringField:
    def check(form: FlaskForm, field: StringField) -> None:
        tags = parse_tags(field.data)
        if len(tags) > TAGS_MAX or any(len(t) > TAG_MAX for t in tags):
            raise ValidationError(f"At most {TAGS_MAX} entries of up to {TAG_MAX} characters each.")

    return StringField(
        label, validators=[Optional(), Length(max=600), check], description=description
    )


class UserForm(FlaskForm):
    display_name = StringField(
        "Full name", validators=[InputRequired(), Length(max=DISPLAY_NAME_MAX)]
    )
    unit = SelectField("Unit", coerce=int, validate_choice=True)
    email = StringField(
        "E-mail for notices (optional)",
        validators=[
            Optional(),
            Length(max=254),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="Enter an e-mail address."),
        ],
        description="Only ever receives 'something is waiting' notices. Stored encrypted.",
    )
    roles = CheckboxesField(
        "Roles",
        choices=role_choices(),
        validators=[InputRequired(message="Choose at least one role.")],
    )


class UserCreateForm(UserForm):
    username = StringField(
        "Username",
        validators=[
            InputRequired(),
            Length(min=3, max=USERNAME_MAX),
            Regexp(
                r"^[A-Za-z0-9._-]+$", message="Letters, digits, dots, dashes and underscores only."
            ),
        ],
        render_kw={"autocapitalize": "none", "spellcheck": "false"},
    )


class UserEditForm(UserForm):
    active = BooleanField("Account active")


class CounselorForm(FlaskForm):
    supporter_type = SelectField(
        "Supporter type",
        choices=[SelectChoice(t.value, t.value.capitalize()) for t in SupporterType],
    )
    specialties = tags_field("Specialties", "Separate with commas, e.g. critical incident, grief.")
    languages = tags_field("Languages", "Separate with commas, e.g. English, Spanish.")
    available = BooleanField("Available for new cases")
    on_call = BooleanField("On call for crisis referrals")
    caseload_cap = IntegerField("Caseload cap", validators=[InputRequired(), NumberRange(0, 100)])


class UnitForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired(), Length(max=UNIT_NAME_MAX)])
    parent = SelectField("Reports to", coerce=int, validate_choice=True)
    supervisor = SelectField("Supervisor", coerce=int, validate_choice=True)
