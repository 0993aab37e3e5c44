"""The shipped rule sets, by name and version: ``NAME`` is the latest, ``NAME@VERSION`` one.

Each shipped rule set is a folder of ``beatpolice/domain/rules/rulesets/`` named after
it, holding one TOML file per version (``dezhou-2014/2014.1.toml``). A version, once
shipped, stays shipped unchanged: a report names the version it was computed under and
replays under it forever (ADR 0536). A new reading of a rule set ships as a new file
beside the old ones, and becomes what the plain name means.

Versions are ordered by their dot-separated parts, numbers as numbers
(``2014.2`` < ``2014.10``), so the latest is the greatest.

Example:
    >>> shipped_rules("dezhou-2014@2014.1").version
    '2014.1'
    >>> "2014.1" in shipped_versions("dezhou-2014")
    True
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

from pydantic import TypeAdapter, ValidationError

from beatpolice.domain.errors import AppraisalError
from beatpolice.domain.rules.ruleset import RuleSet

__all__ = [
    "SHIPPED_RULES",
    "latest_version",
    "parse_rules_name",
    "shipped_names",
    "shipped_rules",
    "shipped_versions",
]

_ADAPTER: TypeAdapter[RuleSet] = TypeAdapter(RuleSet)
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


def _folder() -> Traversable:
    return resources.files("beatpolice.domain.rules") / "rulesets"


@cache
def shipped_names() -> tuple[str, ...]:
    """The names of the shipped rule sets, sorted."""
    return tuple(sorted(entry.name for entry in _folder().iterdir() if entry.is_dir()))


SHIPPED_RULES = shipped_names()
"""The rule sets shipped in ``beatpolice/domain/rules/rulesets/``, by name."""


def _order(version: str) -> tuple[tuple[int, int | str], ...]:
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in version.split("."))


@cache
def shipped_versions(name: str) -> tuple[str, ...]:
    """The shipped versions of rule set ``name``, oldest first (empty: not shipped)."""
    if not _NAME.match(name) or name not in shipped_names():
        return ()
    versions = [
        entry.name[: -len(".toml")]
        for entry in (_folder() / name).iterdir()
        if entry.name.endswith(".toml")
    ]
    return tuple(sorted(versions, key=_order))


def latest_version(name: str) -> str:
    """The latest shipped version of ``name``.

    Raises:
        AppraisalError: no rule set of that name is shipped.
    """
    versions = shipped_versions(name)
    if not versions:
        raise AppraisalError(
            f"rules: no rule set named {name!r} (shipped: {', '.join(shipped_names())}; "
            "or give a path to a .toml file)"
        )
    return versions[-1]


def parse_rules_name(text: str) -> tuple[str, str | None]:
    """``NAME`` or ``NAME@VERSION`` split into name and version (None: the latest).

    Example:
        >>> parse_rules_name("dezhou-2014@2014.1"), parse_rules_name("dezhou-2014")
        (('dezhou-2014', '2014.1'), ('dezhou-2014', None))
    """
    name, at, version = text.partition("@")
    return name, (version if at else None)


@cache
def shipped_rules(text: str) -> RuleSet:
    """The shipped rule set ``NAME`` (its latest version) or ``NAME@VERSION``.

    Raises:
        AppraisalError: no such rule set, or no such version of it (naming those shipped).
    """
    name, version = parse_rules_name(text)
    latest = latest_version(name)
    if version is None:
        version = latest
    elif version not in shipped_versions(name):
        raise AppraisalError(
            f"rules: {name} has no version {version!r} (shipped: "
            f"{', '.join(shipped_versions(name))})"
        )
    source = _folder() / name / f"{version}.toml"
    try:
        rules = _ADAPTER.validate_python(tomllib.loads(source.read_text("utf-8")))
    except (ValidationError, ValueError) as error:  # a shipped file is wrong: say which
        raise AppraisalError(f"rules: shipped {name}@{version} is not valid: {error}") from error
    if (rules.name, rules.version) != (name, version):
        raise AppraisalError(
            f"rules: shipped {name}/{version}.toml names itself {rules.name}@{rules.version}"
        )
    return rules
