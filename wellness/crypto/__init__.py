"""Flask-free cryptography and key files. Nothing here imports Flask."""
