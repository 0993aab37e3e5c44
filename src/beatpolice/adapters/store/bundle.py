"""Bundles: a report with everything an outsider needs to check it, and no store.

A bundle (``beatpolice-bundle/1``, ADR 0526) is one JSON object::

    {"format": "beatpolice-bundle/1",
     "report": {...},                      # the report as written, with its "log"
     "rules": {...},                       # the rule set it names, as data
     "events": [{"position": 12, "leaf": 11, "originator_id": "...", "version": 3,
                 "topic": "beatpolice:VisitRecorded", "state": "<base64>",
                 "proof": ["<hex>", ...]}, ...],   # inclusion in the report's log
     "checkpoint": {...},                  # a sealed checkpoint of the log (seal.py)
     "consistency": ["<hex>", ...],        # the report's log -> the sealed checkpoint
     "public_key": "-----BEGIN PUBLIC KEY-----..."}

:func:`verify_bundle` checks the signature, that the report's log is a prefix of the
sealed log, that every bundled event is in the report's log at the leaf it claims, and
then recomputes the report from the bundled events alone. What it cannot show is that
no event was left out: an event of the month missing from the bundle is simply not
recomputed. Only an online ``audit verify REPORT.json --db`` (every stored event)
shows that.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from beatpolice.adapters.store.event_log import EventLog, parse_root
from beatpolice.adapters.store.log_leaf import leaf_bytes, recorded_at
from beatpolice.adapters.store.mapper import decode_event
from beatpolice.adapters.store.merkle import verify_consistency, verify_inclusion
from beatpolice.adapters.store.seal import (
    SealedCheckpoint,
    public_key,
    public_pem,
    seal,
    verify_seal,
)
from beatpolice.domain._base import DomainEvent
from beatpolice.domain.errors import AuditMismatchError, SealError
from beatpolice.domain.rules.ruleset import RuleSet
from beatpolice.projections.appraisal import MonthFold, appraise_events
from beatpolice.projections.appraisal._decide import rules_ref
from beatpolice.projections.appraisal._read import period_of
from beatpolice.projections.appraisal._report import AppraisalReport
from beatpolice.projections.appraisal._rules import _RULES_ADAPTER, load_rules, rules_spec
from beatpolice.projections.appraisal._verify import differences

__all__ = ["BUNDLE_FORMAT", "is_bundle", "make_bundle", "verify_bundle"]

BUNDLE_FORMAT = "beatpolice-bundle/1"


def is_bundle(data: object) -> bool:
    """True for a bundle's object (anything else is taken for a report)."""
    return isinstance(data, dict) and data.get("format") == BUNDLE_FORMAT


def make_bundle(
    log: EventLog,
    events: Iterable[tuple[int, DomainEvent]],
    report: AppraisalReport,
    key: Any,
    *,
    rules: RuleSet | None = None,
    now: datetime,
) -> dict[str, Any]:
    """Bundle ``report`` with the events it read, their proofs and a fresh seal.

    Args:
        log: the store's log.
        events: every stored event with its position, in log order.
        report: a final report that carries ``log``.
        key: the station's Ed25519 private key.
        rules: the rule set, when the report used a station's own file.
        now: the sealing time.

    Raises:
        SealError: the report is provisional, has no ``log``, or its log is not the
            store's.
    """
    if report.log is None:
        raise SealError("the report has no log checkpoint: appraise it again with this store")
    if report.provisional:
        raise SealError("the report is provisional: bundle its final report once as_of settled")
    rule_set = load_rules(
        rules_spec(report.rules.name, report.rules.version) if rules is None else rules
    )
    size = report.log.size
    sealed = seal(log.checkpoint(), key, now=now)
    if sealed.size < size or log.root_at(size).root != report.log.root:
        raise SealError(
            f"the report's log (size {size}, root {report.log.root}) is not this store's log"
        )
    period = period_of(report.month, report.time_zone, rule_set)
    folded = MonthFold(period, report.time_zone, report.as_of)
    folded.fold(item for item in events if item[0] and item[0] <= _last_position(log, size))
    wanted = set(folded.positions)
    raw = {record.id: record for record in log.records() if record.id in wanted}
    bundled = []
    for leaf, proof in log.inclusion_proofs(sorted(wanted), size):
        record = raw[leaf.position]
        bundled.append(
            {
                "position": leaf.position,
                "leaf": leaf.index,
                "originator_id": str(record.originator_id),
                "version": record.originator_version,
                "topic": record.topic,
                "state": base64.b64encode(record.state).decode("ascii"),
                "proof": [node.hex() for node in proof],
            }
        )
    return {
        "format": BUNDLE_FORMAT,
        "report": report.model_dump(mode="json"),
        "rules": rule_set.model_dump(mode="json"),
        "events": bundled,
        "checkpoint": sealed.as_json(),
        "consistency": [node.hex() for node in log.consistency_proof(size, sealed.size)],
        "public_key": public_pem(key.public_key()),
    }


