"""The domain's text rules as JSON Schema patterns that Python and ECMA-262 read alike.

:func:`~beatpolice.domain.values.check_text` refuses blank text and control, format
(zero-width), surrogate, private-use and unassigned characters, as *this* Python's
Unicode database classifies them; ``Name`` also refuses newlines and tabs. A JSON
Schema pattern cannot name Unicode categories portably (Python's ``re`` has no
``\\p{Cc}``, and Node's Unicode version differs from Python's), so the patterns here
list the code points themselves, as ranges computed from :mod:`unicodedata` (ADR 0812).

The dialect is the common part of Python's ``re`` and ECMA-262 with the ``u`` flag:
character classes of ``\\uXXXX`` escapes (astral code points written as themselves)
and no ``$`` (Python's ``$`` also matches before a final newline). A text is refused
by ``not`` the forbidden class, so that Ajv's message stays short.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from beatpolice.domain.values import _FORBIDDEN_CATEGORIES

__all__ = ["END", "TEXT_DEFS", "forbidden_pattern", "not_blank_pattern", "portable_pattern"]

END = r"(?![\s\S])"
"""The end of the string, in both dialects (``$`` differs between them)."""

TEXT_DEFS = {"line": "SingleLineText", "text": "Text"}
"""The ``$defs`` names of the two text rules: a ``Name`` and a longer text."""


def _ranges(codepoints: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for point in codepoints:
        if runs and runs[-1][1] == point - 1:
            runs[-1] = (runs[-1][0], point)
        else:
            runs.append((point, point))
    return runs


def _char(point: int) -> str:
    if point > 0xFFFF:
        return chr(point)  # as itself: \U and \u{...} are each one dialect's only
    return f"\\u{point:04X}"


def _class(runs: list[tuple[int, int]]) -> str:
    parts = [_char(a) if a == b else f"{_char(a)}-{_char(b)}" for a, b in runs]
    return "[" + "".join(parts) + "]"


@cache
def _refused() -> tuple[int, ...]:
    # one pass over every code point, shared by both rules
    return tuple(
        point
        for point in range(0x110000)
        if unicodedata.category(chr(point)) in _FORBIDDEN_CATEGORIES
    )


@cache
def _forbidden(*, allow_newline: bool) -> list[tuple[int, int]]:
    allowed = {ord("\n"), ord("\t")} if allow_newline else set()
    return _ranges([point for point in _refused() if point not in allowed])


@cache
def _whitespace() -> list[tuple[int, int]]:
    # str.strip() removes what str.isspace() calls whitespace
    return _ranges([point for point in range(0x110000) if chr(point).isspace()])


@cache
def not_blank_pattern() -> str:
    """The pattern of text that is not blank: some character ``str.strip`` keeps.

    Example:
        >>> import re
        >>> [bool(re.search(not_blank_pattern(), text)) for text in ("薛翠翠", " \\u3000", "")]
        [True, False, False]
    """
    space = _class(_whitespace())
    return f"^{space}*[^{space[1:]}"


@cache
def forbidden_pattern(kind: str) -> str:
    """The pattern of a character a text rule refuses, found anywhere in the text.

    Args:
        kind: ``"line"`` (a ``Name``: newlines and tabs refused too) or ``"text"``.

    Returns:
        A character class of every code point ``check_text`` refuses (for ``"line"``,
        with newline and tab).

    Example:
        >>> import re
        >>> bool(re.search(forbidden_pattern("line"), "a\\u200bb"))
        True
        >>> bool(re.search(forbidden_pattern("text"), "第一行\\n第二行"))
        False
    """
    return _class(_forbidden(allow_newline=kind == "text"))


_DOLLAR_END = re.compile(r"(?<!\\)\$$")


def portable_pattern(pattern: str) -> str:
    """A pydantic pattern with its final ``$`` written so that both dialects end there."""
    return _DOLLAR_END.sub(lambda _: END, pattern)
