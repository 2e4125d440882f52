"""Admin forms for accounts and units. Choices are filled in by the view from the database."""

from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Regexp

from wellness.accounts.forms import notice_address_field
from wellness.accounts.models import DISPLAY_NAME_MAX, USERNAME_MAX, Role
from wellness.agency.models import UNIT_NAME_MAX
from wellness.forms import CheckboxesField, Form


def role_choices() -> list[SelectChoice]:
    return [SelectChoice(r.value, r.value.capitalize()) for r in Role]


class UserForm(Form):
    display_name = StringField(
        "Full name", validators=[InputRequired(), Length(max=DISPLAY_NAME_MAX)]
    )
    unit = SelectField("Unit", coerce=int, validate_choice=True)
    email = notice_address_field(
        "Only ever receives 'something is waiting' notices. Stored encrypted. Suggest a "
        "personal address: work mail is readable by the agency's mail administrators."
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


class UnitForm(Form):
    name = StringField("Name", validators=[InputRequired(), Length(max=UNIT_NAME_MAX)])
    parent = SelectField("Reports to", coerce=int, validate_choice=True)
    supervisor = SelectField("Supervisor", coerce=int, validate_choice=True)
