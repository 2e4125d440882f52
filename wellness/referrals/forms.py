"""Forms for asking for help. Every field bounded on the server; choices are fixed lists."""

from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from wellness.accounts import directory as accounts_directory
from wellness.accounts.models import Role
from wellness.directory import service as directory
from wellness.forms import CheckboxesField, CsrfForm, Form, once_field
from wellness.referrals import screeners

__all__ = ["CsrfForm"]  # buttons elsewhere import it from here

TEXT_MAX = 5000
NOT_WANTED_MAX = 5
ASKERS = [
    ("member", "I work for the agency"),
    ("families", "I am family of someone who does"),
    ("retirees", "I am retired from the agency"),
]

TOPICS = [
    ("stress", "Stress"),
    ("critical incident", "A critical incident"),
    ("family", "Family or relationships"),
    ("grief", "Grief or loss"),
    ("alcohol", "Alcohol or other substances"),
    ("financial", "Money worries"),
    ("sleep", "Sleep"),
    ("other", "Something else"),
]
URGENCIES = [
    ("routine", "In the next few days is fine"),
    ("soon", "Soon — within a day"),
    ("crisis", "Now — I am in crisis or not safe"),
]
SUPPORTER_TYPES = [
    ("", "No preference"),
    ("peer", "A peer (a fellow officer or staff member)"),
    ("clinician", "A clinician (licensed counselor)"),
    ("chaplain", "A chaplain"),
]
CONTACT_METHODS = [
    ("phone", "Phone call"),
    ("text", "Text message"),
    ("email", "E-mail"),
    ("in person", "In person"),
    ("here", "Messages on this site only"),
]
BEHAVIOURS = [
    ("withdrawal", "Withdrawn or isolating"),
    ("anger", "Anger or irritability"),
    ("alcohol", "Drinking more, or alcohol on duty"),
    ("critical incident", "Exposure to a critical incident"),
    ("hopelessness", "Statements of hopelessness"),
    ("self-harm", "Talk of self-harm or suicide"),
    ("threats", "Threats to harm someone else"),
    ("weapons", "Access to weapons while in crisis"),
    ("performance", "Change in work performance"),
    ("sleep", "Exhaustion or no sleep"),
    ("family", "Family or relationship trouble"),
]


def attached_result(key: str, answers: str | None) -> screeners.Result:
    """Score an attached questionnaire; ValidationError if it does not fit the screener."""
    try:
        return screeners.score(key, [int(a) for a in (answers or "").split(",")])
    except (ValueError, screeners.ScreenerError) as exc:
        raise ValidationError("The questionnaire result could not be read.") from exc


