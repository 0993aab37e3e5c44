"""Per-beat subtotals of a report: officers, stars awarded and summed metrics (ADR 0824).

Counts add up; a rate adds its numerators and its denominators (``85/87`` and
``60/63`` give ``145/150``, never an average of rates); points add as decimals. A
metric whose values cannot be added that way is left out of the subtotal (``–``).
An officer whose beat the caller did not give is counted under :data:`UNKNOWN_BEAT`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation

import attrs

from beatpolice.projections.appraisal._report import OfficerAppraisal

__all__ = ["UNKNOWN_BEAT", "BeatTotal", "beat_totals"]

UNKNOWN_BEAT = "beat not given 未注明"


@attrs.frozen
class BeatTotal:
    """One beat's subtotal (or the station's total) of a report."""

    beat: str
    badges: tuple[str, ...]
    stars: Mapping[str, int]
    """Stars awarded, by star."""
    metrics: Mapping[str, str]
    """Each metric's subtotal as text; ``–`` where it cannot be added."""


def _add(values: Sequence[int | str]) -> str:
    if all(isinstance(v, int) for v in values):
        return str(sum(int(v) for v in values))
    texts = [str(v) for v in values]
    if all("/" in t for t in texts):
        try:
            pairs = [tuple(int(part) for part in t.split("/", 1)) for t in texts]
        except ValueError:
            return "–"
        return f"{sum(p[0] for p in pairs)}/{sum(p[1] for p in pairs)}"
    try:
        return str(sum((Decimal(t) for t in texts), Decimal(0)))
    except InvalidOperation:
        return "–"


def _total(beat: str, officers: Sequence[OfficerAppraisal], keys: Sequence[str]) -> BeatTotal:
    stars: dict[str, int] = {}
    for officer in officers:
        for star in officer.awarded:
            stars[star] = stars.get(star, 0) + 1
    metrics = {
        key: _add([o.metrics[key] for o in officers if key in o.metrics])
        for key in keys
        if any(key in o.metrics for o in officers)
    }
    return BeatTotal(
        beat=beat, badges=tuple(o.badge for o in officers), stars=stars, metrics=metrics
    )


def beat_totals(
    officers: Sequence[OfficerAppraisal], beats: Mapping[str, str]
) -> tuple[list[BeatTotal], BeatTotal]:
    """Each beat's subtotal, in the order of its first officer, and the total.

    Args:
        officers: the report's officers.
        beats: each officer's beat, by badge (officers missing from it are
            :data:`UNKNOWN_BEAT`).

    Returns:
        The beats' subtotals (empty when no officer's beat is known) and the total.
    """
    keys = list(dict.fromkeys(key for o in officers for key in o.metrics))
    grouped: dict[str, list[OfficerAppraisal]] = {}
    for officer in officers:
        grouped.setdefault(beats.get(officer.badge, UNKNOWN_BEAT), []).append(officer)
    subtotals = [_total(beat, group, keys) for beat, group in grouped.items()] if beats else []
    return subtotals, _total("total 合计", officers, keys)
