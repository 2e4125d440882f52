"""What every notice says: fixed sentences that name no one and nothing about a case."""

MESSAGES = {
    "new_referral": "A new referral is waiting for you.",
    "crisis": "A crisis referral needs you now.",
    "queue": "A referral is waiting in the coordinator's queue.",
    "crisis_unrouted": "A crisis referral has no on-call counselor. It needs someone now.",
    "crisis_routed": "A crisis referral came in and a counselor was paged. You are told of "
    "every crisis.",
    "needs_outside": "A referral is waiting for someone to assign it. A coordinator can do so "
    "from the queue with the program recovery code.",
    "message": "There is a new message on one of your cases.",
    "withdrawn": "A referral you were handling has been withdrawn.",
    "reply": "Someone has replied to your referral.",
    "checkin": "You have a check-in waiting.",
    "checkin_answered": "A check-in on one of your cases has been answered.",
    "checkin_missed": "A check-in on one of your cases was not answered.",
    "deadline_missed": "A referral has passed its first-contact deadline.",
    "assigned": "A case has been assigned to you.",
    "declined": "Someone has declined follow-up on one of your cases.",
    "key_alert": "A security check failed. IT should run the key check on the server now.",
    "audit_alert": "The access log check failed. IT should run 'audit verify' on the server now.",
    "account_change": "An account change is waiting for a coordinator's confirmation.",
    "role_confirmed": "Someone was confirmed as a counselor or coordinator. If you did not "
    "expect this, check the team page now.",
    "password_reset": "Your password was reset by an administrator. If you did not ask for "
    "this, tell your coordinator now.",
    "authenticator_reset": "Your authenticator was reset by an administrator. If you did not "
    "ask for this, tell your coordinator now.",
    "email_changed": "The e-mail address for your notices was changed. If you did not ask for "
    "this, tell your coordinator now.",
}
