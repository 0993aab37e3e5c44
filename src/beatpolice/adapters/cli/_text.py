"""Text the command line prints, made safe for a terminal (ADR 0212).

Refusals echo field names, ``type`` values and error texts that came from an input
file; tables show names and ids that came from the store. A control character in any
of them could move the cursor, clear a line or reverse the text that follows, and so
forge a refusal or a summary. Every such text goes through :func:`printable` (plain
output) or :func:`json_safe` (JSON output) before it is written.
"""

from __future__ import annotations

import re
import unicodedata

from pydantic import ValidationError

__all__ = ["UNSAFE_CATEGORIES", "first_error", "json_safe", "printable"]

UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
"""Unicode categories escaped: controls (C0, DEL, C1), format characters (bidi
overrides and isolates, zero-width characters, the byte-order mark), lone surrogates,
and the line and paragraph separators."""

_NOT_PLAIN = re.compile(r"[^\x20-\x7e]")
_NOT_JSON_PLAIN = re.compile(r"[^\x00-\x7e]")


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _plain(match: re.Match[str]) -> str:
    char = match[0]
    return _escape(char) if unicodedata.category(char) in UNSAFE_CATEGORIES else char


def printable(text: object) -> str:
    """``text`` with every control, format and separator character escaped.

    Escapes read as in Python (``\\x1b``, ``\\u202e``, ``\\U000e0001``); a newline
    becomes ``\\x0a``, so the result is always one line. Everything else, Chinese
    text included, is kept as it is.

    Example:
        >>> printable("\\x1b[2K\\rlegacy.jsonl:1: fine\\n")
        '\\\\x1b[2K\\\\x0dlegacy.jsonl:1: fine\\\\x0a'
        >>> printable("薛翠翠 \\u202eevil")
        '薛翠翠 \\\\u202eevil'
    """
    string = str(text)
    if string.isascii() and string.isprintable():
        return string
    return _NOT_PLAIN.sub(_plain, string)


def _json_escape(match: re.Match[str]) -> str:
    char = match[0]
    code = ord(char)
    if code < 0x7F or unicodedata.category(char) not in UNSAFE_CATEGORIES:
        return char
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_safe(document: str) -> str:
    """JSON text with every unsafe character (see :data:`UNSAFE_CATEGORIES`) as ``\\uXXXX``.

    Such characters can only stand inside JSON strings, where ``\\uXXXX`` means the same
    character: the document parses to the same value. JSON encoders already escape C0
    controls; this also escapes DEL, C1 controls, format characters and separators.

    Example:
        >>> json_safe('{"name": "\\u202eevil"}')
        '{"name": "\\\\u202eevil"}'
    """
    if document.isascii() and "\x7f" not in document:
        return document
    return _NOT_JSON_PLAIN.sub(_json_escape, document)


def first_error(error: ValidationError) -> str:
    """The first of pydantic's validation errors, in one line, and how many there are."""
    details = error.errors()
    if not details:
        return str(error).splitlines()[0]
    where = ".".join(str(part) for part in details[0]["loc"]) or "(the document)"
    count = error.error_count()
    more = f" (and {count - 1} more)" if count > 1 else ""
    return f"{where}: {details[0]['msg']}{more}"
