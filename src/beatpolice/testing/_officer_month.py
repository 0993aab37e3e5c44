"""A state machine of an officer's month: patrol plans, patrols, requests, transfers.

:class:`OfficerMonth` drives a real station beside a simple model: it plans must-patrol
points, records patrols (some ending before they start, which must be refused),
receives requests and answers them (once; an answer to an unknown request is refused),
re-sends commands (recorded once), and transfers the officer. After every step the
registries, caught up, must say what the model says: each month's coverage and hours,
every request's status, and the officer's beat.

Example:
    >>> from beatpolice.testing import OfficerMonth
    >>> class OurOfficerMonth(OfficerMonth):
    ...     url = "memory://"
    >>> TestOurOfficerMonth = OurOfficerMonth.TestCase
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta, timezone
from fractions import Fraction
from pathlib import Path
from typing import Any, ClassVar

import attrs
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import beatpolice
from beatpolice.projections.registries import Registries, open_registries

__all__ = ["ModelMonth", "OfficerMonth"]

BEIJING = timezone(timedelta(hours=8))
_BADGE = "M1"
_POINTS = ("P1", "P2", "P3", "P4")
_MONTHS = ("2014-01", "2014-02")
_BEATS = ("一区", "二区", "三区")


@attrs.define
class ModelMonth:
    """What the station should hold: plans, patrols, requests, the officer's beat."""

    plans: dict[str, set[str]] = attrs.field(factory=dict)
    passed: dict[str, set[str]] = attrs.field(factory=dict)
    seconds: dict[str, int] = attrs.field(factory=dict)
    requests: dict[str, str | None] = attrs.field(factory=dict)
    """Request id -> its outcome (None while open)."""
    beat: str = _BEATS[0]
    """The beat of the latest transfer recorded (a transfer to it is refused)."""
    transfers: list[tuple[datetime, str]] = attrs.field(factory=list)
    """Each transfer's field time and beat, in recording order."""
    patrols: int = 0
    sent_transfers: set[tuple[str, int]] = attrs.field(factory=set)
    """The (beat, day) of every transfer recorded: sent again, each is a re-send."""

    def beat_now(self) -> str:
        """The beat of the latest transfer by field time (the last recorded on a tie)."""
        moves = sorted(self.transfers, key=lambda move: move[0])
        return moves[-1][1] if moves else _BEATS[0]


def _start(month: str, day: int, hour: int) -> datetime:
    return datetime(int(month[:4]), int(month[5:]), day, hour, tzinfo=BEIJING)


