"""Cases: their encrypted content, who holds their keys, their life with a counselor, and
their end (closing, retention, destruction)."""
