"""The officer's answer to a check-in. Every field is bounded on the server."""

from wtforms import BooleanField, HiddenField, IntegerField, RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from wellness.forms import Form
from wellness.referrals.forms import _choices

RATINGS = [
    ("1", "1 — struggling"),
    ("2", "2"),
    ("3", "3 — getting by"),
    ("4", "4"),
    ("5", "5 — doing well"),
]


class AnswerForm(Form):
    checkin = IntegerField(
        validators=[InputRequired(), NumberRange(1, 2**31 - 1)], widget=HiddenField.widget
    )
    rating = RadioField(
        "How are you doing?",
        choices=_choices(RATINGS),
        validators=[InputRequired(message="Choose a number from 1 to 5.")],
    )
    wants_contact = BooleanField("I would like someone to contact me")
    text = TextAreaField(
        "Anything to add (optional)",
        validators=[Optional(), Length(max=2000)],
        render_kw={"rows": 3, "maxlength": 2000},
    )
