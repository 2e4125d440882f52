"""Follow-up check-ins and first-contact deadlines, and the scheduler that runs the unattended
jobs (dispatch, missed, escalation, e-mail)."""
