"""What can be done with a case now, in the order it is usually needed: the case page offers
only these, each with one line on what it does. Pure: the case's state in, actions out.

The states are ``cases.lifecycle``'s: new -> contacted -> active -> closed (or referred out).
First contact and taking the case on are separate steps on purpose: "I have reached out"
stops the first-contact clock and lets whoever raised a concern see that someone has; "Take
this case on" says the counselor will work with the person from here.
"""

from __future__ import annotations

from dataclasses import dataclass

OPEN = ("new", "contacted", "active")


@dataclass(frozen=True)
class Action:
    name: str  # which form or section the page shows
    label: str
    why: str


CONTACTED = Action(
    "contacted",
    "I have reached out to them",
    "Records first contact: the first-contact clock stops, and a colleague who raised a "
    "concern sees that someone has reached out. Sending a message records it too.",
)
ACCEPT = Action(
    "accept",
    "Take this case on",
    "Says you will work with them from here. It does not record that you have reached out.",
)
MESSAGE = Action(
    "message",
    "Send a message",
    "Only they can read it, on their own page (or with their receipt code).",
)
NOTE = Action("note", "Add a note", "For the people holding this case only; they never see it.")
CHECKIN = Action(
    "checkin",
    "Schedule check-ins",
    "They are reminded when each is due and answer in a minute; you are told if they miss one.",
)
TRANSFER = Action(
    "transfer",
    "Hand it to another counselor",
    "The case key is sealed to them and removed from you.",
)
CLOSE = Action(
    "close",
    "Close the case",
    "Scheduled check-ins stop. It is destroyed after the retention period.",
)


def available(status: str, contacted: bool, accepted: bool) -> list[Action]:
    """The actions a case in this state allows, first what is usually needed first."""
    if status not in OPEN:
        return []  # closed or referred out: it can be read until it is destroyed, no more
    first = [a for a, done in ((CONTACTED, contacted), (ACCEPT, accepted)) if not done]
    return [*first, MESSAGE, NOTE, CHECKIN, TRANSFER, CLOSE]


def next_step(status: str, contacted: bool, accepted: bool) -> str:
    """One sentence for the top of the page: what the case needs now."""
    if status not in OPEN:
        return "This case is closed: nothing more can be done with it."
    if not contacted:
        return "Reach out to them, then record it here."
    if not accepted:
        return "You have reached out. Take the case on if you will keep working with them."
    return "Keep in touch: message them, note what matters, schedule check-ins."
