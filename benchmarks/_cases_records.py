"""Cases of the rows added with records that stand alone (issue 11).

- ``es_bare_records``: bare eventsourcing saving *comparable* events in batches: a new
  record-like aggregate for most events, a follow-up of an earlier one for the rest,
  in the proportions of the workload (about one follow-up for four records);
- ``officer_command``: one ``record_visit`` for a given officer by a station opened
  afresh, so that nothing of the officer is in memory; timed ``loads`` times in one
  fresh process, after one command for another officer has warmed it up;
- ``write_officers``: the store of that row: officers with 10,000 and 10 records.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

__all__ = ["es_bare_records", "officer_command", "write_officers"]

Params = dict[str, Any]

_BASE = datetime(2014, 1, 2, 9, 0, tzinfo=UTC)
_DIGEST = "sha256:" + "0" * 64


def es_bare_records(params: Params) -> dict[str, Any]:
    """Bare eventsourcing: record-like aggregates created and followed up, in batches."""
    from benchmarks._bare import BareApplication, Visit
    from benchmarks._cases import _Sampler

    app = BareApplication(env=params["env"])
    total, batch_size = params["events"], params["batch_size"]
    sampler = _Sampler(total)
    recent: list[Visit] = []
    started = time.perf_counter()
    done = 0
    while done < total:
        size = min(batch_size, total - done)
        touched: dict[Any, Visit] = {}
        for index in range(done, done + size):
            when = _BASE + timedelta(minutes=index)
            if index % 5 == 4 and recent:
                visit = recent.pop()
                visit.follow_up(when, True, _DIGEST)
            else:
                visit = Visit(
                    f"D{index % 600:05d}",
                    f"德城区新湖街道{index % 97}号院{index % 6 + 1}单元{index % 17 + 101}",
                    when,
                    True,
                    "人户一致，无异常。" if index % 5 < 3 else None,
                    _DIGEST,
                )
                recent.append(visit)
            touched[visit.id] = visit
        app.save(*touched.values())
        recent = recent[-2000:]
        done += size
        sampler(done)
    seconds = time.perf_counter() - started
    app.close()
    return {"seconds": seconds, "items": total, "rss_samples": sampler.samples}


def write_officers(path: Path, officers: dict[str, int]) -> Path:
    """A JSON-lines file enlisting each badge and recording that many visits of it."""
    with path.open("wb") as out:
        for number, (badge, records) in enumerate(officers.items()):
            out.write(
                orjson.dumps(
                    {
                        "type": "enlist_officer",
                        "badge": badge,
                        "name": "薛翠翠",
                        "station": "德州市公安局新湖派出所",
                        "beat": f"第{number + 1}责任区",
                    }
                )
                + b"\n"
            )
            for record in range(records):
                out.write(
                    orjson.dumps(
                        {
                            "type": "record_visit",
                            "id": f"{badge}-V{record}",
                            "officer": badge,
                            "household": f"德城区新湖街道{record % 97}号楼{record % 6 + 1}单元",
                            "occurred_at": (_BASE + timedelta(minutes=record)).isoformat(),
                            "people_match_register": True,
                            "notes": "人户一致，无异常。",
                        }
                    )
                    + b"\n"
                )
    return path


def officer_command(params: Params) -> dict[str, Any]:
    """``record_visit`` for ``badge`` by ``loads`` stations opened afresh, one each."""
    import os

    import beatpolice

    def clock() -> datetime:
        return datetime(2014, 2, 1, tzinfo=UTC)

    tag = f"P{os.getpid()}"
    with beatpolice.connect(params["url"], clock=clock) as warm:
        warm.record_visit(
            id=f"{tag}-warm",
            officer=params["warm_badge"],
            household="德城区新湖街道1号楼",
            occurred_at=_BASE,
            people_match_register=True,
        )
    times: list[float] = []
    for number in range(params["loads"]):
        station = beatpolice.connect(params["url"], clock=clock)
        started = time.perf_counter()
        station.record_visit(
            id=f"{tag}-{number}",
            officer=params["badge"],
            household="德城区新湖街道1号楼",
            occurred_at=_BASE + timedelta(minutes=number),
            people_match_register=True,
            notes="人户一致，无异常。",
        )
        times.append(time.perf_counter() - started)
        station.close()
    return {"seconds": sum(times), "items": len(times), "median": statistics.median(times)}
