"""The fraud-script catalogue: shipped data, levels by share, refusals naming the field."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from beatpolice import SettingError, UnknownFraudScriptError
from beatpolice.domain.rules.fraud_scripts import FraudCatalogue, load_catalogue

SHIPPED = load_catalogue()


def test_the_shipped_catalogue_holds_the_common_types_the_ministry_warns_about() -> None:
    titles = {script.title for script in SHIPPED.scripts}

    assert {
        "刷单返利",
        "虚假网络投资理财",
        "虚假网络贷款",
        "冒充电商物流客服",
        "冒充公检法",
        "虚假征信",
        "网络游戏产品虚假交易",
        "网络婚恋交友",
        "冒充领导熟人",
    } <= titles
    assert len(SHIPPED.script("impersonating_authorities").features) == 15
    assert (SHIPPED.name, SHIPPED.version) == ("mps-common", "2024.1")


@pytest.mark.parametrize(
    ("matched", "level"), [(0, "low"), (4, "low"), (5, "medium"), (9, "medium"), (10, "high")]
)
def test_levels_go_by_the_share_of_features_matched(matched: int, level: str) -> None:
    features = [f"PA{n:02d}" for n in range(1, matched + 1)]

    assert SHIPPED.assess("impersonating_authorities", features).level == level


@given(st.sampled_from(SHIPPED.scripts), st.data())
def test_more_features_never_lower_the_level(script: object, data: st.DataObject) -> None:
    codes = list(script.codes)  # type: ignore[attr-defined]
    chosen = data.draw(st.lists(st.sampled_from(codes), unique=True))
    more = [*chosen, *(c for c in codes if c not in chosen)][: len(chosen) + 1]
    rank = [level.level for level in SHIPPED.levels]

    low = SHIPPED.assess(script.id, chosen)  # type: ignore[attr-defined]
    high = SHIPPED.assess(script.id, more)  # type: ignore[attr-defined]

    assert rank.index(high.level) >= rank.index(low.level)
    assert low.share == Fraction(len(chosen), len(codes))


def test_a_feature_listed_twice_counts_once() -> None:
    assert SHIPPED.assess("fake_loan", ["FL01", "FL01", "FL02"]).matched == 2


@pytest.mark.parametrize(
    ("script", "features", "field"),
    [("nope", [], "script"), ("fake_loan", ["FL01", "BR01"], "features.1")],
)
def test_unknown_scripts_and_features_are_refused(
    script: str, features: list[str], field: str
) -> None:
    with pytest.raises(UnknownFraudScriptError) as refusal:
        SHIPPED.assess(script, features)

    assert refusal.value.field == field


@pytest.mark.parametrize(
    ("levels", "problem"),
    [
        ([("low", "1/3")], "starts at a share of 0"),
        ([("low", "0"), ("high", "0")], "levels rise"),
        ([("low", "0"), ("high", "3/2")], "above a share of 1"),
    ],
)
def test_a_catalogue_with_bad_levels_is_refused(
    levels: list[tuple[str, str]], problem: str
) -> None:
    body = {
        "name": "x",
        "version": "1",
        "levels": [{"level": name, "at_least": share} for name, share in levels],
        "scripts": [{"id": "s", "title": "t", "features": [{"code": "A", "text": "a"}]}],
    }

    with pytest.raises(ValueError, match=problem):
        FraudCatalogue.model_validate(body)


def test_an_unreadable_catalogue_is_a_setting_error(tmp_path: Path) -> None:
    broken = tmp_path / "x.toml"
    broken.write_text("name = ", encoding="utf-8")

    with pytest.raises(SettingError, match="not TOML"):
        load_catalogue(broken)
