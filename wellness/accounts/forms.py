"""Sign-in and account forms. Every field is bounded on the server."""

from wtforms import PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, Optional, Regexp

from wellness.accounts.models import USERNAME_MAX
from wellness.accounts.passwords import MAX_LENGTH, MIN_LENGTH
from wellness.forms import Form


class LoginForm(Form):
    username = StringField(
        "Username",
        validators=[InputRequired(), Length(max=USERNAME_MAX)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        "Password",
        validators=[InputRequired(), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )


class TotpForm(Form):
    code = StringField(
        "6-digit code",
        validators=[
            InputRequired(),
            Regexp(r"^\s*\d{3}\s?\d{3}\s*$", message="Enter the 6 digits."),
        ],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": 7},
    )


class PasswordChangeForm(Form):
    current = PasswordField(
        "Current password",
        validators=[InputRequired(), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    new = PasswordField(
        "New password",
        validators=[InputRequired(), Length(min=MIN_LENGTH, max=MAX_LENGTH)],
        description=f"At least {MIN_LENGTH} characters. A few unrelated words work well.",
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "New password again",
        validators=[InputRequired(), EqualTo("new", message="The two new passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )


NOTICE_HINT = (
    "A personal address is better than a work one: your agency's mail administrators can read "
    "work mail. Notices only ever say that something is waiting, never what or from whom."
)


def notice_address_field(description: str = NOTICE_HINT) -> StringField:
    """The optional e-mail address notices go to (the officer's own form and the admin's)."""
    return StringField(
        "E-mail for notices (optional)",
        validators=[
            Optional(),
            Length(max=254),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="Enter an e-mail address."),
        ],
        description=description,
        render_kw={"autocomplete": "email", "inputmode": "email", "spellcheck": "false"},
    )


class NoticeAddressForm(Form):
    email = notice_address_field()
