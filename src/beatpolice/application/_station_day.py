"""The keyword methods of the rest of an officer's day (the contract's 0.2 table).

Each builds its command's model (:mod:`beatpolice.domain.commands_day`) from its
keyword arguments and hands it to the station's ``handle``, as
:mod:`beatpolice.application._station_commands` does for the commands of 0.1.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from beatpolice.domain import commands_day as d
from beatpolice.domain._command_base import _Command
from beatpolice.domain.commands import Command, build
from beatpolice.domain.rules.fraud_scripts import FraudCatalogue
from beatpolice.domain.values import Role

if TYPE_CHECKING:
    from beatpolice.application.policy_book import PolicyBook
    from beatpolice.application.receipt import Receipt

__all__ = ["DayCommandMethods"]


class DayCommandMethods:
    """Transfers, information, patrols, outreach, meetings, requests, fraud checks,
    surveys and commendations (mixed into the station)."""

    def handle(self, command: Command | dict[str, Any]) -> Receipt:
        """Check, decide and record one command (the station's own method)."""
        raise TypeError(f"{type(self).__name__} does not handle commands")  # pragma: no cover

    def _send(self, model: type[_Command], arguments: dict[str, Any]) -> Receipt:
        return self.handle(cast(Command, build(model, _fields(arguments))))

    @property
    def policies(self) -> PolicyBook:
        """The station's book of policies (the station's own property)."""
        raise TypeError(f"{type(self).__name__} has no policies")  # pragma: no cover

    @property
    def fraud_scripts(self) -> FraudCatalogue:
        """The fraud-script catalogue this station assesses fraud risk against."""
        return self.policies.fraud_scripts

    def transfer_officer(
        self, *, officer: str, station: str, beat: str, occurred_at: datetime
    ) -> Receipt:
        """Move an officer to another beat or station (``OfficerTransferred``)."""
        return self._send(d.TransferOfficer, locals())

    def collect_information(
        self,
        *,
        id: str,
        officer: str,
        subject: str,
        summary: str,
        occurred_at: datetime,
        category: str | None = None,
        household: str | None = None,
        source: str | None = None,
    ) -> Receipt:
        """Record an item of information collected (``InformationCollected``)."""
        return self._send(d.CollectInformation, locals())

    def plan_patrols(self, *, officer: str, month: str, points: Iterable[str]) -> Receipt:
        """Set the must-patrol points of an officer's month (``PatrolsPlanned``)."""
        return self._send(d.PlanPatrols, locals())

    def record_patrol(
        self,
        *,
        id: str,
        officer: str,
        started_at: datetime,
        ended_at: datetime,
        points: Iterable[str],
        participants: Iterable[Role | str],
        mode: str,
    ) -> Receipt:
        """Record a patrol (``PatrolCompleted``)."""
        return self._send(d.RecordPatrol, locals())

    def record_outreach(
        self,
        *,
        id: str,
        officer: str,
        kind: str,
        channel: str,
        topic: str,
        reach: int,
        occurred_at: datetime,
    ) -> Receipt:
        """Record a reminder, publicity or lecture (``OutreachHeld``)."""
        return self._send(d.RecordOutreach, locals())

    def hold_meeting(
        self,
        *,
        id: str,
        officer: str,
        kind: str,
        participants: Iterable[Role | str],
        attendees: int,
        summary: str,
        occurred_at: datetime,
    ) -> Receipt:
        """Record a meeting (``MeetingHeld``)."""
        return self._send(d.HoldMeeting, locals())

    def receive_request(
        self,
        *,
        id: str,
        officer: str,
        channel: str,
        summary: str,
        occurred_at: datetime,
        household: str | None = None,
    ) -> Receipt:
        """Record a resident's request (``RequestReceived``)."""
        return self._send(d.ReceiveRequest, locals())

    def answer_request(
        self, *, request: str, officer: str, outcome: str, occurred_at: datetime
    ) -> Receipt:
        """Answer a request the officer received (``RequestAnswered``)."""
        return self._send(d.AnswerRequest, locals())

    def assess_fraud_risk(
        self,
        *,
        id: str,
        officer: str,
        household: str,
        script: str,
        features: Iterable[str],
        occurred_at: datetime,
    ) -> Receipt:
        """Assess a household's fraud risk against a script (``FraudRiskAssessed``)."""
        return self._send(d.AssessFraudRisk, locals())

    def record_survey(
        self,
        *,
        id: str,
        officer: str,
        kind: str,
        respondents: int,
        positive: int,
        occurred_at: datetime,
    ) -> Receipt:
        """Record a survey's respondents and positive answers (``SurveyRecorded``)."""
        return self._send(d.RecordSurvey, locals())

    def receive_commendation(
        self, *, id: str, officer: str, kind: str, occurred_at: datetime, giver: str | None = None
    ) -> Receipt:
        """Record a letter, banner or praise for an officer (``CommendationReceived``)."""
        return self._send(d.ReceiveCommendation, locals())


def _fields(arguments: dict[str, Any]) -> dict[str, Any]:
    fields = {key: value for key, value in arguments.items() if key != "self"}
    for key, value in fields.items():
        if isinstance(value, Iterable) and not isinstance(value, (str, bytes, dict)):
            fields[key] = tuple(value)
    return fields
