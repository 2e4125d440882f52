"""What every form shares: the base class (bounds, CSRF, no control characters) and fields.

Every form in the app derives from ``Form``. Besides Flask-WTF's CSRF check it refuses control
and invisible format characters in any text a person typed (``wellness.characters``: NUL and
escape sequences, bidirectional overrides, zero-width spaces, line separators): they have no
place in what people write, can corrupt logs and exports, and are a common smuggling trick.
The person sees which field and why, and nothing is stored.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, SelectMultipleField, StringField
from wtforms.validators import Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from wellness import characters
from wellness.main import drafts, once

CONTROL_MESSAGE = characters.MESSAGE


def has_control_characters(text: str) -> bool:
    """True when ``text`` holds a character that may not be stored (``wellness.characters``)."""
    return characters.refused(text) is not None


class Form(FlaskForm):
    # The endpoints this form posts to, where a page has more than one form with the same
    # field names (a note and a message): typing kept from one goes back into that one only.
    restore_from: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_submitted():  # a page drawn again after signing in: what was typed
            kept = drafts.restored()
            if "fields" not in kept or (
                self.restore_from and kept.get("endpoint") not in self.restore_from
            ):
                return
            for name, value in kept["fields"].items():
                field = self._fields.get(name)
                if isinstance(field, StringField) and not isinstance(
                    field, HiddenField | PasswordField
                ):
                    field.data = value

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            data = field.data
            # A password is hashed, never stored or shown as text: it may hold what it holds.
            typed = (
                isinstance(field, StringField)
                and not isinstance(field, PasswordField)
                and isinstance(data, str)
            )
            if typed and has_control_characters(data):
                field.errors = [*field.errors, CONTROL_MESSAGE]
                valid = False
        return valid


def once_field() -> HiddenField:
    """A one-time token for a form that must not be acted on twice (``main.once``)."""
    return HiddenField(default=once.new_token, validators=[Length(max=64)])


class CsrfForm(Form):
    """A form with nothing but its CSRF token (buttons that change something)."""


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


TAG_MAX, TAGS_MAX = 40, 12


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
