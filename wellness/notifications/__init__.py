"""Telling people something is waiting: in-app notices and e-mail that name no one and nothing."""
