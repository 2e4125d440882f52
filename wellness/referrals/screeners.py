"""Self-screeners scored by their published rules. Pure: no Flask, nothing stored.

PHQ-9 (Kroenke, Spitzer & Williams 2001), GAD-7 (Spitzer et al. 2006), PCL-5 (Weathers et al.,
National Center for PTSD, 2013) and AUDIT-C (Bush et al. 1998) are free to use. Scores are shown
to the officer only, and kept only if they attach the result to a referral.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class ScreenerError(ValueError):
    """Answers that do not fit the screener (wrong count or out of range)."""


@dataclass(frozen=True)
class Band:
    low: int
    high: int
    label: str
    explanation: str


@dataclass(frozen=True)
class Screener:
    key: str
    title: str
    intro: str
    items: tuple[str, ...]
    choices: tuple[str, ...]  # answer i scores i
    bands: tuple[Band, ...]
    # Item (0-based) whose answer above 0 signals risk: crisis help is shown first.
    risk_item: int | None = None
    # Where each item has answers of its own (AUDIT-C), instead of ``choices``.
    item_choices: tuple[tuple[str, ...], ...] = ()
    # Shown before the questions (AUDIT-C's standard drink).
    note: str = ""

    def choices_for(self, item: int) -> tuple[str, ...]:
        return self.item_choices[item] if self.item_choices else self.choices

    @property
    def questions(self) -> list[tuple[str, tuple[str, ...]]]:
        """Each item with its own answers, in order (answer i scores i)."""
        return [(text, self.choices_for(i)) for i, text in enumerate(self.items)]

    @property
    def max_score(self) -> int:
        return sum(len(self.choices_for(i)) - 1 for i in range(len(self.items)))


@dataclass(frozen=True)
class Result:
    screener: str
    answers: tuple[int, ...]
    score: int
    band: Band
    risk: bool


TWO_WEEKS = ("Not at all", "Several days", "More than half the days", "Nearly every day")

PHQ9 = Screener(
    "phq9",
    "Mood (PHQ-9)",
    "Over the last 2 weeks, how often have you been bothered by any of the following problems?",
    (
        "Little interest or pleasure in doing things",
        "Feeling down, depressed, or hopeless",
        "Trouble falling or staying asleep, or sleeping too much",
        "Feeling tired or having little energy",
        "Poor appetite or overeating",
        "Feeling bad about yourself — or that you are a failure or have let yourself or your "
        "family down",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite — "
        "being so fidgety or restless that you have been moving around a lot more than usual",
        "Thoughts that you would be better off dead or of hurting yourself in some way",
    ),
    TWO_WEEKS,
    (
        Band(0, 4, "minimal", "Few signs of depression right now."),
        Band(5, 9, "mild", "Some signs of low mood. Talking to a peer supporter can help early."),
        Band(
            10, 14, "moderate", "Signs of depression that are worth talking through with someone."
        ),
        Band(
            15,
            19,
            "moderately severe",
            "Signs of depression that a counselor or clinician should help with soon.",
        ),
        Band(20, 27, "severe", "Strong signs of depression. Please reach out to someone today."),
    ),
    risk_item=8,
)

GAD7 = Screener(
    "gad7",
    "Anxiety (GAD-7)",
    "Over the last 2 weeks, how often have you been bothered by the following problems?",
    (
        "Feeling nervous, anxious, or on edge",
        "Not being able to stop or control worrying",
        "Worrying too much about different things",
        "Trouble relaxing",
        "Being so restless that it is hard to sit still",
        "Becoming easily annoyed or irritable",
        "Feeling afraid, as if something awful might happen",
    ),
    TWO_WEEKS,
    (
        Band(0, 4, "minimal", "Few signs of anxiety right now."),
        Band(5, 9, "mild", "Some signs of anxiety. Talking it over can help."),
        Band(10, 14, "moderate", "Signs of anxiety that are worth talking through with someone."),
        Band(15, 21, "severe", "Strong signs of anxiety. A counselor or clinician can help."),
    ),
)

PCL5 = Screener(
    "pcl5",
    "Stress after a hard call (PCL-5)",
    "Below is a list of problems that people sometimes have in response to a very stressful "
    "experience. Keeping your worst stressful experience in mind, read each problem carefully "
    "and choose how much you have been bothered by that problem in the past month.",
    (
        "Repeated, disturbing, and unwanted memories of the stressful experience?",
        "Repeated, disturbing dreams of the stressful experience?",
        "Suddenly feeling or acting as if the stressful experience were actually happening "
        "again (as if you were actually back there reliving it)?",
        "Feeling very upset when something reminded you of the stressful experience?",
        "Having strong physical reactions when something reminded you of the stressful "
        "experience (for example, heart pounding, trouble breathing, sweating)?",
        "Avoiding memories, thoughts, or feelings related to the stressful experience?",
        "Avoiding external reminders of the stressful experience (for example, people, places, "
        "conversations, activities, objects, or situations)?",
        "Trouble remembering important parts of the stressful experience?",
        "Having strong negative beliefs about yourself, other people, or the world (for "
        "example, having thoughts such as: I am bad, there is something seriously wrong with "
        "me, no one can be trusted, the world is completely dangerous)?",
        "Blaming yourself or someone else for the stressful experience or what happened after it?",
        "Having strong negative feelings such as fear, horror, anger, guilt, or shame?",
        "Loss of interest in activities that you used to enjoy?",
        "Feeling distant or cut off from other people?",
        "Trouble experiencing positive feelings (for example, being unable to feel happiness "
        "or have loving feelings for people close to you)?",
        "Irritable behavior, angry outbursts, or acting aggressively?",
        "Taking too many risks or doing things that could cause you harm?",
        "Being \u201csuperalert\u201d or watchful or on guard?",
        "Feeling jumpy or easily startled?",
        "Having difficulty concentrating?",
        "Trouble falling or staying asleep?",
    ),
    ("Not at all", "A little bit", "Moderately", "Quite a bit", "Extremely"),
    (
        Band(
            0,
            30,
            "below the usual cut-off",
            "Your answers are below the level that usually suggests PTSD. Hard calls still "
            "take a toll; talking helps.",
        ),
        Band(
            31,
            32,
            "near the cut-off",
            "Your answers are just at the start of the range that can suggest PTSD. A "
            "conversation with a counselor is a good next step.",
        ),
        Band(
            33,
            80,
            "above the usual cut-off",
            "Your answers are at a level that often goes with PTSD. It is treatable: please "
            "talk to a clinician.",
        ),
    ),
)

AUDITC = Screener(
    "auditc",
    "Alcohol (AUDIT-C)",
    "Three questions about your drinking over the past year.",
    (
        "How often do you have a drink containing alcohol?",
        "How many standard drinks containing alcohol do you have on a typical day?",
        "How often do you have six or more drinks on one occasion?",
    ),
    (),
    (
        Band(
            0,
            2,
            "below the cut-off",
            "Your score is below the level that suggests a problem, for women (3 or more) "
            "and for men (4 or more).",
        ),
        Band(
            3,
            3,
            "positive screen for women",
            "For women a score of 3 or more is a positive screen; for men the cut-off is 4. "
            "It may be worth a look at how drinking fits your life.",
        ),
        Band(
            4,
            12,
            "positive screen",
            "At or above the cut-off for men (4 or more) and for women (3 or more): your "
            "drinking may be affecting your health or safety. A peer supporter who knows this "
            "ground can help, confidentially.",
        ),
    ),
    item_choices=(
        (
            "Never",
            "Monthly or less",
            "2 to 4 times a month",
            "2 to 3 times a week",
            "4 or more times a week",
        ),
        ("1 or 2", "3 or 4", "5 or 6", "7 to 9", "10 or more"),
        ("Never", "Less than monthly", "Monthly", "Weekly", "Daily or almost daily"),
    ),
    note="One standard drink (US) holds about 14 grams of pure alcohol: 12 ounces of regular "
    "beer (about 5% alcohol), 5 ounces of wine (about 12%), or 1.5 ounces of distilled spirits "
    "(about 40%). Scores run from 0 to 12: 4 or more is a positive screen for men, 3 or more "
    "for women (Bush et al. 1998; Bradley et al. 2007).",
)

SCREENERS = {s.key: s for s in (PHQ9, GAD7, PCL5, AUDITC)}


def score(key: str, answers: Sequence[int]) -> Result:
    """Score a completed screener; ScreenerError if it is unknown or the answers do not fit."""
    screener = SCREENERS.get(key)
    if screener is None:
        raise ScreenerError("unknown screener")
    values = tuple(int(a) for a in answers)
    if len(values) != len(screener.items) or any(
        not 0 <= v < len(screener.choices_for(i)) for i, v in enumerate(values)
    ):
        raise ScreenerError(f"answer all {len(screener.items)} questions")
    total = sum(values)
    band = next(b for b in screener.bands if b.low <= total <= b.high)
    risk = screener.risk_item is not None and values[screener.risk_item] > 0
    return Result(key, values, total, band, risk)
