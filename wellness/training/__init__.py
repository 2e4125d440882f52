"""Training: the agency's help-seeking policy (versioned, acknowledged by every member) and the
daily training bulletin, with the record of who acknowledged and answered.

Walled off from everything confidential (SECURITY.md, "The training wall"): its tables point
only at accounts, never at a request, a case, a check-in or a statistic; nothing here reads
those, and nothing there imports this (the shared e-mail outbox reads a bulletin's title when it
sends its e-mail, through the writer registered in ``emails``). It is an identified training
record by design, kept to the day.
"""
