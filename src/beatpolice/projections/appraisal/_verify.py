"""Auditing a report: recompute it from the stored events alone and name what differs.

``verify`` never reads the appraisal index or any other derived table (ADR 0532): it
pages the station's log through its port, folds it afresh
(:func:`~beatpolice.projections.appraisal._from_events.appraise_events`) under the
rule-set version the report names, and compares every field of the report, as it was
written, with the recomputation.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from beatpolice.domain._base import DomainEvent, now
from beatpolice.domain.errors import AppraisalError, AuditMismatchError, BeatpoliceError
from beatpolice.domain.rules.ruleset import RuleSet
from beatpolice.projections.appraisal._decide import rules_ref
from beatpolice.projections.appraisal._fingerprint import FORMAT_1
from beatpolice.projections.appraisal._from_events import appraise_events
from beatpolice.projections.appraisal._report import AppraisalReport
from beatpolice.projections.appraisal._rules import load_rules, rules_spec
from beatpolice.projections.log_checkpoint import log_at
from beatpolice.projections.ports import StationPort

__all__ = ["differences", "stored_events", "verify"]

PAGE = 5000

CHECKED_ELSEWHERE = frozenset({"log"})
"""Report fields the appraisal does not make: the log checkpoint is compared with the
store's own hash tree at ``as_of`` (:func:`_log_differences`), not recomputed."""


def stored_events(station: StationPort, *, page: int = PAGE) -> Iterator[tuple[int, DomainEvent]]:
    """Every stored event with its log position, in log order, read through the port.

    Raises:
        AuditMismatchError: a stored event cannot be read as an event (its topic names
            no event class, or its state is not that event's): the log was altered;
            the difference names the event's position.
        StorageError: the store cannot be read.
    """
    start = 1
    while True:
        events = _page(station, start, page)
        yield from events
        if len(events) < page:
            return
        start = events[-1][0] + 1


def _page(station: StationPort, start: int, limit: int) -> list[tuple[int, DomainEvent]]:
    try:
        return station.read_events(start, limit)
    except BeatpoliceError:
        raise
    except Exception:  # a damaged event: find it, one at a time
        pass
    found: list[tuple[int, DomainEvent]] = []
    position = start
    while len(found) < limit:
        try:
            one = station.read_events(position, 1)
        except BeatpoliceError:
            raise
        except Exception as error:  # any decoding failure names the event
            reason = str(error).splitlines()[0]
            raise AuditMismatchError(
                [
                    f"log: the stored event after position {position - 1} cannot be read "
                    f"as an event ({type(error).__name__}: {reason})"
                ]
            ) from error
        if not one:
            return found
        found += one
        position = one[-1][0] + 1
    return found


def _parsed(report: AppraisalReport | dict[str, Any] | str) -> AppraisalReport:
    if isinstance(report, str):
        return AppraisalReport.model_validate_json(report)
    if isinstance(report, dict):
        return AppraisalReport.model_validate(report)
    return report


def verify(
    station: StationPort,
    report: AppraisalReport | dict[str, Any] | str,
    *,
    rules: str | Path | RuleSet | None = None,
) -> AppraisalReport:
    """Recompute a report from the stored events and its rule set; raise if anything differs.

    The rule set is the shipped version the report names (``NAME@VERSION``, ADR 0536),
    or ``rules`` (a station's own file); it must have the name, version and content
    digest the report names. The recomputation reads the events themselves, never the
    appraisal index, and every field of the report is compared, ``provisional`` among
    them (as decided now: ADR 0534). Returns the recomputed report when it matches.

    Raises:
        AuditMismatchError: naming each difference (rule set, officer inputs, fields).
    """
    report = _parsed(report)
    fingerprint_format = report.fingerprint_format
    differences_found: list[str] = []
    spec = rules_spec(report.rules.name, report.rules.version) if rules is None else rules
    try:
        rule_set = load_rules(spec)
    except AppraisalError as error:
        raise AuditMismatchError([f"rules: {error}"]) from error
    expected = rules_ref(rule_set, fingerprint_format)
    if rule_set.name != report.rules.name:
        differences_found.append(
            f"rules: {rule_set.name} given, the report used {report.rules.name}"
        )
    if rule_set.version != report.rules.version:
        differences_found.append(
            f"rules: {rule_set.name} is version {rule_set.version}, the report used "
            f"{report.rules.version}"
        )
    if expected.digest != report.rules.digest:
        differences_found.append(
            f"rules: {rule_set.name} digest {expected.digest} differs from the report's "
            f"{report.rules.digest} (version {rule_set.version})"
        )
    if report.time_zone != station.time_zone:
        differences_found.append(
            f"time_zone: the report cut months in {report.time_zone}, the station in "
            f"{station.time_zone}"
        )
    if differences_found:
        raise AuditMismatchError(differences_found)
    clock = station.clock
    moment: datetime = clock() if clock is not None else now()
    again = appraise_events(
        stored_events(station),
        month=report.month,
        rules=rule_set,
        as_of=report.as_of,
        time_zone=station.time_zone,
        now=moment,
        fingerprint_format=fingerprint_format,
    )
    differences_found = differences(report, again)
    differences_found += _log_differences(station, report)
    if differences_found:
        raise AuditMismatchError(differences_found)
    return again if report.log is None else again.model_copy(update={"log": report.log})


