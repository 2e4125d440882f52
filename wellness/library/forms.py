"""The coordinator's article form."""

from __future__ import annotations

from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from wellness.forms import Form
from wellness.library.service import TOPICS

BODY_MAX = 20_000


class ArticleForm(Form):
    title = StringField("Title", validators=[InputRequired(), Length(max=120)])
    topic = SelectField("Topic", choices=[SelectChoice(k, v) for k, v in TOPICS.items()])
    summary = StringField(
        "One line on the library's list", validators=[Optional(), Length(max=200)]
    )
    body = TextAreaField(
        "Article (Markdown)",
        validators=[InputRequired(), Length(max=BODY_MAX)],
        description="Headings with ##, lists with -, links as [words](https://…) or "
        "[call](tel:988). No images or HTML. End with the ways to ask for help.",
        render_kw={"rows": 18, "maxlength": BODY_MAX},
    )
    published = BooleanField("Published (anyone can read it)", default=True)
