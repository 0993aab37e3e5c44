"""The fingerprint spec's worked example, recomputed in Node from the page itself.

docs/reference/fingerprint.md states format ``beatpolice-appraisal/2`` (ADR 0537) and
a worked example; an auditor in another language must get the same digests from an
RFC 8785 canonicalization. Node's ``JSON.stringify`` serializes strings, booleans and
integers as RFC 8785 does, and keys sorted by UTF-16 code units are RFC 8785's order, so
a dozen lines of JavaScript are a JCS implementation for these values. Skipped (with a
reason) when ``node`` is absent, except under ``CI=true``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from beatpolice.domain.rules import Fact
from beatpolice.projections.appraisal._fingerprint import officer_fingerprint, report_fingerprint

PAGE = Path(__file__).resolve().parents[2] / "docs" / "reference" / "fingerprint.md"

SCRIPT = r"""
const crypto = require("crypto");
const fs = require("fs");
function canonical(v) {
  if (Array.isArray(v)) return "[" + v.map(canonical).join(",") + "]";
  if (v !== null && typeof v === "object") {
    const pairs = Object.keys(v).sort().map(k => JSON.stringify(k) + ":" + canonical(v[k]));
    return "{" + pairs.join(",") + "}";
  }
  return JSON.stringify(v);
}
const sha = b => "sha256:" + crypto.createHash("sha256").update(b).digest("hex");
const [entries, report] = JSON.parse(fs.readFileSync(0, "utf8"));
const encoded = entries.map(e => Buffer.from(canonical(e), "utf8")).sort(Buffer.compare);
const officer = sha(Buffer.concat([Buffer.from("["), Buffer.concat(
  encoded.flatMap((b, i) => i ? [Buffer.from(","), b] : [b])), Buffer.from("]")]));
console.log(JSON.stringify({officer, report: sha(Buffer.from(canonical(report), "utf8"))}));
"""


def _example() -> tuple[list[Any], dict[str, Any], list[str]]:
    text = PAGE.read_text("utf-8")
    section = text[text.index("## Worked example") :]
    blocks = re.findall(r"```json\n(.*?)```", section, re.DOTALL)
    stated = re.findall(r"fingerprint (?:is|is\n)\s*`(sha256:[0-9a-f]{64})`", section)
    return json.loads(blocks[0]), json.loads(blocks[1]), stated


def test_the_worked_example_is_what_beatpolice_computes() -> None:
    entries, report, stated = _example()
    facts = [Fact(e[0], e[1], e[2], e[3], e[4], "", e[5], e[6], "", 0) for e in entries]
    officer = officer_fingerprint(facts)
    assert [officer] == [pair[1] for pair in report["officers"]]
    assert stated == [
        officer,
        report_fingerprint(
            str(report["period"]),
            str(report["time_zone"]),
            str(report["as_of"]),
            str(report["rules"]),
            [("D0001", officer)],
        ),
    ]


def test_node_recomputes_the_worked_example() -> None:
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI") == "true":
            pytest.fail("node is required under CI to check the fingerprint spec")
        pytest.skip("node is not installed: the spec's example is not recomputed in JavaScript")
    entries, report, stated = _example()
    done = subprocess.run(
        [node, "-e", SCRIPT],
        input=json.dumps([entries, report], ensure_ascii=False),
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
        timeout=60,
    )
    result = json.loads(done.stdout)
    assert [result["officer"], result["report"]] == stated
