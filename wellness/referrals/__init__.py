"""Asking for help: self-referrals (named or anonymous) and concern reports, their urgency,
routing each to a person, and what an officer sees of their own requests."""
