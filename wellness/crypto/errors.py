"""Crypto failures are explicit: a wrong key or altered data raises, it never returns garbage."""


class CryptoError(Exception):
    """Base for every failure in wellness.crypto."""


class DecryptionError(CryptoError):
    """Wrong key, altered or truncated ciphertext, or a ciphertext moved to another place."""


class RecoveryCodeError(CryptoError):
    """A recovery code that is mistyped or does not belong to this program."""
