"""Write the stored samples of every event class (and snapshot) at its current version.

Run once per new event class or class version, from the repository root::

    .venv/bin/python tests/samples/make_samples.py

It records one station month (every command of the contract, see
``tests/contract/contract_helpers.py``) in a memory store with a fixed clock and writes,
for the first stored event of each topic, ``events/<Name>.v<class_version>.json``:
its topic, class version, originator and the exact state bytes the store holds.
Existing files are never overwritten, so samples of older versions stay as they were
stored: they are the data a schema change must keep readable (``test_mapper_samples``).
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "contract"))

from contract_helpers import every_command  # noqa: E402

import beatpolice  # noqa: E402
from beatpolice.domain import DayRecord, Dispute, FieldRecord, Officer, Venue  # noqa: E402


def _recorded_at() -> datetime:
    return datetime(2014, 2, 1, tzinfo=UTC)


def _write(path: Path, sample: dict[str, Any]) -> bool:
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(sample, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return True


def main() -> None:
    """Record the month and write any sample that does not exist yet."""
    written = []
    with beatpolice.connect("memory://", clock=_recorded_at) as station:
        for command in every_command():
            station.handle(command)
        app: Any = station._app
        seen: set[str] = set()
        for notification in app.recorder.select_notifications(start=1, limit=10_000):
            if notification.topic in seen:
                continue
            seen.add(notification.topic)
            event = app.mapper.to_domain_event(notification)
            version = getattr(type(event), "class_version", 1)
            name = notification.topic.split(":", 1)[1]
            path = HERE / "events" / f"{name}.v{version}.json"
            sample = {
                "topic": notification.topic,
                "class_version": version,
                "originator_id": str(notification.originator_id),
                "originator_version": notification.originator_version,
                "state": bytes(notification.state).decode("utf-8"),
            }
            if _write(path, sample):
                written.append(path)
        for aggregate_id in (
            Officer.create_id("D0001"),
            Dispute.create_id("DSP1"),
            Venue.create_id("VEN1"),
            FieldRecord.create_id("D0001/V1"),
            DayRecord.create_id("D0001/R1"),
        ):
            app.take_snapshot(aggregate_id)
            stored = app.snapshots.recorder.select_events(aggregate_id, desc=True, limit=1)[0]
            aggregate_class = type(app.repository.get(aggregate_id))
            aggregate = aggregate_class.__name__
            version = aggregate_class.class_version
            path = HERE / "snapshots" / f"{aggregate}.v{version}.json"
            sample = {
                "topic": stored.topic,
                "aggregate": aggregate,
                "class_version": version,
                "originator_id": str(stored.originator_id),
                "originator_version": stored.originator_version,
                "state": bytes(stored.state).decode("utf-8"),
            }
            if _write(path, sample):
                written.append(path)
    for path in written:
        print(f"wrote {path.relative_to(HERE)}")


if __name__ == "__main__":
    main()
