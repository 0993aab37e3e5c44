"""Proposed changes to ``src/``, applied by monkeypatching so that their gain is measured.

``python -m benchmarks --patch NAME`` applies a patch in every measured process. Each patch
is a small change proposed for the code under ``src/`` (see the closing note of
docs/explanation/performance.md); it lives here only until it is applied there, and a
run with patches says so in its table and JSON.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["PATCHES", "apply_patches"]


def _check_text_fast() -> None:
    """``check_text``: skip the per-character scan when ``str.isprintable()`` holds.

    A printable string has no character of the categories Cc, Cf, Cs, Co or Cn (Python
    counts every "Other" character as unprintable), so the scan can only refuse text
    that ``isprintable`` already flags: the verdict is unchanged. The patch swaps the
    function's code object, because pydantic's validators hold the function itself.
    """
    from beatpolice.domain import values

    values.check_text.__code__ = _fast_check_text.__code__


def _fast_check_text(value: str) -> str:
    # runs with the globals of beatpolice.domain.values (unicodedata, the categories)
    if not value.strip():
        raise ValueError("must not be empty or blank")
    if value.isprintable():
        return value
    for position, char in enumerate(value):
        if unicodedata.category(char) in _FORBIDDEN_CATEGORIES and char not in "\n\t":  # type: ignore[name-defined]  # noqa: F821
            raise ValueError(
                f"must not contain control or zero-width characters "
                f"(U+{ord(char):04X} at position {position})"
            )
    return value


PATCHES: dict[str, Callable[[], None]] = {
    "check-text-fast": _check_text_fast,
}


def apply_patches(names: list[str]) -> None:
    """Apply the named patches, in order."""
    for name in names:
        PATCHES[name]()
