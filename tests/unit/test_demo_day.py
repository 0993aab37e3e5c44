"""The demo month holds the officer's day (0.2), and its stars do not depend on it."""

from __future__ import annotations

from beatpolice.demo import DemoConfig, generate
from beatpolice.domain.commands_day import DAY_COMMANDS

SMALL = DemoConfig(beats=2, officers_per_beat=3, households=700, venues=8)


def test_the_demo_month_holds_every_new_kind_but_transfers() -> None:
    month = generate(SMALL)

    kinds = {entry.command.type for entry in month.entries}

    wanted = {model.model_fields["type"].default for model in DAY_COMMANDS}
    assert wanted - kinds == {"transfer_officer"}


def test_the_demo_day_leaves_the_rest_of_the_month_as_it_was() -> None:
    month = generate(SMALL)
    day = {model.model_fields["type"].default for model in DAY_COMMANDS}

    rest = [entry.command for entry in month.entries if entry.command.type not in day]

    assert rest == [e.command for e in generate(SMALL).entries if e.command.type not in day]
    assert len(rest) < len(month.entries)


def test_stars_are_the_same_under_both_versions_of_the_dezhou_rules() -> None:
    import beatpolice
    from beatpolice.demo._recording import record

    month = generate(SMALL)
    record("memory://", month)  # smoke: the month records without refusals
    with beatpolice.connect("memory://", clock=lambda: month.decided_at) as station:
        for entry in month.entries:
            station.handle(entry.command)
        new = beatpolice.appraise(
            station, month=SMALL.month, rules="dezhou-2014@2014.2", as_of=month.decided_at
        )
        old = beatpolice.appraise(
            station, month=SMALL.month, rules="dezhou-2014@2014.1", as_of=month.decided_at
        )

    assert [o.eligible for o in new.officers] == [o.eligible for o in old.officers]
