"""Deciding ``erase_personal_data``: one erasure per data subject, recorded once.

The handler only decides and records ``PersonalDataErased``; the subject's key is
destroyed by the station's keyring when the event is saved, before it is recorded
(ADR 0704), so an erasure that is refused destroys nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from beatpolice.domain.commands_privacy import ErasePersonalData
from beatpolice.domain.privacy import Erasure, parse_subject

if TYPE_CHECKING:
    from beatpolice.application.policy_book import PolicyBook
    from beatpolice.application.unit_of_work import UnitOfWork

__all__ = ["PRIVACY_HANDLERS"]


def _on_erase(_: PolicyBook, uow: UnitOfWork, cmd: ErasePersonalData, digest: str) -> int:
    existing = uow.find(Erasure, cmd.subject)
    if existing is not None:
        if existing.has_seen(digest):
            return 0
        existing.refuse_again(cmd.occurred_at)
    uow.add(
        Erasure.erase(
            subject=parse_subject(cmd.subject),
            reason=cmd.reason,
            occurred_at=cmd.occurred_at,
            command=digest,
        )
    )
    return 1


PRIVACY_HANDLERS: dict[type[Any], Any] = {ErasePersonalData: _on_erase}
"""The handlers of the personal-data commands, by command model."""
