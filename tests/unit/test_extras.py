"""The core install: nothing optional is imported unless a feature needs it (ADR 0800).

Each test runs a fresh Python in a subprocess, some with a meta-path finder that
makes the optional libraries (psycopg, rich, jinja2, hypothesis, faker) impossible to
import, as in an install of the core alone. ``test_clean_install`` (slow) installs the
project's wheel into a new virtual environment with only the core dependencies.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import beatpolice
from beatpolice._extras import EXTRAS, require

OPTIONAL = ("psycopg", "psycopg_pool", "rich", "jinja2", "markupsafe", "hypothesis", "faker")

BLOCKER = textwrap.dedent(
    """
    import sys
    from importlib.abc import MetaPathFinder

    BLOCKED = {blocked!r}

    class NotInstalled(MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] in BLOCKED:
                raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
            return None

    sys.meta_path.insert(0, NotInstalled())
    """
)


def python(
    code: str, *, blocked: tuple[str, ...] = (), cwd: Path | None = None, then: str = ""
) -> str:
    """Run ``code`` (then ``then``) in a new interpreter, optional libraries blocked; its
    stdout."""
    prelude = BLOCKER.format(blocked=set(blocked)) if blocked else ""
    done = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code) + then],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONWARNINGS": "error"},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


LOADED = """
import sys
optional = {optional!r}
print(sorted({{m.partition(".")[0] for m in sys.modules}} & set(optional)))
"""


def test_import_and_a_sqlite_station_load_no_optional_library(tmp_path: Path) -> None:
    out = python(
        """
        import beatpolice
        with beatpolice.connect("sqlite:///station.db") as station:
            station.enlist_officer(badge="D0001", name="薛翠翠", station="德州", beat="一区")
        with beatpolice.connect("memory://") as station:
            station.enlist_officer(badge="D0001", name="薛翠翠", station="德州", beat="一区")
        """,
        then=LOADED.format(optional=OPTIONAL),
        cwd=tmp_path,
    )
    assert out.strip() == "[]"


def test_help_loads_no_optional_library() -> None:
    out = python(
        """
        import contextlib, io
        from beatpolice.adapters.cli import main
        with contextlib.redirect_stdout(io.StringIO()) as text:
            code = main(["--help"])
        assert code == 0 and "usage: beatpolice" in text.getvalue()
        """,
        then=LOADED.format(optional=OPTIONAL),
    )
    assert out.strip() == "[]"


def test_the_core_alone_records_appraises_and_answers_help(tmp_path: Path) -> None:
    out = python(
        """
        import contextlib, io
        from datetime import UTC, datetime
        import beatpolice
        from beatpolice.adapters.cli import main

        clock = lambda: datetime(2014, 1, 31, tzinfo=UTC)
        with beatpolice.connect("sqlite:///station.db", clock=clock) as station:
            station.enlist_officer(badge="D0001", name="薛翠翠", station="德州", beat="一区")
            as_of = datetime(2014, 2, 1, tzinfo=UTC)
            report = beatpolice.appraise(station, month="2014-01", as_of=as_of)
            print(report.officer("D0001").awarded)
        for argv in (["--help"], ["--version"], ["registry", "officers", "--help"]):
            with contextlib.redirect_stdout(io.StringIO()):
                assert main(argv) == 0, argv
        with contextlib.redirect_stdout(io.StringIO()) as text:
            assert main(["registry", "officers", "--db", "station.db", "--json"]) == 0
        print("json ok" if '"D0001"' in text.getvalue() else text.getvalue())
        """,
        blocked=OPTIONAL,
        cwd=tmp_path,
    )
    assert out.splitlines() == ["[]", "json ok"]


@pytest.mark.parametrize(
    ("argv", "extra"),
    [
        (["registry", "officers", "--db", "station.db"], "cli"),
        (["appraise", "--db", "station.db", "--month", "2014-01"], "cli"),
        (["report", "--db", "station.db", "--month", "2014-01", "--html", "r.html"], "report"),
        (["demo", "--db", "demo.db"], "demo"),
        (["registry", "officers", "--db", "postgresql://police@db.invalid/station"], "postgres"),
    ],
)
def test_a_command_needing_a_missing_extra_names_it_in_one_line_and_exits_2(
    tmp_path: Path, argv: list[str], extra: str
) -> None:
    out = python(
        f"""
        import contextlib, io
        import beatpolice
        from beatpolice.adapters.cli import main
        beatpolice.connect("sqlite:///station.db").close()
        with contextlib.redirect_stderr(io.StringIO()) as err:
            code = main({argv!r})
        print(code)
        print(err.getvalue(), end="")
        """,
        blocked=OPTIONAL,
        cwd=tmp_path,
    )
    code, *lines = out.splitlines()
    assert code == "2"
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"beatpolice {argv[0]}: ")
    assert lines[0].endswith(f"the '{extra}' extra is needed ({lines[0].split('(')[-1]}")
    assert f"pip install 'beatpolice[{extra}]'" in lines[0]


def test_connect_to_postgres_without_psycopg_raises_missing_extra() -> None:
    out = python(
        """
        import beatpolice
        try:
            beatpolice.connect("postgresql://police:s3cret@db.invalid/station")
        except beatpolice.MissingExtraError as error:
            print(type(error).__name__, error.extra, error.module, isinstance(error, ImportError))
            print(error)
        """,
        blocked=OPTIONAL,
    )
    first, message = out.splitlines()
    assert first == "MissingExtraError postgres psycopg True"
    assert message == (
        "postgresql:// stores: the 'postgres' extra is needed (psycopg is not installed): "
        "pip install 'beatpolice[postgres]'"
    )
    assert "s3cret" not in out


def test_require_returns_the_module_or_names_the_extra() -> None:
    assert require("orjson", "JSON").__name__ == "orjson"
    with pytest.raises(beatpolice.MissingExtraError) as missing:
        require("beatpolice_no_such_library", "dreams")
    assert missing.value.extra == "beatpolice_no_such_library"
    assert str(missing.value).endswith("pip install 'beatpolice[beatpolice_no_such_library]'")
    assert isinstance(missing.value, beatpolice.BeatpoliceError)


def test_every_optional_library_belongs_to_an_extra_declared_in_pyproject() -> None:
    pyproject = (Path(__file__).parents[2] / "pyproject.toml").read_text(encoding="utf-8")
    for extra in set(EXTRAS.values()):
        assert f"\n{extra} = [" in pyproject, extra


def test_python_dash_m_beatpolice_prints_the_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "beatpolice", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (
        0,
        f"beatpolice {beatpolice.__version__}\n",
        "",
    )


CORE_LIMIT_MB = 35
"""The issue's ceiling for the core install (the packages beside pip and setuptools)."""


