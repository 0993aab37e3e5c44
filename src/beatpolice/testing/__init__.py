"""Hypothesis strategies and a dispute state machine for station systems' own tests.

A station system that builds on beatpolice imports this module in its test suite:

- :func:`commands` and :func:`invalid_commands`: every command of the contract, valid
  (built from :mod:`beatpolice.commands`) or broken in exactly one field (naive times,
  unknown enum values, extra or missing fields, blank, over-long or zero-width text);
- :func:`events`: every event of :data:`beatpolice.domain.EVENT_CLASSES`;
- :func:`policies`: arbitrary escalation policies, and :func:`write_policy` to put one
  in a TOML file a station loads;
- field strategies (:func:`aware_datetimes`, :func:`naive_datetimes`,
  :func:`record_ids`, :func:`names`, :func:`months`);
- :class:`DisputeLifecycle`: a ``RuleBasedStateMachine`` that drives a real station's
  disputes beside a model; subclass it with the station's own policy file;
- :class:`OfficerMonth`: one that drives an officer's month (patrol plans, patrols,
  requests from received to answered, transfers) beside a model.

Example:
    >>> from beatpolice.testing import DisputeLifecycle
    >>> class OurStationDisputes(DisputeLifecycle):
    ...     policy = "fengqiao-tiers"      # or "path/to/our-policy.toml"
    >>> TestOurStationDisputes = OurStationDisputes.TestCase
"""

from beatpolice._needs import testing as _needs  # noqa: F401 (one line names the extra if missing)
from beatpolice.testing._commands import (
    Defect,
    InvalidCommand,
    command_types,
    commands,
    invalid_commands,
)
from beatpolice.testing._events import events
from beatpolice.testing._fields import (
    aware_datetimes,
    badges,
    months,
    naive_datetimes,
    names,
    record_ids,
    short_texts,
)
from beatpolice.testing._lifecycle import DisputeLifecycle, ModelDispute
from beatpolice.testing._officer_month import ModelMonth, OfficerMonth
from beatpolice.testing._policies import policies, policy_toml, write_policy

__all__ = [
    "Defect",
    "DisputeLifecycle",
    "InvalidCommand",
    "ModelDispute",
    "ModelMonth",
    "OfficerMonth",
    "aware_datetimes",
    "badges",
    "command_types",
    "commands",
    "events",
    "invalid_commands",
    "months",
    "naive_datetimes",
    "names",
    "policies",
    "policy_toml",
    "record_ids",
    "short_texts",
    "write_policy",
]
