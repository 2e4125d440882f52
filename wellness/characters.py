"""Characters nobody types on purpose, refused wherever text is stored. Pure: no Flask.

Control characters (other than tab and line breaks) corrupt logs and exports. Format
characters are invisible: bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069)
make a name or a note read differently from what it holds, zero-width spaces, the byte-order
mark, soft hyphens and tag characters hide text inside text, and the Unicode line and paragraph
separators (U+2028, U+2029) break lines where nothing shows it. None has a place in a request,
a note or a name, and all are a known smuggling trick. The two joiners (U+200C, U+200D) stay:
scripts such as Persian and Devanagari, and emoji sequences, need them to render correctly.
"""

from __future__ import annotations

import unicodedata

ALLOWED_CONTROLS = frozenset("\t\n\r")
ALLOWED_FORMAT = frozenset("\u200c\u200d")  # zero-width non-joiner, zero-width joiner
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
MESSAGE = (
    "This contains an invisible or direction-changing character (a control character, a "
    "right-to-left override, a zero-width space or a line separator) that cannot be stored. "
    "Please remove it (retyping the text usually does)."
)


def refused(text: str) -> str | None:
    """The first character of ``text`` that may not be stored, or None."""
    for char in text:
        if char in ALLOWED_CONTROLS or char in ALLOWED_FORMAT:
            continue
        if unicodedata.category(char) in REFUSED_CATEGORIES:
            return char
    return None


def describe(char: str) -> str:
    """How a refused character is named in a command-line error: its code point and name."""
    return f"U+{ord(char):04X} {unicodedata.name(char, 'control character')}"
