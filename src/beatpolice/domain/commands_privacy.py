"""The command that erases a data subject's personal data (删除个人信息).

``erase_personal_data`` names a subject (``household:ID``, ``dispute:ID`` or
``record:OFFICER/ID``), the reason (the request or the rule that ends the purpose) and
when it was decided. It records ``PersonalDataErased`` and destroys the subject's key;
the events themselves stay, so appraisals and the log's hash tree do not move.

Example:
    >>> from beatpolice.domain.commands import parse_command
    >>> command = parse_command(
    ...     '{"type": "erase_personal_data", "subject": "dispute:D1",'
    ...     ' "reason": "PIPL art. 47 request", "occurred_at": "2014-03-01T09:00:00+08:00"}'
    ... )
    >>> command.subject
    'dispute:D1'
"""

from __future__ import annotations

from typing import Literal

from pydantic import field_validator

from beatpolice.domain._command_base import When, _Command
from beatpolice.domain.privacy import parse_subject
from beatpolice.domain.values import ShortText

__all__ = ["ErasePersonalData"]


class ErasePersonalData(_Command):
    """Erase a data subject's personal data: destroy its key, record why and when."""

    type: Literal["erase_personal_data"] = "erase_personal_data"
    subject: ShortText
    reason: ShortText
    occurred_at: When

    @field_validator("subject")
    @classmethod
    def _a_subject(cls, subject: str) -> str:
        parse_subject(subject)  # its ValueError names the forms
        return subject
