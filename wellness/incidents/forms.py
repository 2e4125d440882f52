"""The coordinator's form for recording a critical incident. Every field is bounded on the
server."""

from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from wellness.forms import Form
from wellness.incidents.models import INCIDENT_KINDS
from wellness.referrals.forms import _choices


class IncidentForm(Form):
    kind = SelectField(
        "What happened", choices=_choices([(k, k.capitalize()) for k in INCIDENT_KINDS])
    )
    occurred_on = DateField("Date", validators=[InputRequired()])
    members = TextAreaField(
        "Members involved (usernames, one per line)",
        validators=[InputRequired(), Length(max=20_000)],
        render_kw={"rows": 6, "autocapitalize": "none", "spellcheck": "false"},
    )
    plan = StringField(
        "Follow-up check-ins (hours after now)",
        default="24,72,168,720,2160",
        validators=[InputRequired(), Length(max=200)],
        description="Default +24 h, +72 h, +7 d, +30 d, +90 d.",
    )