@pytest.mark.slow
def test_clean_install_of_the_wheel_with_the_core_alone(tmp_path: Path) -> None:
    root = Path(__file__).parents[2]
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(root)],
        check=True,
        timeout=300,
        capture_output=True,
    )
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    bin_dir = venv / "bin"
    wheel = next(wheels.glob("beatpolice-*.whl"))
    subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)],
        check=True,
        timeout=600,
        capture_output=True,
    )
    station = tmp_path / "station"
    station.mkdir()
    run = subprocess.run(
        [
            str(bin_dir / "python"),
            "-c",
            textwrap.dedent(
                """
                import importlib.metadata as metadata, sys
                import beatpolice
                with beatpolice.connect("sqlite:///station.db") as station:
                    station.enlist_officer(badge="D1", name="林凡", station="枫亭", beat="一区")
                names = sorted(d.metadata["Name"].lower() for d in metadata.distributions())
                print(" ".join(names))
                size = sum(
                    (f.locate().stat().st_size if f.locate().exists() else 0)
                    for d in metadata.distributions()
                    if d.metadata["Name"].lower() not in ("pip", "setuptools")
                    for f in (d.files or ())
                )
                print(size)
                """
            ),
        ],
        capture_output=True,
        text=True,
        cwd=station,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    names, size = run.stdout.split("\n")[:2]
    for optional in ("psycopg", "rich", "jinja2", "hypothesis", "faker", "pygments"):
        assert optional not in names.split(), names
    assert int(size) / 1e6 <= CORE_LIMIT_MB, f"core install {int(size) / 1e6:.1f} MB"
    help_text = subprocess.run(
        [str(bin_dir / "beatpolice"), "--help"], capture_output=True, text=True, timeout=60
    )
    assert help_text.returncode == 0
    assert "usage: beatpolice" in help_text.stdout
    version = subprocess.run(
        [str(bin_dir / "python"), "-m", "beatpolice", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert version.stdout == f"beatpolice {beatpolice.__version__}\n"
    missing = subprocess.run(
        [str(bin_dir / "beatpolice"), "registry", "officers", "--db", "station.db"],
        capture_output=True,
        text=True,
        cwd=station,
        timeout=60,
    )
    assert missing.returncode == 2
    assert missing.stderr.strip().endswith("pip install 'beatpolice[cli]'")


@pytest.mark.parametrize(
    ("face", "extra"),
    [
        ("beatpolice.testing", "testing"),
        ("beatpolice.report", "report"),
        ("beatpolice.demo", "demo"),
    ],
)
def test_an_optional_face_without_its_extra_names_it(face: str, extra: str) -> None:
    out = python(
        f"""
        import beatpolice
        try:
            import {face}
        except beatpolice.MissingExtraError as error:
            print(error.extra)
            print(error)
        """,
        blocked=OPTIONAL,
    )
    name, message = out.splitlines()
    assert name == extra
    assert message.startswith(f"{face}: the '{extra}' extra is needed (")
    assert message.endswith(f"pip install 'beatpolice[{extra}]'")
