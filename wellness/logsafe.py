"""Logging that cannot leak what someone typed.

Exception messages (and SQL errors, which quote parameters) may carry case content or names,
so an unhandled error is logged as its type and the code locations it passed, never its text.
"""

from __future__ import annotations

import traceback


def describe_exception(exc: BaseException) -> str:
    """'KeyError; at wellness/x.py:12 in f <- ...': enough to find the bug, nothing typed."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = " <- ".join(
        f"{_short(frame.filename)}:{frame.lineno} in {frame.name}"
        for frame in reversed(frames[-8:])
    )
    return f"{type(exc).__module__}.{type(exc).__qualname__}; at {where or 'unknown'}"


def _short(filename: str) -> str:
    for marker in ("/wellness/", "/site-packages/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename.rsplit("/", 1)[-1]
