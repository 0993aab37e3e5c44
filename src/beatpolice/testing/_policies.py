"""Strategies for escalation policies, and a writer of policy files.

Generated policies are valid :class:`~beatpolice.domain.rules.escalation.EscalationPolicy`
objects over any subset of the levels, any tiers and role sets, any triage and
referral rules and deadlines. Each is named ``generated`` and versioned by the digest
of its rules, so two different generated policies never share a name and version.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from beatpolice.domain.rules.escalation import (
    DeadlineCalendar,
    DeadlineStart,
    EscalationPolicy,
    LevelRule,
    ReferralRule,
)
from beatpolice.domain.values import Level, Role

__all__ = ["policies", "policy_toml", "write_policy"]

_ROLE_SETS = st.frozensets(st.sampled_from(list(Role)), min_size=1, max_size=4)


@st.composite
def _ladder(draw: st.DrawFn) -> tuple[LevelRule, ...]:
    chosen = draw(st.sets(st.sampled_from(list(Level)), min_size=1))
    return tuple(
        LevelRule(
            level=level,
            tier=draw(
                st.sampled_from(
                    [
                        "grid",
                        "police_grid",
                        "subdistrict",
                        "village",
                        "town",
                        "county",
                        "网格",
                        "镇",
                    ]
                )
            ),
            required=tuple(draw(st.lists(_ROLE_SETS, min_size=1, max_size=3))),
            deadline_days=draw(st.none() | st.integers(min_value=1, max_value=30)),
        )
        for level in sorted(chosen, key=lambda level: level.rank)
    )


@st.composite
def _policy(draw: st.DrawFn) -> EscalationPolicy:
    draft = EscalationPolicy(
        name="generated",
        version="0",
        levels=draw(_ladder()),
        physical_conflict_level=draw(st.sampled_from(list(Level))),
        reopens_per_level=draw(st.integers(min_value=0, max_value=3)),
        referral=ReferralRule(
            from_top_only=draw(st.booleans()), counts_against_goal=draw(st.booleans())
        ),
        calendar=draw(st.sampled_from(list(DeadlineCalendar))),
        deadline_from=draw(st.sampled_from(list(DeadlineStart))),
    )
    return draft.model_copy(update={"version": draft.digest.removeprefix("sha256:")[:16]})


def policies() -> st.SearchStrategy[EscalationPolicy]:
    """Arbitrary valid escalation policies.

    Example:
        >>> from hypothesis import given
        >>> @given(policies())
        ... def test_top_is_highest(policy):
        ...     assert all(rule.level.rank <= policy.top.rank for rule in policy.levels)
        >>> test_top_is_highest()
    """
    return _policy()


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        return "[" + ", ".join(_toml_value(item) for item in items) + "]"
    raise TypeError(f"cannot write {value!r} to TOML")


def policy_toml(policy: EscalationPolicy) -> str:
    """The TOML text of ``policy``, for :func:`~beatpolice.domain.rules.escalation.load_policy`.

    Example:
        >>> import tomllib
        >>> from beatpolice.domain.rules.escalation import load_policy
        >>> policy = load_policy("fengqiao-tiers")
        >>> text = policy_toml(policy)
        >>> EscalationPolicy.model_validate(tomllib.loads(text)) == policy
        True
    """
    data = policy.model_dump(mode="json", exclude_none=True)
    lines = []
    for key, value in data.items():
        if key not in ("levels", "referral"):
            lines.append(f"{key} = {_toml_value(value)}")
    lines.append("\n[referral]")
    lines.extend(f"{key} = {_toml_value(value)}" for key, value in data["referral"].items())
    for rule in data["levels"]:
        lines.append("\n[[levels]]")
        lines.extend(f"{key} = {_toml_value(value)}" for key, value in rule.items())
    return "\n".join(lines) + "\n"


def write_policy(policy: EscalationPolicy, path: Path) -> Path:
    """Write ``policy`` as a TOML file at ``path`` (a station loads it with ``policy=path``)."""
    path.write_text(policy_toml(policy), encoding="utf-8")
    return path
