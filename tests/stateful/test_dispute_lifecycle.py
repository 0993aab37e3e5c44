"""The dispute lifecycle state machine against real stations: memory and SQLite.

200 examples of 30 steps each, on memory (both shipped policies) and on a SQLite file
(a fresh file per example; the slowest of the three, about a minute on 2 busy cores).
See docs/how-to/property-tests.md for the base class these subclass.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

from beatpolice.testing import DisputeLifecycle

CI_SETTINGS = settings(
    max_examples=200,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


class QingdaoOnMemory(DisputeLifecycle):
    """三色预警 (the Qingdao article) in memory."""

    policy = "qingdao-three-colour"


class FengqiaoOnMemory(DisputeLifecycle):
    """Village, town, county tiers (the Fengting article) in memory: referral only from the top."""

    policy = "fengqiao-tiers"


class FengqiaoOnSQLite(DisputeLifecycle):
    """The same lifecycle on a SQLite file, a fresh one for each example."""

    url = "sqlite:///{tmp}/station.db"
    policy = "fengqiao-tiers"


QingdaoOnMemory.TestCase.settings = CI_SETTINGS
FengqiaoOnMemory.TestCase.settings = CI_SETTINGS
# the same machine on SQLite checks the store, not the rules again: fewer runs (the suite's
# time on two cores)
FengqiaoOnSQLite.TestCase.settings = settings(CI_SETTINGS, max_examples=60)

TestQingdaoOnMemory = QingdaoOnMemory.TestCase
TestFengqiaoOnMemory = FengqiaoOnMemory.TestCase
TestFengqiaoOnSQLite = FengqiaoOnSQLite.TestCase
