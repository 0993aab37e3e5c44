"""Escaping of echoed text (ADR 0212) and the argparse types (ADR 0210)."""

from __future__ import annotations

import argparse
import unicodedata
from pathlib import Path

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from beatpolice.adapters.cli._text import UNSAFE_CATEGORIES, json_safe, printable
from beatpolice.adapters.cli._types import (
    byte_size,
    input_file,
    instant,
    month,
    month_or_year,
    output_file,
    positive_int,
    rule_set,
    time_zone,
)

FORGED = "\x1b[2K\rlegacy.jsonl:1: fine\n3 lines: 3 recorded"


def unsafe(text: str) -> list[str]:
    return [char for char in text if unicodedata.category(char) in UNSAFE_CATEGORIES]


def test_a_forged_refusal_stays_on_one_visible_line() -> None:
    shown = printable(FORGED)
    assert shown == "\\x1b[2K\\x0dlegacy.jsonl:1: fine\\x0a3 lines: 3 recorded"
    assert unsafe(shown) == []


@pytest.mark.parametrize(
    ("char", "shown"),
    [
        ("\x00", "\\x00"),
        ("\t", "\\x09"),
        ("\x7f", "\\x7f"),
        ("\x85", "\\x85"),  # C1 next line
        ("\x9b", "\\x9b"),  # C1 CSI
        ("\u202e", "\\u202e"),  # right-to-left override
        ("\u2066", "\\u2066"),  # left-to-right isolate
        ("\u200b", "\\u200b"),  # zero width space
        ("\ufeff", "\\ufeff"),  # byte-order mark
        ("\u2028", "\\u2028"),  # line separator
        ("\ud800", "\\ud800"),  # a lone surrogate (would not even encode)
        ("\U000e0041", "\\U000e0041"),  # a tag character
    ],
)
def test_each_unsafe_character_is_escaped(char: str, shown: str) -> None:
    assert printable(f"a{char}b") == f"a{shown}b"


def test_chinese_text_and_ideographic_spaces_are_kept() -> None:
    text = "薛翠翠\u3000德州市德城区 1号 ★"
    assert printable(text) == text
    assert (
        json_safe(orjson.dumps({"name": text}).decode()) == orjson.dumps({"name": text}).decode()
    )


@given(st.text())
def test_printable_output_has_no_unsafe_character(text: str) -> None:
    assert unsafe(printable(text)) == []


@given(st.text().filter(lambda text: not any("\ud800" <= c <= "\udfff" for c in text)))
def test_json_safe_output_parses_to_the_same_value(text: str) -> None:
    document = orjson.dumps({"k": text, "list": [text]}).decode()
    safe = json_safe(document)
    assert unsafe(safe) == []
    assert orjson.loads(safe) == {"k": text, "list": [text]}


@pytest.mark.parametrize("text", ["2014-13", "14-01", "2014-1", "garbage", "2014-00", "0214-01"])
def test_bad_months_are_refused(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        month(text)


def test_months_and_years() -> None:
    assert month("2014-01") == "2014-01"
    assert month_or_year("2014") == "2014"
    with pytest.raises(argparse.ArgumentTypeError):
        month("2014")
    with pytest.raises(argparse.ArgumentTypeError, match="out of range"):
        month_or_year("9999")


@pytest.mark.parametrize(
    "text",
    ["yesterday", "2014-01-01", "2014-02-01T00:00:00", "9999-12-31T23:59:59-14:00", "0001-01-01Z"],
)
def test_bad_instants_are_refused(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        instant(text)


@pytest.mark.parametrize("text", ["Mars/Base", "America", "/etc/passwd", "../x", "", "UTC\x00"])
def test_unknown_time_zones_are_refused(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="unknown time zone"):
        time_zone(text)


def test_numbers_and_sizes() -> None:
    assert positive_int(10)("10") == 10
    for bad in ("0", "-1", "11", "x", "1.5"):
        with pytest.raises(argparse.ArgumentTypeError):
            positive_int(10)(bad)
    assert byte_size(1 << 30)("4M") == 4 << 20
    assert byte_size(1 << 30)("512k") == 512 << 10
    assert byte_size(1 << 30)("1048576") == 1 << 20
    for bad in ("0", "2G", "-5", "lots", "2048M"):
        with pytest.raises(argparse.ArgumentTypeError):
            byte_size(1 << 30)(bad)


def test_files(tmp_path: Path) -> None:
    (tmp_path / "in.jsonl").write_text("{}\n")
    assert input_file(str(tmp_path / "in.jsonl")) == tmp_path / "in.jsonl"
    assert input_file("-") == Path("-")
    with pytest.raises(argparse.ArgumentTypeError, match="no such file"):
        input_file(str(tmp_path / "missing.jsonl"))
    with pytest.raises(argparse.ArgumentTypeError, match="a folder"):
        input_file(str(tmp_path))
    with pytest.raises(argparse.ArgumentTypeError, match="a folder"):
        output_file(str(tmp_path))
    with pytest.raises(argparse.ArgumentTypeError, match="no such folder"):
        output_file(str(tmp_path / "nope" / "x.html"))


def test_rule_sets() -> None:
    assert rule_set("dezhou-2014").name == "dezhou-2014"
    with pytest.raises(argparse.ArgumentTypeError, match="no rule set named 'nope'"):
        rule_set("nope")
    with pytest.raises(argparse.ArgumentTypeError, match="cannot load"):
        rule_set("missing.toml")