def _choices(pairs: list[tuple[str, str]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class ReferralFields(Form):
    once = once_field()
    topics = CheckboxesField(
        "What is it about? (choose any)", choices=_choices(TOPICS), validators=[Optional()]
    )
    text = TextAreaField(
        "In your own words (optional)",
        validators=[Optional(), Length(max=TEXT_MAX)],
        description=f"Up to {TEXT_MAX} characters. Write as much or as little as you like.",
        render_kw={"rows": 6, "maxlength": TEXT_MAX},
    )
    urgency = RadioField(
        "How soon do you need someone?",
        choices=_choices(URGENCIES),
        default="routine",
        validators=[InputRequired()],
    )
    supporter_type = SelectField(
        "Who would you like to talk to?", choices=_choices(SUPPORTER_TYPES), default=""
    )
    language = StringField(
        "Language you prefer (optional)", validators=[Optional(), Length(max=40)]
    )
    # The officer's choice of whom to talk to, from the public directory (routing.py).
    ask_for = SelectField(
        "Someone you would like to talk to",
        coerce=int,
        default=0,
        validate_choice=True,
        description="From “Our peer team”. If they cannot take it now, you will be asked "
        "before anything is sent.",
    )
    not_wanted = CheckboxesField(
        "People you would rather not talk to (optional)",
        coerce=int,
        validators=[Optional()],
        description=f"Up to {NOT_WANTED_MAX} of the people on “Our peer team”. They will never be "
        "given your request.",
    )
    # A screener result carried over from the screener page; re-scored on the server.
    screener = HiddenField(validators=[Optional(), Regexp(r"^[a-z0-9]{1,10}$")])
    # No Optional() here: it would stop the check below when the answers are blank.
    screener_answers = HiddenField()

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        people = [SelectChoice(uid, name) for uid, name in directory.choices()]
        self.ask_for.choices = [SelectChoice(0, "Let the team choose"), *people]
        self.not_wanted.choices = people

    def validate_screener_answers(self, field: HiddenField) -> None:
        """An attached result that does not score is an error on this page, never dropped."""
        if self.screener.data:
            attached_result(self.screener.data, field.data)

    def validate_not_wanted(self, field: CheckboxesField) -> None:
        if len(field.data or []) > NOT_WANTED_MAX:
            raise ValidationError(f"Choose at most {NOT_WANTED_MAX} people.")
        if self.ask_for.data and self.ask_for.data in (field.data or []):
            raise ValidationError("You asked for this person and also said you would rather not.")


class SelfReferralForm(ReferralFields):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Signed in, anyone on the team may be excluded, published or not (the anonymous form
        # lists only the public page's people: the rest of the team is not public).
        self.not_wanted.choices = [
            SelectChoice(row.id, row.display_name)
            for row in accounts_directory.ready_names(Role.COUNSELOR)
        ]
        self.not_wanted.description = (
            f"Anyone on the team, up to {NOT_WANTED_MAX}. They will never be given your request."
        )

    contact_method = SelectField(
        "How should we reach you?", choices=_choices(CONTACT_METHODS), default="phone"
    )
    contact_details = StringField(
        "Phone number or e-mail (optional)", validators=[Optional(), Length(max=200)]
    )
    contact_time = StringField(
        "Good times to reach you (optional)", validators=[Optional(), Length(max=100)]
    )


class AnonymousReferralForm(ReferralFields):
    contact_details = StringField(
        "A way to reach you, only if you want to (optional)",
        validators=[Optional(), Length(max=200)],
        description="Leave this empty to stay anonymous: you will read replies here with your "
        "receipt code.",
    )
    unit = SelectField(
        "Your unit (optional)",
        coerce=int,
        validate_choice=True,
        description="Only used so that your request does not go to someone you "
        "work with. It is not stored.",
    )
    outside_unit = BooleanField("I want someone outside my unit")
    asker = RadioField("Who is asking?", choices=_choices(ASKERS), default="member")

    def validate_outside_unit(self, field: BooleanField) -> None:
        if field.data and not self.unit.data:
            raise ValidationError(
                "Choose your unit above so we can keep your request away from it (it is not "
                "stored), or untick this."
            )

    def validate(self, extra_validators: object = None) -> bool:
        """An anonymous request needs something to go on: a topic or a few words (a crisis
        request says enough by itself: it is never refused for being short)."""
        valid = super().validate(extra_validators)
        said = self.topics.data or (self.text.data or "").strip() or self.urgency.data == "crisis"
        if valid and not said:
            self.form_errors.append(
                "Choose at least one topic or write a few words, so the team knows how to help."
            )
            return False
        return valid


class ConcernForm(Form):
    once = once_field()
    colleague = StringField(
        "Who are you concerned about?",
        validators=[InputRequired(), Length(max=120)],
        description="Their full name or username.",
    )
    behaviours = CheckboxesField(
        "What have you noticed? (choose any)", choices=_choices(BEHAVIOURS), validators=[Optional()]
    )
    critical_incident = BooleanField("They were involved in a critical incident recently")
    text = TextAreaField(
        "Anything else we should know (optional)",
        validators=[Optional(), Length(max=TEXT_MAX)],
        render_kw={"rows": 5, "maxlength": TEXT_MAX},
    )
    urgency = RadioField(
        "How urgent is it?",
        default="routine",
        validators=[InputRequired()],
        choices=_choices(
            [
                ("routine", "Within a few days"),
                ("soon", "Within a day"),
                ("crisis", "Now — they may not be safe"),
            ]
        ),
    )


class SupervisorReportForm(ConcernForm):
    observed_on = StringField(
        "When did you observe this? (optional)", validators=[Optional(), Length(max=60)]
    )
    actions_taken = TextAreaField(
        "What have you already done? (optional)",
        validators=[Optional(), Length(max=2000)],
        render_kw={"rows": 3, "maxlength": 2000},
    )


class MessageForm(Form):
    restore_from = (
        "cases.message",
        "referrals.receipt_message",
        "referrals.my_referral_message",
    )
    once = once_field()
    body = TextAreaField(
        "Your message",
        validators=[InputRequired(), Length(max=TEXT_MAX)],
        render_kw={"rows": 4, "maxlength": TEXT_MAX},
    )


class ReceiptForm(Form):
    code = StringField(
        "Your receipt code",
        validators=[InputRequired(), Length(max=40)],
        description="The code you were shown, e.g. K7QM-3XPD-9RTA-2WHN.",
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )


class ReceiptMessageForm(ReceiptForm, MessageForm):
    pass


class WithdrawForm(Form):
    confirm = BooleanField(
        "Yes, destroy this request and everything written in it",
        validators=[InputRequired(message="Tick the box to confirm.")],
    )


class ReachOutForm(Form):
    """One tap from a risky questionnaire result: ask for someone to reach out now. A result
    that does not score never stops the request: it is sent without it (``result``)."""

    screener = HiddenField(validators=[Optional(), Length(max=10)])
    screener_answers = HiddenField(validators=[Optional(), Length(max=120)])
    once = once_field()
    named = HiddenField()

    def result(self) -> screeners.Result | None:
        try:
            return attached_result(self.screener.data or "", self.screener_answers.data)
        except ValidationError:
            return None
