"""The officer's month state machine (patrols, requests, transfers) on memory and SQLite.

See :class:`beatpolice.testing.OfficerMonth`: after every step the registries, caught
up, must agree with the model (coverage, hours, requests, beat).
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

from beatpolice.testing import OfficerMonth

CI_SETTINGS = settings(
    max_examples=30,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


class OfficerMonthOnMemory(OfficerMonth):
    """In memory."""


class OfficerMonthOnSQLite(OfficerMonth):
    """On a SQLite file, a fresh one for each example."""

    url = "sqlite:///{tmp}/station.db"


OfficerMonthOnMemory.TestCase.settings = CI_SETTINGS
OfficerMonthOnSQLite.TestCase.settings = settings(CI_SETTINGS, max_examples=8)

TestOfficerMonthOnMemory = OfficerMonthOnMemory.TestCase
TestOfficerMonthOnSQLite = OfficerMonthOnSQLite.TestCase
