"""Canonical JSON by RFC 8785 (JCS), the bytes every format-2 fingerprint and digest hashes.

``rfc8785`` is the reference (a pure-Python implementation of the standard). For the
values beatpolice hashes (text, integers that are exact doubles, booleans, null, lists,
objects) orjson with sorted keys writes the same bytes, about twice as fast with the
check below (3.3 against 6.4 µs a fingerprint entry), so :func:`canonical_json` takes
that road when it can prove the bytes are the same, and the reference's otherwise. A
property test holds the two to each other.

Why the fast road is exact, case by case:

- strings: both write UTF-8 and escape only ``"``, ``\\``, and the characters below
  U+0020 (``\\b \\t \\n \\f \\r`` or ``\\u00xx``), as ECMAScript's ``JSON.stringify``;
- integers up to 2**53 - 1 in magnitude (the safe integers, the only ones the reference
  writes) print as ECMAScript prints the same double;
- object keys: RFC 8785 sorts by UTF-16 code units, orjson by code points; the two
  orders agree unless a key holds a character from U+D800 up (a surrogate pair sorts
  below U+E000-U+FFFF in UTF-16), so such keys take the reference's road;
- floats always take the reference's road (ECMAScript's shortest round-trip form).

:func:`canonical_json_each` writes many values at once (an appraisal's 10^5 fingerprint
entries): the same proof, made for the whole batch a level at a time with C-speed type
census (``set(map(type, ...))``) instead of a Python walk of each value, then one
``orjson.dumps`` call each; any batch it cannot prove takes :func:`canonical_json` value
by value. Its bytes are :func:`canonical_json`'s, value by value (a property test).

Example:
    >>> canonical_json({"b": [1, True, None], "a": "德州"})
    b'{"a":"\\xe5\\xbe\\xb7\\xe5\\xb7\\x9e","b":[1,true,null]}'
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain, compress, repeat
from operator import is_
from typing import Any

import orjson
import rfc8785

__all__ = ["canonical_json", "canonical_json_each"]

_EXACT = 2**53 - 1
"""Integers of at most this magnitude are safe integers: ECMAScript prints them as is, and
the reference refuses any beyond (2**53 itself among them)."""

_LOWEST_UNSAFE_KEY_CHAR = "\ud800"
"""From here on, code-point order and UTF-16 order of keys may differ."""


def canonical_json(value: Any) -> bytes:
    """The RFC 8785 canonical JSON of ``value`` (raises as ``rfc8785.dumps`` does)."""
    if _plain(value):
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    return rfc8785.dumps(value)


def canonical_json_each(values: Sequence[Any]) -> list[bytes]:
    """The RFC 8785 canonical JSON of each of ``values``, as :func:`canonical_json` writes it.

    Example:
        >>> canonical_json_each([["德州", 1], {"b": None, "a": True}])
        [b'["\\xe5\\xbe\\xb7\\xe5\\xb7\\x9e",1]', b'{"a":true,"b":null}']
    """
    if _all_plain(values):
        return list(map(orjson.dumps, values, repeat(None), repeat(orjson.OPT_SORT_KEYS)))
    return [canonical_json(value) for value in values]


_SCALARS = frozenset({str, bool, type(None)})
_SEQUENCES = frozenset({list, tuple})
_PLAIN = _SCALARS | _SEQUENCES | {int, dict}


def _all_plain(values: Sequence[Any]) -> bool:
    """Whether every one of ``values`` is :func:`_plain`, proved a level at a time.

    Each level is the items of the containers of the one above; a level of sequences
    of one length (a batch of entries) is taken column by column, so that a column of
    text is proved by one type census.
    """
    level: Sequence[Any] = values
    while level:
        kinds = set(map(type, level))
        if kinds <= _SCALARS:
            return True
        if not kinds <= _PLAIN:
            return False  # floats, subclasses, anything else: value by value
        if kinds <= _SEQUENCES and len(set(map(len, level))) == 1:
            return all(_all_plain(column) for column in zip(*level, strict=True))
        nested: list[Any] = []
        if int in kinds:
            numbers = list(compress(level, map(is_, map(type, level), repeat(int))))
            if min(numbers) < -_EXACT or max(numbers) > _EXACT:
                return False
        if kinds & _SEQUENCES:
            sequences = compress(level, map(_SEQUENCES.__contains__, map(type, level)))
            nested.extend(chain.from_iterable(sequences))
        if dict in kinds:
            for mapping in compress(level, map(is_, map(type, level), repeat(dict))):
                for key in mapping:
                    if type(key) is not str or (key and max(key) >= _LOWEST_UNSAFE_KEY_CHAR):
                        return False
                nested.extend(mapping.values())
        level = nested
    return True


def _plain(value: Any) -> bool:
    """Whether orjson's sorted-key JSON of ``value`` is its RFC 8785 form (see above)."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is str or kind is bool or item is None:
            continue
        if kind is int:
            if -_EXACT <= item <= _EXACT:
                continue
            return False
        if kind is list or kind is tuple:
            stack.extend(item)
            continue
        if kind is dict:
            for key in item:
                if type(key) is not str or (key and max(key) >= _LOWEST_UNSAFE_KEY_CHAR):
                    return False
            stack.extend(item.values())
            continue
        return False  # floats, subclasses, anything else: the reference decides
    return True
