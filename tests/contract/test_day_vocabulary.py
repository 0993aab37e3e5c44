"""The 0.2 additions to 0.1's commands: a lead's source, the venue mode guidance, new roles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

import beatpolice
from beatpolice.commands import ReportLead, parse_command
from beatpolice.domain import LeadReported
from beatpolice.domain._base import command_digest

BEIJING = timezone(timedelta(hours=8))
AT = datetime(2014, 1, 3, 9, 30, tzinfo=BEIJING)
LEAD = {
    "type": "report_lead",
    "id": "L1",
    "officer": "D1",
    "kind": "information",
    "occurred_at": "2014-01-03T09:30:00+08:00",
    "summary": "网格员报送: 出租屋可疑人员",
}


def _station(url: str) -> beatpolice.Station:
    station = beatpolice.connect(url, clock=lambda: datetime(2014, 1, 20, tzinfo=UTC))
    station.enlist_officer(badge="D1", name="薛翠翠", station="德州", beat="一区")
    return station


def test_a_lead_without_a_source_keeps_the_digest_it_had_in_0_1() -> None:
    lead = parse_command(ReportLead.model_validate(LEAD).model_dump_json())
    fields = {k: v for k, v in vars(lead).items() if k not in ("type", "source")}

    assert lead.digest() == command_digest("report_lead", fields)
    with_source = ReportLead.model_validate({**LEAD, "source": "grid_worker"})
    assert with_source.digest() != lead.digest()


def test_a_lead_records_who_handed_it_over(station_url: str) -> None:
    with _station(station_url) as station:
        station.handle({**LEAD, "source": "grid_worker"})
        station.report_lead(
            id="L2", officer="D1", kind="information", occurred_at=AT, summary="群众举报"
        )

        leads = [e for _, e in station.events() if isinstance(e, LeadReported)]
        assert [(e.id, e.source) for e in leads] == [("L1", "grid_worker"), ("L2", None)]
        with pytest.raises(beatpolice.InvalidCommandError, match="source"):
            station.handle({**LEAD, "id": "L3", "source": "rumour"})


def test_guidance_is_a_venue_inspection_mode() -> None:
    station = _station("memory://")
    station.register_venue(
        id="VN1",
        officer="D1",
        category="internet_cafe",
        name="网吧",
        address="一区二路3号",
        occurred_at=AT,
    )
    receipt = station.inspect_venue(
        venue="VN1", officer="D1", mode="guidance", occurred_at=AT, findings=[]
    )
    assert receipt.events >= 1


@pytest.mark.parametrize("role", ["volunteer", "liaison_cadre", "property_manager"])
def test_the_new_roles_take_part_in_a_mediation(role: str) -> None:
    station = _station("memory://")
    station.open_dispute(
        id="M1",
        officer="D1",
        category="neighbour",
        parties=["甲", "乙"],
        occurred_at=AT,
        level="blue",
        physical_conflict=False,
    )
    receipt = station.mediate_dispute(
        dispute="M1",
        officer="D1",
        participants=["community_officer", "grid_worker", role],
        outcome="failed",
        occurred_at=AT,
    )
    assert receipt.events == 1