def _last_position(log: EventLog, size: int) -> int:
    if size == 0:
        return 0
    return log.leaf_at(size - 1).position


def verify_bundle(bundle: dict[str, Any], *, pinned_key: bytes | None = None) -> AppraisalReport:
    """Check a bundle without a store; the report it holds when everything holds.

    Args:
        bundle: the bundle's object.
        pinned_key: the station's public key (PEM) as the auditor knows it; without
            it the bundle's own key is used, which shows integrity but not authorship.

    Raises:
        SealError: the bundle is malformed.
        AuditMismatchError: naming each check that fails.
    """
    try:
        report = AppraisalReport.model_validate(bundle["report"])
        rule_set = _RULES_ADAPTER.validate_python(bundle["rules"])
        sealed = SealedCheckpoint.from_json(bundle["checkpoint"])
        own_key = str(bundle["public_key"]).encode("ascii")
        consistency = [bytes.fromhex(node) for node in bundle["consistency"]]
        entries = list(bundle["events"])
    except (KeyError, TypeError, ValueError) as error:
        raise SealError(f"not a {BUNDLE_FORMAT} bundle: {error}") from None
    found: list[str] = []
    if rules_ref(rule_set, report.fingerprint_format).digest != report.rules.digest:
        found.append(
            f"rules: the bundled rule set's digest differs from the report's {report.rules.digest}"
        )
    key = public_key(pinned_key if pinned_key is not None else own_key, where="public key")
    if not verify_seal(sealed, key):
        found.append(f"checkpoint: the signature does not hold for key {sealed.key_id}")
    if report.log is None:
        raise AuditMismatchError(["log: the bundled report has no log checkpoint"])
    hash, sealed_root = parse_root(sealed.root)
    _, report_root = parse_root(report.log.root)
    size = report.log.size
    if not verify_consistency(hash, size, sealed.size, report_root, sealed_root, consistency):
        found.append(
            f"log: the report's log (size {size}) is not a prefix of the sealed log "
            f"(size {sealed.size})"
        )
    events: list[tuple[int, DomainEvent]] = []
    for entry in entries:
        try:
            position, index = int(entry["position"]), int(entry["leaf"])
            state = base64.b64decode(entry["state"], validate=True)
            originator, version, topic = (
                UUID(entry["originator_id"]),
                int(entry["version"]),
                str(entry["topic"]),
            )
            proof = [bytes.fromhex(node) for node in entry["proof"]]
        except (KeyError, TypeError, ValueError) as error:
            raise SealError(f"bundle: a malformed event ({error})") from None
        leaf = hash.leaf(
            leaf_bytes(position, originator, version, topic, recorded_at(state), state)
        )
        if not verify_inclusion(hash, index, size, leaf, proof, report_root):
            found.append(f"event at position {position}: not in the report's log at leaf {index}")
            continue
        event = decode_event(topic, state, originator, version)
        events.append((position, cast(DomainEvent, event)))
    events.sort(key=lambda item: item[0])
    again = appraise_events(
        events,
        month=report.month,
        rules=rule_set,
        as_of=report.as_of,
        time_zone=report.time_zone,
        now=datetime.fromisoformat(sealed.sealed_at),
        fingerprint_format=report.fingerprint_format,
    )
    found.extend(differences(report, again))
    if found:
        raise AuditMismatchError(found)
    return report
