"""notifications/wording.py: every notice names no one and nothing about a case."""

import re

from wellness.notifications.wording import MESSAGES

# What a notice must never carry: a name, a topic, an urgency detail beyond "crisis", a number.
TOPICS = ("alcohol", "suicide", "stress", "family", "grief", "financial", "sleep", "weapon")


def test_every_notice_is_a_fixed_sentence_naming_no_one_and_nothing():
    assert MESSAGES
    for kind, text in MESSAGES.items():
        assert re.fullmatch(r"[a-z_]+", kind)
        assert text.endswith("."), kind
        assert not re.search(r"[{%]", text), kind  # nothing is filled in
        assert not re.search(r"\d", text), kind
        assert not any(topic in text.lower() for topic in TOPICS), kind


def test_kinds_are_distinct_sentences():
    assert len(set(MESSAGES.values())) == len(MESSAGES)
