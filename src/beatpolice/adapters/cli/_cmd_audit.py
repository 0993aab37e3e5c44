"""``beatpolice audit``: keys, seals, the log's check, bundles and report verification.

::

    beatpolice audit keygen --out DIR          # DIR/seal.key (0600), DIR/seal.pub
    beatpolice audit seal --key FILE [--out CHECKPOINT.json]
    beatpolice audit check [--checkpoint FILE ...] [--public-key FILE]
    beatpolice audit bundle REPORT.json --out BUNDLE.json --key FILE [--rules FILE]
    beatpolice audit verify REPORT.json | BUNDLE.json [--public-key FILE] [--rules FILE]
    beatpolice audit show REFERENCE [--json]

Exit codes: 0 matched, 1 something differs (named on standard error), 2 a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from pydantic import ValidationError

from beatpolice.adapters.cli import (
    EXIT_OK,
    EXIT_REFUSED,
    UsageError,
    add_command,
    open_station,
    say,
)
from beatpolice.adapters.cli._text import first_error
from beatpolice.adapters.cli._types import input_file, rule_set
from beatpolice.adapters.store.event_log import EventLog
from beatpolice.domain.errors import AuditMismatchError, SealError
from beatpolice.projections.appraisal._report import AppraisalReport
from beatpolice.projections.appraisal._verify import stored_events, verify

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``audit`` subcommand and its actions."""
    parser = add_command(
        subparsers,
        "audit",
        help="seal and check the event log; bundle and verify appraisal reports",
        description=(
            "audit keeps the event log honest and reports checkable: keygen makes a seal "
            "key pair, seal signs a checkpoint of the log, check recomputes the log from "
            "the stored events (and against checkpoints), bundle packs a report with the "
            "events it read, their proofs and a seal, and verify recomputes a report "
            "from the store's events, or a bundle with no store at all."
        ),
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    keygen = add_command(actions, "keygen", help="make a seal key pair (Ed25519)")
    keygen.add_argument("--out", required=True, type=Path, help="folder for seal.key and seal.pub")
    keygen.set_defaults(func=run_keygen)

    seal = add_command(actions, "seal", help="sign a checkpoint of the whole log")
    seal.add_argument("--key", required=True, type=input_file, help="the private key (seal.key)")
    seal.add_argument("--out", type=Path, help="write the checkpoint here (default: stdout)")
    seal.set_defaults(func=run_seal)

    check = add_command(actions, "check", help="recompute the log from the stored events")
    check.add_argument(
        "--checkpoint",
        action="append",
        default=[],
        type=input_file,
        help="a sealed checkpoint the log must still match (repeatable)",
    )
    check.add_argument("--public-key", type=input_file, help="check the checkpoints' signatures")
    check.set_defaults(func=run_check)

    bundle = add_command(actions, "bundle", help="pack a report for an offline verify")
    bundle.add_argument("report", type=input_file, help="a report written by appraise --json")
    bundle.add_argument("--out", required=True, type=Path, help="the bundle to write")
    bundle.add_argument("--key", required=True, type=input_file, help="the private key (seal.key)")
    bundle.add_argument(
        "--rules", type=rule_set, help="the rule set's TOML file, if the station's own"
    )
    bundle.set_defaults(func=run_bundle)

    verify_parser = add_command(actions, "verify", help="recompute a report or check a bundle")
    verify_parser.add_argument("report", type=input_file, help="a report or a bundle (JSON)")
    verify_parser.add_argument(
        "--rules",
        type=rule_set,
        help="the rule set's TOML file, when the report used a station's own",
    )
    verify_parser.add_argument(
        "--public-key", type=input_file, help="a bundle's expected signer (seal.pub)"
    )
    verify_parser.set_defaults(func=run_verify)

    show = add_command(actions, "show", help="print the event behind an evidence reference")
    show.add_argument("reference", help="a reference as a report's evidence lists it")
    show.add_argument("--json", action="store_true", help="print it as JSON")
    show.set_defaults(func=run_show)


def _read(path: Path) -> bytes:
    try:
        return sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror or error}") from error


def _json(path: Path) -> Any:
    try:
        return json.loads(_read(path))
    except (ValueError, UnicodeDecodeError) as error:
        raise UsageError(f"{path} is not JSON: {error}") from error


def _write(path: Path | None, data: Any) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if path is None:
        sys.stdout.write(text)
        return
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from error


def _usage(error: SealError) -> UsageError:
    return UsageError(str(error))


def run_keygen(args: argparse.Namespace) -> int:
    """Write DIR/seal.key (mode 0600) and DIR/seal.pub."""
    from beatpolice.adapters.store.seal import key_id, keygen, private_key

    try:
        secret, public = keygen(args.out)
        identity = key_id(private_key(secret).public_key())
    except SealError as error:
        raise _usage(error) from error
    say(f"{secret} (private, mode 0600), {public}: key {identity}")
    return EXIT_OK