class OfficerMonth(RuleBasedStateMachine):
    """An officer's patrols and requests, recorded into a real station beside a model.

    Subclass it and set :attr:`url` (``{tmp}`` is replaced by a fresh folder for each
    example) to run it against a station system's own store.
    """

    url: ClassVar[str] = "memory://"
    recorded_at: ClassVar[datetime] = datetime(2014, 3, 1, tzinfo=UTC)

    def __init__(self) -> None:
        super().__init__()
        self._folder = tempfile.TemporaryDirectory()
        url = self.url.replace("{tmp}", str(Path(self._folder.name)))
        self.station = beatpolice.connect(url, clock=lambda: self.recorded_at)
        self.station.enlist_officer(
            badge=_BADGE, name="王警官", station="新湖派出所", beat=_BEATS[0]
        )
        self.model = ModelMonth()
        self.registries: Registries = open_registries(self.station, page_size=7)
        self.last: dict[str, Any] | None = None

    def teardown(self) -> None:
        """Close the station and remove its folder."""
        self.station.close()
        self._folder.cleanup()

    # --- rules ------------------------------------------------------------------------

    @rule(month=st.sampled_from(_MONTHS), points=st.sets(st.sampled_from(_POINTS)))
    def plan_patrols(self, month: str, points: set[str]) -> None:
        """A later plan replaces the month's plan."""
        self._send(
            {"type": "plan_patrols", "officer": _BADGE, "month": month, "points": sorted(points)}
        )
        self.model.plans[month] = set(points)

    @rule(
        month=st.sampled_from(_MONTHS),
        day=st.integers(1, 28),
        hour=st.integers(0, 23),
        minutes=st.integers(-90, 240),
        points=st.sets(st.sampled_from(_POINTS)),
        mode=st.sampled_from(["foot", "bicycle", "vehicle"]),
    )
    def record_patrol(
        self, month: str, day: int, hour: int, minutes: int, points: set[str], mode: str
    ) -> None:
        """A patrol; one that ends before it starts is refused and changes nothing."""
        started = _start(month, day, hour)
        command = {
            "type": "record_patrol",
            "id": f"PT{self.model.patrols}",
            "officer": _BADGE,
            "started_at": started.isoformat(),
            "ended_at": (started + timedelta(minutes=minutes)).isoformat(),
            "points": sorted(points),
            "participants": ["auxiliary_officer"],
            "mode": mode,
        }
        if minutes < 0:
            self._refused(command, beatpolice.FieldTimeError, "ended_at")
            return
        self._send(command)
        self.model.patrols += 1
        self.model.passed.setdefault(month, set()).update(points)
        self.model.seconds[month] = self.model.seconds.get(month, 0) + minutes * 60

    @rule(channel=st.sampled_from(["petition", "hotline", "in_person"]), day=st.integers(1, 28))
    def receive_request(self, channel: str, day: int) -> None:
        """A new request, open until answered."""
        request = f"R{len(self.model.requests)}"
        self._send(
            {
                "type": "receive_request",
                "id": request,
                "officer": _BADGE,
                "channel": channel,
                "summary": "群众诉求",
                "occurred_at": _start("2014-01", day, 9).isoformat(),
            }
        )
        self.model.requests[request] = None

    @precondition(lambda self: any(v is None for v in self.model.requests.values()))
    @rule(data=st.data(), outcome=st.sampled_from(["resolved", "referred", "declined"]))
    def answer_request(self, data: st.DataObject, outcome: str) -> None:
        """Answer an open request (no earlier than it came: on 28 January or later)."""
        open_ids = sorted(k for k, v in self.model.requests.items() if v is None)
        request = data.draw(st.sampled_from(open_ids))
        self._send(self._answer(request, outcome))
        self.model.requests[request] = outcome

    @precondition(lambda self: any(v is not None for v in self.model.requests.values()))
    @rule(data=st.data())
    def answer_again_otherwise(self, data: st.DataObject) -> None:
        """A second, different answer to an answered request is refused."""
        answered = sorted(k for k, v in self.model.requests.items() if v is not None)
        request = data.draw(st.sampled_from(answered))
        other = (
            "helped_beyond_remit"
            if self.model.requests[request] != "helped_beyond_remit"
            else "resolved"
        )
        self._refused(self._answer(request, other), beatpolice.IdConflictError, "request")

    @rule()
    def answer_unknown_request(self) -> None:
        """An answer to a request never received is refused."""
        command = self._answer("NEVER", "resolved")
        self._refused(command, beatpolice.UnknownRequestError, "request")

    @precondition(lambda self: self.last is not None)
    @rule()
    def resend(self) -> None:
        """The last recorded command, sent again, records nothing."""
        assert self.last is not None
        assert self.station.handle(self.last).duplicate

    @rule(beat=st.sampled_from(_BEATS), day=st.integers(1, 28))
    def transfer(self, beat: str, day: int) -> None:
        """A transfer to another beat (to the same one is refused)."""
        command = {
            "type": "transfer_officer",
            "officer": _BADGE,
            "station": "新湖派出所",
            "beat": beat,
            "occurred_at": _start("2014-02", day, 8).isoformat(),
        }
        key = (beat, day)
        if key in self.model.sent_transfers:
            # the same transfer (beat and time) was recorded before: a re-send
            assert self.station.handle(command).duplicate
            return
        if beat == self.model.beat:
            self._refused(command, beatpolice.RuleViolationError, "beat")
            return
        self._send(command)
        self.model.sent_transfers.add(key)
        self.model.beat = beat
        self.model.transfers.append((_start("2014-02", day, 8), beat))

    # --- invariants -------------------------------------------------------------------

    @invariant()
    def registries_agree_with_the_model(self) -> None:
        """Coverage, hours, requests and the beat, as the model has them."""
        self.registries.catch_up()
        for month in _MONTHS:
            rows = self.registries.patrols(month=month, officer=_BADGE)
            planned = self.model.plans.get(month, set())
            passed = self.model.passed.get(month, set())
            if not rows:
                assert month not in self.model.plans
                assert month not in self.model.passed
                continue
            (row,) = rows
            assert row.coverage == f"{len(planned & passed)}/{len(planned)}"
            assert Fraction(row.hours) == Fraction(self.model.seconds.get(month, 0), 3600)
        found = {row.id: row.outcome for row in self.registries.requests().rows}
        assert found == self.model.requests
        (officer,) = self.registries.officers(month="2014-02", officer=_BADGE)
        assert officer.beat == self.model.beat_now()

    # --- helpers ----------------------------------------------------------------------

    def _answer(self, request: str, outcome: str) -> dict[str, Any]:
        return {
            "type": "answer_request",
            "request": request,
            "officer": _BADGE,
            "outcome": outcome,
            "occurred_at": _start("2014-01", 28, 18).isoformat(),
        }

    def _send(self, command: dict[str, Any]) -> None:
        receipt = self.station.handle(command)
        assert receipt.events >= 0
        self.last = command

    def _refused(self, command: dict[str, Any], error: type[Exception], field: str) -> None:
        before = self.station.last_position()
        refusal: Exception | None = None
        try:
            self.station.handle(command)
        except error as refused:
            refusal = refused
        assert refusal is not None, f"{command['type']} was not refused"
        assert getattr(refusal, "field", field) == field
        assert self.station.last_position() == before
