"""Finding a rule set: a shipped ``NAME`` or ``NAME@VERSION``, a TOML file, or a model."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import TypeAdapter

from beatpolice.domain.errors import AppraisalError
from beatpolice.domain.rules.catalogue import SHIPPED_RULES, shipped_rules
from beatpolice.domain.rules.ruleset import FiveStarRules, RuleSet, ScorecardRules

if TYPE_CHECKING:
    from beatpolice.projections.appraisal._report import AppraisalReport

__all__ = ["SHIPPED_RULES", "load_rules", "rules_spec", "shipped_rules_of"]

_RULES_ADAPTER: TypeAdapter[RuleSet] = TypeAdapter(RuleSet)


def shipped_rules_of(report: AppraisalReport) -> RuleSet | None:
    """The shipped rule set a report names, at its version (None: a station's own file)."""
    try:
        return load_rules(f"{report.rules.name}@{report.rules.version}")
    except AppraisalError:
        return None


def load_rules(rules: str | Path | RuleSet) -> RuleSet:
    """A rule set: a shipped name (``dezhou-2014``, its latest version), a shipped
    version (``dezhou-2014@2014.1``), a TOML file path, or a model.

    Raises:
        AppraisalError: no such shipped rule set or version, or the file is not a valid one.

    Example:
        >>> load_rules("dezhou-2014@2014.1").stars.visit.households
        80
    """
    if isinstance(rules, FiveStarRules | ScorecardRules):
        return rules
    text = str(rules)
    path = Path(text)
    if text.endswith(".toml") or path.is_file():
        try:
            return _RULES_ADAPTER.validate_python(tomllib.loads(path.read_text("utf-8")))
        except (OSError, ValueError) as error:
            raise AppraisalError(f"rules: cannot load {text}: {error}") from error
    return shipped_rules(text)


def rules_spec(name: str, version: str) -> str:
    """The shipped spelling of a rule set's version: ``NAME@VERSION``."""
    return f"{name}@{version}"
