"""The fraud-script catalogue (防诈话术库): scripts, their features, and risk levels.

An officer who meets a resident on the phone with a caller, or at the bank counter,
opens a script on the terminal and counts how many of its features the caller showed
(the Qingdao article: "这15条特征里对方占了11条"). The catalogue is data: a TOML file
with a name and version, each script an id, a title and feature codes with their text, and risk
levels by the share of features matched (our reading, ADR 0905). The shipped one,
``mps-common``, holds the common types of telecom fraud the Ministry of Public
Security warns about; a station loads its own with the ``fraud_scripts`` setting.

An assessment (``FraudRiskAssessed``) keeps the catalogue's name and version, the
features matched, the total and the level, so a replay never needs the catalogue.

Example:
    >>> catalogue = load_catalogue()
    >>> catalogue.script("impersonating_authorities").title
    '冒充公检法'
    >>> features = [f"PA{n:02d}" for n in range(1, 12)]
    >>> assessment = catalogue.assess("impersonating_authorities", features)
    >>> assessment.matched, assessment.total, assessment.level
    (11, 15, 'high')
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from fractions import Fraction
from functools import cache
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Annotated

import attrs
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    model_validator,
)

from beatpolice.domain.errors import SettingError, UnknownFraudScriptError

__all__ = [
    "DEFAULT_CATALOGUE",
    "SHIPPED_CATALOGUES",
    "Assessment",
    "FraudCatalogue",
    "FraudFeature",
    "FraudScript",
    "RiskLevel",
    "load_catalogue",
]

DEFAULT_CATALOGUE = "mps-common"
"""The catalogue a station uses when it names none."""

SHIPPED_CATALOGUES = ("mps-common",)
"""The catalogues shipped in ``beatpolice/domain/rules/``, by name."""

_SHIPPED_FILES = {"mps-common": "fraud_scripts.toml"}

RULE = "a fraud script and its features are in the station's catalogue"


def _fraction(value: object) -> object:
    if isinstance(value, str):
        try:
            return Fraction(value)
        except (ValueError, ZeroDivisionError) as error:
            raise ValueError(f"{value!r} is not an exact fraction such as '2/3'") from error
    if isinstance(value, int) and not isinstance(value, bool):
        return Fraction(value)
    return value


Share = Annotated[Fraction, BeforeValidator(_fraction), PlainSerializer(str, return_type=str)]
"""An exact share, written as its text ("2/3"): pydantic's own Fraction serializer is not
used, since it fails under coverage's tracer (the report's checks do the same)."""


class FraudFeature(BaseModel):
    """One feature of a script: a code and what the officer listens for."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=32)
    text: str = Field(min_length=1, max_length=200)


class FraudScript(BaseModel):
    """A fraud script (诈骗话术): its id, title and features."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)
    title: str = Field(min_length=1, max_length=100)
    features: tuple[FraudFeature, ...] = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def _codes_unique(self) -> FraudScript:
        codes = [feature.code for feature in self.features]
        if len(set(codes)) != len(codes):
            raise ValueError(f"script {self.id!r}: feature codes repeat")
        return self

    @property
    def codes(self) -> tuple[str, ...]:
        """The feature codes, in catalogue order."""
        return tuple(feature.code for feature in self.features)


class RiskLevel(BaseModel):
    """A risk level: reached when the share of features matched is at least ``at_least``."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    level: str = Field(pattern=r"^[a-z][a-z_]*$", max_length=32)
    label: str = Field(default="", max_length=50)
    at_least: Share


@attrs.frozen
class Assessment:
    """What a catalogue says of the features an officer observed."""

    script: str
    features: tuple[str, ...]
    """The distinct features observed, in the order given."""
    matched: int
    total: int
    level: str

    @property
    def share(self) -> Fraction:
        """Matched over total, exact."""
        return Fraction(self.matched, self.total)


