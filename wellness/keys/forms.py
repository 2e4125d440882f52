"""The coordinator's form for restoring someone's access after a password reset. Every
field is bounded on the server."""

from wtforms import StringField
from wtforms.validators import InputRequired, Length

from wellness.accounts.models import USERNAME_MAX
from wellness.forms import Form


class RestoreAccessForm(Form):
    username = StringField(
        "Username of the person whose password was reset",
        validators=[InputRequired(), Length(max=USERNAME_MAX)],
        render_kw={"autocapitalize": "none", "spellcheck": "false"},
    )
    safety_code = StringField(
        "Their safety code, as they read it to you",
        validators=[InputRequired(), Length(max=40)],
        description="On their own Account page. Ask them in person, or on a phone number you "
        "know is theirs: if someone else has taken over the account, it will not match.",
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    code = StringField(
        "Program recovery code",
        validators=[InputRequired(), Length(max=120)],
        description="The code printed when the program was set up, e.g. "
        "C318H-38W8X-… Dashes and spaces do not matter.",
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
