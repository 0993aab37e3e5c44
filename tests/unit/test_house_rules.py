"""The house plan, checked: imports point inward only, and the Station hides its engine.

adapters → application → projections → domain: a module may import its own ring and
the rings inside it, never one outside (lazy imports inside functions and imports for
type checking included).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import beatpolice

PACKAGE = Path(beatpolice.__file__).parent

RINGS = ("domain", "projections", "application", "adapters")
"""Innermost first: each ring may import only itself and those before it."""

KNOWN_OUTWARD: set[tuple[str, str]] = set()
"""(module, import) pairs still pointing outward, each with a reason; none today."""


def _ring(module: str) -> int | None:
    parts = module.split(".")
    if len(parts) < 2 or parts[0] != "beatpolice" or parts[1] not in RINGS:
        return None
    return RINGS.index(parts[1])


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
    return found


def _modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        out.append((".".join(relative.parts).removesuffix(".__init__"), path))
    return out


MODULES = _modules()


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[name for name, _ in MODULES])
def test_imports_point_inward(module: str, path: Path) -> None:
    mine = _ring(module)
    if mine is None:
        return  # the faces, testing/ and demo/ stand outside the rings
    outward = [
        name
        for name in _imports(path)
        if (theirs := _ring(name)) is not None
        and theirs > mine
        and (module, name) not in KNOWN_OUTWARD
    ]
    assert not outward, f"{module} ({RINGS[mine]}) imports outward: {outward}"


def test_the_station_hands_out_no_eventsourcing_object() -> None:
    station = beatpolice.connect("memory://")
    for name in dir(station):
        if name.startswith("_"):
            continue
        value = getattr(station, name)
        if callable(value):
            continue
        assert not type(value).__module__.startswith("eventsourcing"), name
