"""People and their access: accounts and roles, signing in (password, TOTP, lockout),
server-side sessions, and the two-person confirmation of case roles."""
