"""Training forms: acknowledging the policy, answering a bulletin, and what coordinators and
admins write (a policy version, a bulletin)."""

from __future__ import annotations

from wtforms import HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from wellness.forms import Form, once_field
from wellness.training import rules
from wellness.training.models import (
    ANSWER_MAX,
    BULLETIN_TEXT_MAX,
    CHANGES_MAX,
    POLICY_MAX,
    TITLE_MAX,
)
from wellness.training.service import TOPICS


class AcknowledgeForm(Form):
    # The version the page showed: a version published while it was open is not acknowledged
    # unread.
    version = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=1_000_000)])
    next = HiddenField(validators=[Optional(), Length(max=500)])


class AnswerForm(Form):
    choice = RadioField("Your answer", coerce=int, validators=[InputRequired()])

    def __init__(self, answers: list[str], **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.choice.choices = [SelectChoice(i, text) for i, text in enumerate(answers)]

    def validate(self, extra_validators: object = None) -> bool:
        valid = super().validate(extra_validators)  # type: ignore[arg-type]
        if self.choice.errors:  # none, or one that is not on the page: the same plain words
            self.choice.errors = ["Choose one of the answers."]
        return valid


class PolicyForm(Form):
    title = StringField("Title", validators=[InputRequired(), Length(max=TITLE_MAX)])
    changes = StringField(
        "What changed",
        validators=[InputRequired(), Length(max=CHANGES_MAX)],
        description="One or two sentences: members read this before the text.",
    )
    body = TextAreaField(
        "The policy (Markdown)",
        validators=[InputRequired(), Length(max=POLICY_MAX)],
        description="Headings with ##, lists with - or 1., links as [words](https://…). "
        "No images or HTML.",
        render_kw={"rows": 24, "maxlength": POLICY_MAX},
    )
    once = once_field()


def _answer(number: int) -> StringField:
    # Any may be left blank: the rules want two to five, and say so.
    return StringField(f"Answer {number}", validators=[Optional(), Length(max=ANSWER_MAX)])


class BulletinForm(Form):
    title = StringField("Title", validators=[InputRequired(), Length(max=TITLE_MAX)])
    topic = SelectField("Topic", choices=[SelectChoice(k, v) for k, v in TOPICS.items()])
    situation = TextAreaField(
        "The situation",
        validators=[InputRequired(), Length(max=BULLETIN_TEXT_MAX)],
        render_kw={"rows": 4, "maxlength": BULLETIN_TEXT_MAX},
    )
    question = StringField("The question", validators=[InputRequired(), Length(max=ANSWER_MAX)])
    answer_1 = _answer(1)
    answer_2 = _answer(2)
    answer_3 = _answer(3)
    answer_4 = _answer(4)
    answer_5 = _answer(5)
    correct = RadioField(
        "Which answer is the policy's?",
        coerce=int,
        choices=[SelectChoice(i, f"Answer {i + 1}") for i in range(rules.ANSWERS_MAX)],
        validators=[InputRequired("Choose which answer is the policy's.")],
    )
    why = TextAreaField(
        "Why (shown after answering)",
        validators=[InputRequired(), Length(max=BULLETIN_TEXT_MAX)],
        render_kw={"rows": 3, "maxlength": BULLETIN_TEXT_MAX},
    )
    ask = StringField(
        "One line on how to ask for help", validators=[InputRequired(), Length(max=ANSWER_MAX)]
    )
    once = once_field()

    def answers(self) -> list[str]:
        return [
            (getattr(self, f"answer_{i}").data or "").strip()
            for i in range(1, rules.ANSWERS_MAX + 1)
        ]

    def fields(self) -> rules.BulletinFields:
        """The bulletin as typed; the policy's answer counted among the answers given (blank
        ones are dropped)."""
        typed = self.answers()
        chosen = self.correct.data
        if chosen is None or not 0 <= chosen < len(typed) or not typed[chosen]:
            correct = -1
        else:
            correct = sum(1 for text in typed[:chosen] if text)
        return rules.BulletinFields(
            self.title.data or "",
            self.topic.data or "",
            self.situation.data or "",
            self.question.data or "",
            tuple(text for text in typed if text),
            correct,
            self.why.data or "",
            self.ask.data or "",
        )

    def fill(self, answers: list[str], correct: int) -> None:
        """Show a stored bulletin's answers in the form (its other fields come from ``obj``)."""
        for i in range(rules.ANSWERS_MAX):
            getattr(self, f"answer_{i + 1}").data = answers[i] if i < len(answers) else ""
        self.correct.data = correct