def _log_differences(station: StationPort, report: AppraisalReport) -> list[str]:
    """The report's ``log`` against the store's own hash tree at ``as_of`` (ADR 0524)."""
    if report.log is None:
        return []
    found = log_at(station, report.as_of)
    if found is None:
        return ["log: the report names a log checkpoint; this store keeps no hash tree"]
    if (found["size"], found["root"]) != (report.log.size, report.log.root):
        return [
            f"log: the report was made on size {report.log.size}, root {report.log.root}; "
            f"the store's log at as_of is size {found['size']}, root {found['root']}"
        ]
    return []


def _written(model: Any, dumped: dict[str, Any], strict: bool) -> dict[str, Any]:
    """The fields a report (or an officer of it) was written with.

    A format-1 report (0.1) is verified on what it states: fields 0.2 added (checks,
    not_awarded) are compared only where it has them. A format-2 report must have them
    all: leaving one out is a difference.
    """
    if strict:
        return dumped
    return {key: value for key, value in dumped.items() if key in model.model_fields_set}


ADDED_IN_0_2 = ("checks", "not_awarded")
"""Officer fields a report of format 1 (made by 0.1) cannot have."""


def _not_of_format_1(report: AppraisalReport) -> list[str]:
    """A report that says format 1 but carries what only 0.2 writes is not 0.1's: it
    would be replayed under 0.1's readings, so the claim is a difference (ADR 0534)."""
    found = []
    if "log" in report.model_fields_set and report.log is not None:
        found.append("fingerprint_format: a report of format 1 (0.1's) has no log")
    for officer in report.officers:
        found.extend(
            f"officer {officer.badge}: fingerprint_format: a report of format 1 (0.1's) "
            f"has no {name}"
            for name in ADDED_IN_0_2
            if name in officer.model_fields_set
        )
    return found


def differences(report: AppraisalReport, again: AppraisalReport) -> list[str]:
    """Each field in which ``report`` differs from its recomputation ``again``."""
    strict = report.fingerprint_format != FORMAT_1
    found: list[str] = [] if strict else _not_of_format_1(report)
    if report.fingerprint != again.fingerprint:
        found.append(f"fingerprint: report {report.fingerprint}, recomputed {again.fingerprint}")
    old = _written(report, report.model_dump(mode="json", exclude={"officers"}), strict)
    new = again.model_dump(mode="json", exclude={"officers"})
    for key in sorted(old.keys() | new.keys()):
        if key in CHECKED_ELSEWHERE or key == "fingerprint":
            continue
        if key not in old:
            if strict:
                found.append(f"{key}: missing from the report (recomputed {new[key]!r})")
            continue
        if key == "provisional":
            # A report may say it was provisional (a weaker claim, true when it was
            # made) once as_of has settled; it may not say final while events stamped
            # before as_of may still be in flight (ADR 0534).
            if old[key] is False and new.get(key) is True:
                found.append(
                    "provisional: the report says final, but as_of is still within the "
                    "settle margin: events stamped before it may still be in flight"
                )
            continue
        found.extend(
            f"{path}: {a!r} -> {b!r}" for path, a, b in _diff(old[key], new.get(key), key)
        )
    mine = {o.badge: o for o in report.officers}
    theirs = {o.badge: o for o in again.officers}
    for badge in sorted(mine.keys() - theirs.keys()):
        found.append(f"officer {badge}: in the report, not in the recomputation")
    for badge in sorted(theirs.keys() - mine.keys()):
        found.append(f"officer {badge}: in the recomputation, not in the report")
    for badge in sorted(mine.keys() & theirs.keys()):
        before = _written(mine[badge], mine[badge].model_dump(mode="json"), strict)
        after = theirs[badge].model_dump(mode="json")
        if not strict:
            after = {key: value for key, value in after.items() if key in before}
        if before.get("fingerprint") != after.get("fingerprint"):
            found.append(
                f"officer {badge}: the events read differ (fingerprint "
                f"{before.get('fingerprint')} -> {after.get('fingerprint')})"
            )
        found.extend(
            f"officer {badge}: {path} {a!r} -> {b!r}"
            for path, a, b in _diff(before, after, "")
            if path != "fingerprint"
        )
    return found


def _diff(old: Any, new: Any, path: str) -> Iterator[tuple[str, Any, Any]]:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(old.keys() | new.keys()):
            yield from _diff(old.get(key), new.get(key), f"{path}.{key}" if path else key)
    elif (
        isinstance(old, list)
        and isinstance(new, list)
        and len(old) == len(new)
        and all(isinstance(item, dict) for item in [*old, *new])
    ):  # a star's checks: name the check and the field that differ
        for position, (before, after) in enumerate(zip(old, new, strict=True)):
            yield from _diff(before, after, f"{path}.{position}")
    elif old != new:
        yield path, old, new
