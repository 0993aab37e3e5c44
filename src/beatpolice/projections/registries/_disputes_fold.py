"""The fold of the disputes registry: one document per dispute, facts only.

Split from :mod:`beatpolice.projections.registries.disputes`, which re-exports it and
reads the documents into rows. The fold stores the policy's name and version, the
levels and the times; tiers and deadlines are read from the policy at query time.

Each document also keeps its ``history``: every change after the opening, with the
field time it happened at (``{"at": ..., "set": {...}}``) and the level it was opened
at, so that the registry can show a dispute as it stood in the field at any instant
(:func:`at_field_time`, ADR 0538).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from beatpolice.domain._base import DomainEvent
from beatpolice.domain.dispute import (
    DisputeEscalated,
    DisputeFollowedUp,
    DisputeOpened,
    DisputeReferred,
    DisputeReopened,
    DisputeResolved,
    MediationHeld,
)
from beatpolice.projections._runner import Document, DocumentView
from beatpolice.projections.registries._common import RegistryProjection

__all__ = ["NAME", "DisputesProjection", "at_field_time"]

NAME = "disputes"


class DisputesProjection(RegistryProjection):
    """The fold of the disputes registry."""

    name = NAME
    version = 2
    """2: documents keep their history by field time (ADR 0538)."""
    tables = ("meta", "disputes")

    def touches(self, event: DomainEvent) -> list[tuple[str, str]]:
        """The dispute document an event reads."""
        if type(event) in self.handlers:
            return [("disputes", event.dispute)]  # type: ignore[attr-defined]
        return []

    def _change(
        self, view: DocumentView, dispute: str, at: str | None = None, **fields: Any
    ) -> Document | None:
        document = view.get("disputes", dispute)
        if document is None:
            return None  # an event of a dispute whose opening this view never saw
        document.update(fields)
        if at is not None:
            document.setdefault("history", []).append({"at": at, "set": fields})
        view.put("disputes", dispute, document)
        return document

    def _opened(self, view: DocumentView, event: DisputeOpened) -> None:
        at = event.occurred_at.isoformat()
        view.put(
            "disputes",
            event.dispute,
            {
                "dispute": event.dispute,
                "officer": event.officer,
                "category": event.category,
                "parties": list(event.parties),
                "physical_conflict": event.physical_conflict,
                "policy": event.policy,
                "policy_version": event.policy_version,
                "level": event.level.value,
                "status": "open",
                "first_opened_at": at,
                "month": self.month(event.occurred_at),
                "opened_at": at,
                "level_since": at,
                "escalations": [],
                "mediations": 0,
                "failed_since_opened": False,
                "resolved_at": None,
                "referred_at": None,
                "referred_to": None,
                "referrals": 0,
                "reopen_count": 0,
                "parties_satisfied": None,
                "opened_level": event.level.value,
                "history": [],
            },
        )

    def _escalated(self, view: DocumentView, event: DisputeEscalated) -> None:
        document = self._change(
            view,
            event.dispute,
            at=event.occurred_at.isoformat(),
            level=event.to_level.value,
            level_since=event.occurred_at.isoformat(),
        )
        if document is not None:
            document["escalations"].append(
                {
                    "from_level": event.from_level.value,
                    "to_level": event.to_level.value,
                    "reason": event.reason,
                    "officer": event.officer,
                    "at": event.occurred_at.isoformat(),
                }
            )

    def _mediated(self, view: DocumentView, event: MediationHeld) -> None:
        document = view.get("disputes", event.dispute)
        if document is not None:
            self._change(
                view,
                event.dispute,
                at=event.occurred_at.isoformat(),
                mediations=document["mediations"] + 1,
                failed_since_opened=event.outcome.value == "failed",
            )

    def _resolved(self, view: DocumentView, event: DisputeResolved) -> None:
        self._change(
            view,
            event.dispute,
            at=event.occurred_at.isoformat(),
            status="resolved",
            resolved_at=event.occurred_at.isoformat(),
            failed_since_opened=False,
        )

    def _followed_up(self, view: DocumentView, event: DisputeFollowedUp) -> None:
        self._change(
            view,
            event.dispute,
            at=event.occurred_at.isoformat(),
            parties_satisfied=event.parties_satisfied,
        )

    def _referred(self, view: DocumentView, event: DisputeReferred) -> None:
        document = view.get("disputes", event.dispute)
        if document is not None:
            self._change(
                view,
                event.dispute,
                at=event.occurred_at.isoformat(),
                status="referred",
                referred_to=event.to,
                referred_at=event.occurred_at.isoformat(),
                referrals=document["referrals"] + 1,
            )

    def _reopened(self, view: DocumentView, event: DisputeReopened) -> None:
        document = view.get("disputes", event.dispute)
        if document is not None:
            at = event.occurred_at.isoformat()
            self._change(
                view,
                event.dispute,
                at=at,
                status="reopened",
                opened_at=at,
                level_since=at,
                reopen_count=document["reopen_count"] + 1,
                failed_since_opened=False,
                parties_satisfied=None,
            )

    handlers: ClassVar[dict[type[DomainEvent], Any]] = {
        DisputeOpened: _opened,
        DisputeEscalated: _escalated,
        MediationHeld: _mediated,
        DisputeResolved: _resolved,
        DisputeFollowedUp: _followed_up,
        DisputeReferred: _referred,
        DisputeReopened: _reopened,
    }


_AT_OPENING = {
    "status": "open",
    "mediations": 0,
    "failed_since_opened": False,
    "resolved_at": None,
    "referred_at": None,
    "referred_to": None,
    "referrals": 0,
    "reopen_count": 0,
    "parties_satisfied": None,
}


def at_field_time(document: Document, moment: str) -> Document | None:
    """The dispute as it stood in the field at ``moment`` (an ISO instant), or None
    when it was not yet opened then (ADR 0538).

    The opening's state is replayed with every change of the history that happened (by
    field time) at or before ``moment``, in field-time order (changes at the same time
    in the order they were recorded). A document folded before histories were kept
    has none: it is shown as it stands now.
    """
    if "history" not in document:
        return document
    cut = datetime.fromisoformat(moment)
    if datetime.fromisoformat(document["first_opened_at"]) > cut:
        return None
    state = {
        **document,
        **_AT_OPENING,
        "level": document["opened_level"],
        "opened_at": document["first_opened_at"],
        "level_since": document["first_opened_at"],
        "escalations": [
            e for e in document["escalations"] if datetime.fromisoformat(e["at"]) <= cut
        ],
    }
    changes = [c for c in document["history"] if datetime.fromisoformat(c["at"]) <= cut]
    for change in sorted(changes, key=lambda c: datetime.fromisoformat(c["at"])):
        state.update(change["set"])
    return state
