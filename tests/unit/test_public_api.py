"""The public API is honest: sorted ``__all__``, every name importable, contract events there."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from types import ModuleType

import pytest

import beatpolice
import beatpolice.commands
import beatpolice.domain

PUBLIC_MODULES = [beatpolice, beatpolice.domain, beatpolice.commands]

CONTRACT_EVENTS = (
    "OfficerEnlisted",
    "VisitsPlanned",
    "VisitRecorded",
    "VisitFollowedUp",
    "LeadReported",
    "ServiceRendered",
    "RecordRetracted",
    "DisputeOpened",
    "DisputeEscalated",
    "MediationHeld",
    "DisputeResolved",
    "DisputeFollowedUp",
    "DisputeReferred",
    "DisputeReopened",
    "VenueRegistered",
    "VenueInspected",
    "ViolationFound",
    "RectificationVerified",
    "RectificationFailed",
)
"""The event column of the contract's command table, in its order."""

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "docs" / "reference" / "contract.md"
"""The project's own statement of its contract (never a file outside the repository)."""


def _isort_key(name: str) -> tuple[int, str]:
    # ruff's RUF022 order: SCREAMING_CASE, then CamelCase, then the rest.
    if name.isupper():
        return 0, name
    if name[0].isupper():
        return 1, name
    return 2, name


@pytest.mark.parametrize("module", PUBLIC_MODULES, ids=lambda m: m.__name__)
def test_all_is_sorted_and_unique(module: ModuleType) -> None:
    names = list(module.__all__)

    assert names == sorted(names, key=_isort_key)
    assert len(names) == len(set(names))


@pytest.mark.parametrize("module", PUBLIC_MODULES, ids=lambda m: m.__name__)
def test_every_public_name_is_importable(module: ModuleType) -> None:
    fresh = importlib.import_module(module.__name__)
    for name in module.__all__:
        assert getattr(fresh, name) is not None, name
        exec(f"from {module.__name__} import {name}", {})


def test_every_contract_event_is_importable_from_domain() -> None:
    for name in CONTRACT_EVENTS:
        cls = getattr(beatpolice.domain, name)
        assert name in beatpolice.domain.__all__
        assert cls.__name__ == name
        assert f"beatpolice:{name}" == cls.TOPIC
        assert cls in beatpolice.domain.EVENT_CLASSES


def test_event_classes_are_the_contract_events_and_no_stranger() -> None:
    names = [cls.__name__ for cls in beatpolice.domain.EVENT_CLASSES]

    assert set(CONTRACT_EVENTS) <= set(names)
    assert len(names) == len(set(names))


def test_contract_event_list_matches_the_contract_page() -> None:
    # the commands of 0.1; later additions have tables of their own
    text = CONTRACT.read_text(encoding="utf-8").split("## Added in 0.2")[0]
    rows = [line for line in text.splitlines() if re.match(r"^\| `[a-z_]+` \|", line)]
    named = [
        event
        for row in rows
        for event in re.findall(r"`([A-Z][A-Za-z]+)`", row.rsplit("|", 2)[-2])
    ]

    assert named == list(CONTRACT_EVENTS)


def test_errors_form_one_tree() -> None:
    for name in beatpolice.__all__:
        value = getattr(beatpolice, name)
        if name.endswith("Error"):
            assert issubclass(value, beatpolice.BeatpoliceError), name


FACES = ["beatpolice", "beatpolice.domain", "beatpolice.appraisal", "beatpolice.testing"]
"""The curated faces of the package: each lists in ``__all__`` exactly its public names."""


@pytest.mark.parametrize("name", FACES)
def test_all_imports_are_exported(name: str) -> None:
    # httpx's test_exported_members: nothing public is left out of __all__ by accident
    module = importlib.import_module(name)
    public = {
        member
        for member, value in vars(module).items()
        if not member.startswith("_") and not isinstance(value, ModuleType)
    }
    assert public == set(module.__all__) - {"__version__"}


ALL_FACES = [*FACES, "beatpolice.commands", "beatpolice.report"]
"""Every module a caller imports names from."""


def test_each_public_name_has_one_import_path() -> None:
    # one name, one path: a class offered by two faces is two places to keep in step
    seen: dict[int, str] = {}
    for face in ALL_FACES:
        module = importlib.import_module(face)
        for name in set(module.__all__) - {"__version__"}:
            value = getattr(module, name)
            if isinstance(value, (str, int, float, frozenset, tuple)):
                continue  # constants are compared by value, not identity
            where = f"{face}.{name}"
            assert id(value) not in seen, f"{where} is also {seen[id(value)]}"
            seen[id(value)] = where