class FraudCatalogue(BaseModel):
    """A versioned catalogue of fraud scripts and the risk levels they give."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)
    version: str = Field(min_length=1, max_length=32)
    title: str = ""
    levels: tuple[RiskLevel, ...] = Field(min_length=1)
    scripts: tuple[FraudScript, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> FraudCatalogue:
        shares = [level.at_least for level in self.levels]
        if shares[0] != 0:
            raise ValueError("the first level starts at a share of 0")
        if any(later <= earlier for earlier, later in pairwise(shares)):
            raise ValueError("levels rise: each starts at a larger share than the one before")
        if any(share > 1 for share in shares):
            raise ValueError("no level starts above a share of 1")
        ids = [script.id for script in self.scripts]
        if len(set(ids)) != len(ids):
            raise ValueError("script ids repeat")
        return self

    def script(self, script: str) -> FraudScript:
        """The script with this id.

        Raises:
            UnknownFraudScriptError: naming the field ``script``.
        """
        for found in self.scripts:
            if found.id == script:
                return found
        raise UnknownFraudScriptError(
            f"script: {script!r} is not in fraud-script catalogue {self.name}@{self.version} "
            f"(known: {', '.join(s.id for s in self.scripts)})",
            rule=RULE,
            field="script",
        )

    def level_of(self, matched: int, total: int) -> str:
        """The highest level whose share ``matched / total`` reaches."""
        share = Fraction(matched, total)
        return [level.level for level in self.levels if share >= level.at_least][-1]

    def assess(self, script: str, features: Iterable[str]) -> Assessment:
        """Count the observed features of ``script`` and give the level they reach.

        A feature listed twice counts once.

        Raises:
            UnknownFraudScriptError: the script is unknown (field ``script``) or a
                feature is not one of its codes (field ``features.N``).
        """
        found = self.script(script)
        codes = set(found.codes)
        observed = tuple(dict.fromkeys(features))
        for index, feature in enumerate(observed):
            if feature not in codes:
                raise UnknownFraudScriptError(
                    f"features.{index}: {feature!r} is not a feature of script {script!r} "
                    f"(its features: {', '.join(found.codes)})",
                    rule=RULE,
                    field=f"features.{index}",
                )
        total = len(found.features)
        return Assessment(
            script=script,
            features=observed,
            matched=len(observed),
            total=total,
            level=self.level_of(len(observed), total),
        )


@cache
def _shipped(name: str) -> FraudCatalogue:
    text = (
        resources.files("beatpolice.domain.rules")
        .joinpath(_SHIPPED_FILES[name])
        .read_text(encoding="utf-8")
    )
    return _parse(text, f"shipped catalogue {name}")


def _parse(text: str, where: str) -> FraudCatalogue:
    try:
        return FraudCatalogue.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as error:
        raise SettingError(f"fraud-script catalogue {where}: not TOML ({error})") from None
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        place = ".".join(str(part) for part in first["loc"]) or "catalogue"
        raise SettingError(
            f"fraud-script catalogue {where}: {place}: "
            f"{first['msg'].removeprefix('Value error, ')}"
        ) from None


def load_catalogue(source: str | Path | FraudCatalogue | None = None) -> FraudCatalogue:
    """A fraud-script catalogue: shipped by name, from a TOML file, or as given.

    Args:
        source: a shipped name (``mps-common``, the default when None), the path of a
            TOML file, or a catalogue.

    Raises:
        SettingError: the file is missing, not TOML, or not a catalogue.
    """
    if isinstance(source, FraudCatalogue):
        return source
    if source is None:
        source = DEFAULT_CATALOGUE
    if isinstance(source, str) and source in _SHIPPED_FILES:
        return _shipped(source)
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SettingError(
            f"fraud-script catalogue {str(source)!r}: neither a shipped catalogue "
            f"({', '.join(SHIPPED_CATALOGUES)}) nor a readable TOML file ({error})"
        ) from None
    return _parse(text, str(path))
