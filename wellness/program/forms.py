"""The coordinator's program settings forms: the on-call crisis numbers and the agency's words
on what stays private."""

from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from wellness.forms import Form


class CrisisNumbersForm(Form):
    on_call_label = StringField(
        "Who answers the on-call line",
        validators=[Optional(), Length(max=100)],
        description="e.g. Peer support on-call counselor",
    )
    on_call_phone = StringField(
        "On-call phone number",
        validators=[
            Optional(),
            Length(max=40),
            Regexp(r"^[0-9+() .-]*$", message="Digits, spaces, + ( ) - only."),
        ],
    )
    note = StringField(
        "A short note shown under the numbers (optional)", validators=[Optional(), Length(max=200)]
    )


class LimitsForm(Form):
    """The agency's words on what stays private and its limits (coordinator)."""

    summary = TextAreaField(
        "Short statement, shown above every form where someone writes",
        validators=[DataRequired(), Length(max=600)],
        render_kw={"rows": 4, "maxlength": 600},
    )
    full = TextAreaField(
        "The full text, on the Privacy page",
        validators=[DataRequired(), Length(max=8000)],
        description="Blank lines separate paragraphs; lines starting with '- ' make a list.",
        render_kw={"rows": 16, "maxlength": 8000},
    )
