"""The month's quota of stars (the Dezhou article: "10 people" a month), among the eligible.

See ADR 0501 for the ranking and its tie-breaks; the numbers (``quota``,
``allocation``) are the rule set's.
"""

from __future__ import annotations

from collections.abc import Sequence

from beatpolice.domain.rules.checks import OfficerResult
from beatpolice.domain.rules.ruleset import STARS, FiveStarRules

__all__ = ["allocate_stars", "award_order", "not_awarded"]


def award_order(results: Sequence[OfficerResult], rules: FiveStarRules) -> list[tuple[str, str]]:
    """Every eligible (badge, star) in the order the quota is given out (see below)."""
    queues: dict[str, list[OfficerResult]] = {
        star: sorted(
            (r for r in results if star in r.eligible),
            key=lambda r, s=star: (-r.scores[s], -len(r.eligible), r.badge),  # type: ignore[misc]
        )
        for star in STARS
    }
    order: list[tuple[str, str]] = []
    if rules.allocation == "round-robin":
        depth = max((len(queue) for queue in queues.values()), default=0)
        for position in range(depth):
            for star in STARS:
                if position < len(queues[star]):
                    order.append((queues[star][position].badge, star))
    else:
        candidates = [
            (-r.scores[star], -len(r.eligible), STARS.index(star), r.badge, star)
            for star in STARS
            for r in queues[star]
        ]
        order = [(badge, star) for *_, badge, star in sorted(candidates)]
    return order


def allocate_stars(results: Sequence[OfficerResult], rules: FiveStarRules) -> dict[str, list[str]]:
    """Award the month's quota of stars among the eligible; returns badge -> stars.

    Within a star, candidates rank by score (descending), then by how many stars they
    are eligible for (descending), then by badge (ascending). ``round-robin`` takes the
    first of every star in star order, then the second, ...; ``merit`` takes the best
    (score, eligible count, star order, badge) overall.

    Example:
        >>> from fractions import Fraction
        >>> rules = FiveStarRules(name="x", version="1", quota=1)
        >>> a = OfficerResult("A", {}, ["service"], {}, {}, {"service": Fraction(2)})
        >>> b = OfficerResult("B", {}, ["service"], {}, {}, {"service": Fraction(3)})
        >>> allocate_stars([a, b], rules)
        {'A': [], 'B': ['service']}
    """
    awarded: dict[str, list[str]] = {r.badge: [] for r in results}
    for badge, star in award_order(results, rules)[: rules.quota]:
        awarded[badge].append(star)
    return {badge: [s for s in STARS if s in stars] for badge, stars in awarded.items()}


def not_awarded(
    results: Sequence[OfficerResult], rules: FiveStarRules
) -> dict[str, dict[str, str]]:
    """Per badge, each eligible star the quota cut and why (ADR 0535): its position.

    Example:
        >>> from fractions import Fraction
        >>> rules = FiveStarRules(name="x", version="1", quota=1)
        >>> a = OfficerResult("A", {}, ["service"], {}, {}, {"service": Fraction(2)})
        >>> b = OfficerResult("B", {}, ["service"], {}, {}, {"service": Fraction(3)})
        >>> print(not_awarded([a, b], rules)["A"]["service"])  # doctest: +NORMALIZE_WHITESPACE
        cut by the quota: 2nd in the award order (2nd candidate for service, score 2),
        the month awards 1 star (round-robin)
    """
    order = award_order(results, rules)
    scores = {r.badge: r.scores for r in results}
    seen: dict[str, int] = {}
    cut: dict[str, dict[str, str]] = {r.badge: {} for r in results}
    stars = "star" if rules.quota == 1 else "stars"
    for position, (badge, star) in enumerate(order, start=1):
        seen[star] = seen.get(star, 0) + 1
        if position > rules.quota:
            cut[badge][star] = (
                f"cut by the quota: {_ordinal(position)} in the award order "
                f"({_ordinal(seen[star])} candidate for {star}, score "
                f"{scores[badge][star]}), the month awards {rules.quota} {stars} "
                f"({rules.allocation})"
            )
    return cut


def _ordinal(number: int) -> str:
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"
