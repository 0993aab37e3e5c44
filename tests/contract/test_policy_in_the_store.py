"""Policies travel with the store: a process that never loaded a station's policy file
decides the disputes opened under it, and computes their tiers and deadlines, from the
store alone.

The second process is a real one (``python -c``), so no module-level state of this one
can stand in for the store.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

import beatpolice
from beatpolice.domain import Level, PolicyAdopted, Role
from beatpolice.domain.rules.escalation import load_policy
from beatpolice.testing import write_policy

CST = timezone(timedelta(hours=8))
RECORDED = datetime(2024, 4, 1, tzinfo=UTC)

SECOND_PROCESS = """
import json, sys
from datetime import datetime, timezone, timedelta
import beatpolice
from beatpolice.projections.registries import open_registries

cst = timezone(timedelta(hours=8))
recorded = datetime(2024, 4, 1, tzinfo=timezone.utc)
with beatpolice.connect(sys.argv[1], clock=lambda: recorded) as station:
    station.escalate_dispute(dispute="D1", officer="F1", to_level="red", reason="升级",
                             occurred_at=datetime(2024, 3, 2, 9, tzinfo=cst))
    station.mediate_dispute(dispute="D1", officer="F1", outcome="resolved",
                            participants=["grid_worker"],
                            occurred_at=datetime(2024, 3, 3, 9, tzinfo=cst))
    registries = open_registries(station)
    registries.catch_up()
    rows = registries.disputes(as_of=datetime(2024, 3, 4, tzinfo=cst)).rows
    row = next(row for row in rows if row.dispute == "D1")
    print(json.dumps({"status": row.status, "level": row.level, "tier": row.tier}))
"""


def _own_policy(tmp_path: Path) -> Path:
    own = load_policy("qingdao-three-colour").model_copy(
        update={"name": "station-own-policy", "version": "2024.3"}
    )
    # in this station's own reading a grid worker alone may settle a red dispute, which
    # the shipped policy refuses: a mediation that lands shows the station's policy ruled
    levels = tuple(
        rule.model_copy(update={"required": (frozenset({Role.GRID_WORKER}),)})
        if rule.level is Level.RED
        else rule
        for rule in own.levels
    )
    return write_policy(own.model_copy(update={"levels": levels}), tmp_path / "own.toml")


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_a_second_process_decides_under_the_policy_the_dispute_was_opened_under(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'station.db'}"
    else:
        url = request.getfixturevalue("postgres_server").create_database()
    with beatpolice.connect(url, policy=_own_policy(tmp_path), clock=lambda: RECORDED) as first:
        first.enlist_officer(badge="F1", name="林凡", station="枫亭派出所", beat="一区")
        receipt = first.open_dispute(
            id="D1",
            officer="F1",
            category="邻里纠纷",
            parties=["甲", "乙"],
            occurred_at=datetime(2024, 3, 1, 9, tzinfo=CST),
        )
        assert receipt.events == 2  # the dispute, and the policy's record in the store
        adopted = [event for _, event in first.events() if isinstance(event, PolicyAdopted)]
        assert [(e.policy, e.policy_version) for e in adopted] == [
            ("station-own-policy", "2024.3")
        ]
        second = first.open_dispute(
            id="D2",
            officer="F1",
            category="邻里纠纷",
            parties=["丙", "丁"],
            occurred_at=datetime(2024, 3, 1, 10, tzinfo=CST),
        )
        assert second.events == 1  # recorded once

    done = subprocess.run(
        [sys.executable, "-c", SECOND_PROCESS, url],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr
    row = json.loads(done.stdout)
    assert (row["status"], row["level"]) == ("resolved", "red")
    assert row["tier"]


def test_a_policy_found_nowhere_is_refused_with_our_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'station.db'}"
    with beatpolice.connect(url, policy=_own_policy(tmp_path), clock=lambda: RECORDED) as first:
        first.enlist_officer(badge="F1", name="林凡", station="枫亭派出所", beat="一区")
        first.open_dispute(
            id="D1",
            officer="F1",
            category="邻里纠纷",
            parties=["甲", "乙"],
            occurred_at=datetime(2024, 3, 1, 9, tzinfo=CST),
        )
    with beatpolice.connect(url, clock=lambda: RECORDED) as station:
        book = station.policies
        with pytest.raises(beatpolice.UnknownPolicyError, match="neither recorded"):
            book.lookup("no-such-policy", "1")
        assert book.lookup("station-own-policy", "2024.3").name == "station-own-policy"