def run_seal(args: argparse.Namespace) -> int:
    """Sign the log's current checkpoint."""
    from beatpolice.adapters.store.seal import private_key, seal

    try:
        key = private_key(args.key)
    except SealError as error:
        raise _usage(error) from error
    station = open_station(args, create=False)
    try:
        log = cast(EventLog, station.event_log())
        sealed = seal(log.checkpoint(), key, now=datetime.now(UTC))
    finally:
        station.close()
    _write(args.out, sealed.as_json())
    if args.out is not None:
        say(f"{args.out}: size {sealed.size}, root {sealed.root}, key {sealed.key_id}")
    return EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    """Recompute the log; name the first event that differs."""
    from beatpolice.adapters.store.seal import SealedCheckpoint, public_key, verify_seal

    key = None
    if args.public_key is not None:
        try:
            key = public_key(_read(args.public_key), where=str(args.public_key))
        except SealError as error:
            raise _usage(error) from error
    checkpoints = []
    forged: list[str] = []
    for path in args.checkpoint:
        try:
            sealed = SealedCheckpoint.from_json(_json(path), where=str(path))
        except SealError as error:
            raise _usage(error) from error
        if key is not None and not verify_seal(sealed, key):
            forged.append(f"{path}: the signature does not hold for {args.public_key}")
        checkpoints.append(sealed.checkpoint)
    station = open_station(args, create=False)
    try:
        result = cast(EventLog, station.event_log()).check(checkpoints)
    finally:
        station.close()
    for line in forged:
        say(line, sys.stderr)
    first = result.first
    if first is not None:
        say(first.message, sys.stderr)
        others = len(result.problems) - 1
        if others:
            say(f"({others} more difference{'s' if others > 1 else ''} after it)", sys.stderr)
    if first is not None or forged:
        return EXIT_REFUSED
    matched = f", {len(checkpoints)} checkpoint(s) matched" if checkpoints else ""
    say(f"OK: {result.size} events, root {result.root}{matched}")
    return EXIT_OK


def run_bundle(args: argparse.Namespace) -> int:
    """Write a bundle of the report, its events and proofs, and a seal."""
    from beatpolice.adapters.store.bundle import make_bundle
    from beatpolice.adapters.store.seal import private_key

    report = _report(args.report)
    try:
        key = private_key(args.key)
    except SealError as error:
        raise _usage(error) from error
    station = open_station(args, create=False)
    try:
        log = cast(EventLog, station.event_log())
        bundle = make_bundle(
            log, stored_events(station), report, key, rules=args.rules, now=datetime.now(UTC)
        )
    except SealError as error:
        raise _usage(error) from error
    finally:
        station.close()
    _write(args.out, bundle)
    sealed_size = bundle["checkpoint"]["size"]
    say(f"{args.out}: {len(bundle['events'])} events, sealed at size {sealed_size}")
    return EXIT_OK


def _report(path: Path) -> AppraisalReport:
    try:
        return AppraisalReport.model_validate_json(_read(path))
    except ValidationError as error:
        raise UsageError(f"{path} is not an appraisal report: {first_error(error)}") from error


def run_verify(args: argparse.Namespace) -> int:
    """Verify a report against the store, or a bundle on its own."""
    from beatpolice.adapters.store.bundle import is_bundle, verify_bundle

    data = _json(args.report)
    try:
        if is_bundle(data):
            pinned = _read(args.public_key) if args.public_key is not None else None
            try:
                report = verify_bundle(data, pinned_key=pinned)
            except SealError as error:
                raise _usage(error) from error
        else:
            report = _report(args.report)
            _verify_online(args, report)
    except AuditMismatchError as mismatch:
        for difference in mismatch.differences:
            say(f"{args.report}: {difference}", sys.stderr)
        return EXIT_REFUSED
    say(f"{args.report}: OK {report.fingerprint}")
    return EXIT_OK


def _verify_online(args: argparse.Namespace, report: AppraisalReport) -> None:
    station = open_station(args, create=False)
    try:
        verify(station, report, rules=args.rules)
        if report.log is not None:
            now = cast(EventLog, station.event_log()).checkpoint(as_of=report.as_of)
            if (now.size, now.root) != (report.log.size, report.log.root):
                raise AuditMismatchError(
                    [
                        f"log: the report was made on size {report.log.size}, root "
                        f"{report.log.root}; the store's log at as_of is size {now.size}, "
                        f"root {now.root}"
                    ]
                )
    finally:
        station.close()


def run_show(args: argparse.Namespace) -> int:
    """Print, in words, the stored event behind an evidence reference (ADR 0539)."""
    from beatpolice.domain.errors import AppraisalError
    from beatpolice.projections.appraisal._evidence import describe, resolve_evidence

    station = open_station(args, create=False)
    try:
        try:
            found = resolve_evidence(station, [args.reference]).get(args.reference)
        except AppraisalError as error:
            raise UsageError(str(error)) from error
        if found is None:
            say(f"{args.reference}: no stored event has this reference", sys.stderr)
            return EXIT_REFUSED
        if args.json:
            say(found.model_dump_json())
        else:
            say(describe(found, station.time_zone))
    finally:
        station.close()
    return EXIT_OK
