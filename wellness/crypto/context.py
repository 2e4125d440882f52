"""Where a ciphertext belongs: table, row and field, bound in as AES-GCM associated data."""

from __future__ import annotations


def context(table: str, row_id: int | str, field: str) -> bytes:
    """The associated data that ties a ciphertext to one field of one row.

    A value copied to another row or field no longer authenticates, so an attacker with write
    access to the database cannot swap one officer's text into another's case.
    """
    return f"wellness:v1:{table}:{row_id}:{field}".encode()
