"""Friendly error pages that reveal nothing, even with the database down."""
