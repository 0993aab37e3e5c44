"""Throwaway PostgreSQL servers for the beatpolice test suite.

This module starts a private, disposable PostgreSQL server in a fresh
temporary folder, hands out connection URLs for it, and tears it down again.
It needs only the PostgreSQL server binaries (``initdb`` and ``pg_ctl``); no
system service, password or pre-existing cluster is involved.

How the server is run:

* The binaries are looked up with :func:`shutil.which` and, failing that, in
  the newest ``/usr/lib/postgresql/<version>/bin`` (the Debian layout).
* PostgreSQL refuses to run as root. When this process runs as root (as it
  does in CI), the temporary folder is chowned to the ``postgres`` operating
  system user and ``initdb``/``pg_ctl`` run as that user through
  ``runuser -u postgres -- ...``. Otherwise they run as the current user.
* The cluster is created with ``--auth=trust``, superuser ``postgres``,
  encoding UTF8 and the C locale, and is started on a free TCP port on
  127.0.0.1 with durability switched off (``fsync``, ``synchronous_commit``
  and ``full_page_writes`` are off), so it is fast but must never hold data
  anyone cares about.
* :meth:`PostgresServer.stop` shuts the server down with
  ``pg_ctl -m immediate stop`` and deletes the temporary folder. It is
  idempotent and is also registered with :mod:`atexit`, so an interrupted
  test run does not leave a server behind (a ``SIGKILL`` of the test process
  still can; the server's folder is then named ``beatpolice-pg-*`` in the
  temporary directory).

Typical use outside pytest::

    with PostgresServer() as server:
        url = server.create_database("events")
        ...

Use from pytest: the session-scoped :func:`postgres_server` fixture yields a
started :class:`PostgresServer`. Make it available to the test suite with a
``tests/conftest.py`` containing::

    from postgres_server import postgres_server  # noqa: F401

This works because ``tests/`` is not a package (it has no ``__init__.py``):
with pytest's default ``prepend`` import mode, pytest inserts the folder of
a ``conftest.py`` and of each test module at the front of :data:`sys.path`
before importing it, so this file is importable as the plain module
``postgres_server``. With ``--import-mode=importlib`` that insertion does not
happen; add ``pythonpath = ["tests"]`` to the ``[tool.pytest.ini_options]``
table of ``pyproject.toml`` to make the import work in every mode.

When the binaries are missing, the fixture skips the tests that use it,
unless the environment variable ``BEATPOLICE_REQUIRE_POSTGRES`` is ``1``
(``true``, ``yes`` and ``on`` are accepted as well), in which case those
tests fail instead. CI sets the variable so that a broken PostgreSQL
installation cannot silently turn the PostgreSQL tests into skips.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import glob
import os
import pwd
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from urllib.parse import quote

import psycopg
import pytest
from psycopg import sql

__all__ = [
    "POSTGRES_OS_USER",
    "REQUIRE_POSTGRES_ENV",
    "SUPERUSER",
    "PostgresBinaries",
    "PostgresServer",
    "PostgresServerError",
    "find_postgres_binaries",
    "postgres_available",
    "postgres_required",
    "postgres_server",
    "require_postgres",
]

REQUIRE_POSTGRES_ENV = "BEATPOLICE_REQUIRE_POSTGRES"
"""Environment variable that turns "PostgreSQL missing" skips into failures."""

POSTGRES_OS_USER = "postgres"
"""Operating system user that runs the server when this process is root."""

SUPERUSER = "postgres"
"""Name of the database superuser created by ``initdb``."""

HOST = "127.0.0.1"
"""Address the server listens on."""

DEBIAN_BIN_GLOB = "/usr/lib/postgresql/*/bin"
"""Where Debian and Ubuntu install the server binaries, one folder a version."""

DEFAULT_SETTINGS: Mapping[str, str] = {
    "listen_addresses": HOST,
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}
"""Server settings passed to ``postgres`` with ``-c`` (fast, not durable)."""

_TRUTHY = frozenset({"1", "true", "yes", "on"})
_PORT_IN_USE_MARKERS = ("Address already in use", "could not create any TCP/IP sockets")
_LOG_TAIL_LINES = 40
_COMMAND_TIMEOUT = 120.0


class PostgresServerError(RuntimeError):
    """A throwaway PostgreSQL server could not be created, started or used."""


@dataclasses.dataclass(frozen=True)
class PostgresBinaries:
    """Paths of the PostgreSQL server programs this module runs.

    Attributes:
        initdb: The ``initdb`` executable.
        pg_ctl: The ``pg_ctl`` executable.
    """

    initdb: Path
    pg_ctl: Path


def _version_key(bin_dir: str) -> tuple[int, ...]:
    """Sort key for ``/usr/lib/postgresql/<version>/bin`` folders.

    Args:
        bin_dir: A folder matched by :data:`DEBIAN_BIN_GLOB`.

    Returns:
        The version as a tuple of integers (``"9.6"`` gives ``(9, 6)``), or an
        empty tuple, which sorts first, when the version is not numeric.
    """
    version = Path(bin_dir).parent.name
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return ()


def find_postgres_binaries() -> PostgresBinaries | None:
    """Locate ``initdb`` and ``pg_ctl``.

    Both programs are first looked up on ``PATH``. If either is missing there,
    the newest ``/usr/lib/postgresql/<version>/bin`` folder holding both is
    used instead.

    Returns:
        The programs' paths, or None when no usable pair was found.
    """
    initdb = shutil.which("initdb")
    pg_ctl = shutil.which("pg_ctl")
    if initdb is not None and pg_ctl is not None:
        return PostgresBinaries(initdb=Path(initdb), pg_ctl=Path(pg_ctl))
    for bin_dir in sorted(glob.glob(DEBIAN_BIN_GLOB), key=_version_key, reverse=True):
        initdb_path = Path(bin_dir, "initdb")
        pg_ctl_path = Path(bin_dir, "pg_ctl")
        if all(os.access(path, os.X_OK) for path in (initdb_path, pg_ctl_path)):
            return PostgresBinaries(initdb=initdb_path, pg_ctl=pg_ctl_path)
    return None


def _running_as_root() -> bool:
    """Tell whether this process runs with root's effective user id."""
    return os.geteuid() == 0


def postgres_available() -> str | None:
    """Check whether a throwaway server can be started on this machine.

    Returns:
        None when it can, otherwise a human-readable reason why not: the
        server binaries are missing or, when running as root, ``runuser`` or
        the ``postgres`` operating system user is missing.
    """
    if find_postgres_binaries() is None:
        return (
            "PostgreSQL server binaries not found: 'initdb' and 'pg_ctl' are "
            f"neither on PATH nor in {DEBIAN_BIN_GLOB} "
            "(on Debian/Ubuntu: apt-get install postgresql)"
        )
    if _running_as_root():
        if shutil.which("runuser") is None:
            return (
                "running as root, but 'runuser' (util-linux) is not on PATH, so "
                f"PostgreSQL cannot be run as the {POSTGRES_OS_USER!r} user"
            )
        try:
            pwd.getpwnam(POSTGRES_OS_USER)
        except KeyError:
            return (
                f"running as root, but there is no {POSTGRES_OS_USER!r} operating "
                "system user to run PostgreSQL as (PostgreSQL refuses to run as root)"
            )
    return None


def postgres_required() -> bool:
    """Tell whether the environment demands that PostgreSQL tests run.

    Returns:
        True when :data:`REQUIRE_POSTGRES_ENV` is set to ``1``, ``true``,
        ``yes`` or ``on`` (in any case).
    """
    return os.environ.get(REQUIRE_POSTGRES_ENV, "").strip().lower() in _TRUTHY


def require_postgres() -> None:
    """Skip, or fail, the current test when PostgreSQL is not available.

    Does nothing when :func:`postgres_available` finds no problem.

    Raises:
        pytest.fail.Exception: PostgreSQL is unavailable and
            :func:`postgres_required` is true.
        pytest.skip.Exception: PostgreSQL is unavailable and not required.
    """
    reason = postgres_available()
    if reason is None:
        return
    if postgres_required():
        pytest.fail(
            f"{reason} ({REQUIRE_POSTGRES_ENV} is set, so this is an error)", pytrace=False
        )
    pytest.skip(reason)


def _free_port(host: str) -> int:
    """Ask the kernel for a currently unused TCP port.

    Args:
        host: Address to bind to while asking.

    Returns:
        A port number that was free a moment ago (another process may still
        take it before the server binds it; callers retry in that case).
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def _process_alive(pid: int) -> bool:
    """Tell whether a process exists and is not a zombie.

    Args:
        pid: The process id.

    Returns:
        True if the process exists and has not yet exited.
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    # The state follows the parenthesised command name, which may contain spaces.
    return stat.rpartition(")")[2].split()[0] != "Z"


def _subprocess_env() -> dict[str, str]:
    """Environment for ``initdb``/``pg_ctl`` without libpq's ``PG*`` variables."""
    return {key: value for key, value in os.environ.items() if not key.startswith("PG")}


class PostgresServer:
    """A disposable PostgreSQL server in its own temporary folder.

    The server is started by :meth:`start` or by entering the object as a
    context manager, and stopped (with its folder deleted) by :meth:`stop` or
    by leaving the context. An instance runs at most once.

    Example:
        >>> with PostgresServer() as server:  # doctest: +SKIP
        ...     url = server.create_database("events")

    Attributes:
        host: Address the server listens on (always ``127.0.0.1``).
        user: Name of the trusted superuser (always ``postgres``).
    """

    host: str = HOST
    user: str = SUPERUSER

    def __init__(
        self,
        *,
        settings: Mapping[str, str] | None = None,
        start_attempts: int = 3,
        start_timeout: int = 60,
    ) -> None:
        """Prepare a server; nothing is created until :meth:`start`.

        Args:
            settings: Extra server settings (``-c name=value``), added to and
                overriding :data:`DEFAULT_SETTINGS`.
            start_attempts: How many free ports to try when starting fails
                because the chosen port was taken in the meantime.
            start_timeout: Seconds ``pg_ctl`` waits for the server to accept
                connections.
        """
        self._settings: dict[str, str] = {**DEFAULT_SETTINGS, **(settings or {})}
        self._start_attempts = max(1, start_attempts)
        self._start_timeout = start_timeout
        self._binaries: PostgresBinaries | None = None
        self._runuser: str | None = None
        self._base_dir: Path | None = None
        self._port: int | None = None
        self._pid: int | None = None
        self._running = False
        self._finished = False

    def __repr__(self) -> str:
        """Describe the server and its state."""
        if self._running:
            return f"<PostgresServer {self.url} pid={self._pid} dir={self._base_dir}>"
        return f"<PostgresServer {'stopped' if self._finished else 'not started'}>"

    def __enter__(self) -> PostgresServer:
        """Start the server unless it is already running.

        Returns:
            The running server.
        """
        if not self._running:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the server and delete its folder."""
        self.stop()

    # -- Locations and URLs ------------------------------------------------

    @property
    def base_dir(self) -> Path:
        """The temporary folder holding the data directory, log and socket.

        Raises:
            PostgresServerError: The server was never started.
        """
        if self._base_dir is None:
            raise PostgresServerError("the PostgreSQL server has not been started")
        return self._base_dir

    @property
    def data_dir(self) -> Path:
        """The cluster's data directory (``PGDATA``)."""
        return self.base_dir / "data"

    @property
    def log_path(self) -> Path:
        """The server log written by ``pg_ctl -l``."""
        return self.base_dir / "postgres.log"

    @property
    def socket_dir(self) -> Path:
        """The folder holding the server's Unix-domain socket."""
        return self.base_dir

    @property
    def port(self) -> int:
        """The TCP port the server listens on.

        Raises:
            PostgresServerError: The server is not running.
        """
        self._require_running()
        assert self._port is not None
        return self._port

    @property
    def pid(self) -> int:
        """Process id of the postmaster.

        Raises:
            PostgresServerError: The server is not running.
        """
        self._require_running()
        assert self._pid is not None
        return self._pid

    @property
    def running(self) -> bool:
        """True between a successful :meth:`start` and :meth:`stop`."""
        return self._running

    @property
    def url(self) -> str:
        """URL of the ``postgres`` maintenance database, for the superuser.

        For example ``postgresql://postgres@127.0.0.1:54321/postgres``.

        Raises:
            PostgresServerError: The server is not running.
        """
        return self.url_for("postgres")

    def url_for(self, dbname: str) -> str:
        """Build the superuser's URL for a database on this server.

        Args:
            dbname: Database name; it need not exist yet.

        Returns:
            A ``postgresql://`` URL with the name percent-encoded.

        Raises:
            PostgresServerError: The server is not running.
        """
        return (
            f"postgresql://{quote(self.user, safe='')}@{self.host}:{self.port}/"
            f"{quote(dbname, safe='')}"
        )

    # -- Databases ---------------------------------------------------------

    def create_database(self, name: str | None = None) -> str:
        """Create a new, empty database owned by the superuser.

        Args:
            name: Database name (any string PostgreSQL accepts as a quoted
                identifier). None picks a unique name ``test_<hex>``.

        Returns:
            The URL of the new database.

        Raises:
            PostgresServerError: The server is not running.
            psycopg.Error: PostgreSQL rejected the name, for instance because
                a database of that name exists already.
        """
        self._require_running()
        if name is None:
            name = f"test_{uuid.uuid4().hex[:16]}"
        with psycopg.connect(self.url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url_for(name)

    # -- Lifecycle ---------------------------------------------------------

    def start(self) -> PostgresServer:
        """Create the cluster and start the server.

        On failure everything created so far is removed again.

        Returns:
            This server, now running.

        Raises:
            PostgresServerError: The binaries are unavailable, the server was
                already started once, or ``initdb``/``pg_ctl`` failed; the
                message then includes their output and the log's tail.
        """
        if self._running or self._finished:
            raise PostgresServerError("a PostgresServer can only be started once")
        reason = postgres_available()
        if reason is not None:
            raise PostgresServerError(reason)
        self._binaries = find_postgres_binaries()
        if _running_as_root():
            self._runuser = shutil.which("runuser")
        self._base_dir = Path(tempfile.mkdtemp(prefix="beatpolice-pg-"))
        atexit.register(self.stop)
        try:
            if self._runuser is not None:
                account = pwd.getpwnam(POSTGRES_OS_USER)
                os.chown(self._base_dir, account.pw_uid, account.pw_gid)
            self._initdb()
            self._start_postmaster()
        except BaseException:
            self.stop()
            raise
        self._running = True
        return self

    def stop(self) -> None:
        """Stop the server immediately and delete its temporary folder.

        Safe to call any number of times, also before :meth:`start` and after
        a failed start. Runs ``pg_ctl -m immediate stop``; should the
        postmaster survive that, it is sent ``SIGQUIT`` and then ``SIGKILL``.
        """
        if self._finished or self._base_dir is None:
            return
        self._finished = True
        self._running = False
        atexit.unregister(self.stop)
        try:
            if (self.data_dir / "postmaster.pid").exists():
                with contextlib.suppress(OSError, subprocess.SubprocessError):
                    self._run(self._pg_ctl("stop", "-m", "immediate", "-w", "-t", "30"))
            if self._pid is not None:
                self._kill_if_alive(self._pid)
        finally:
            shutil.rmtree(self._base_dir, ignore_errors=True)

    # -- Internals ---------------------------------------------------------

    def _require_running(self) -> None:
        """Raise unless the server is running.

        Raises:
            PostgresServerError: The server is not running.
        """
        if not self._running:
            state = "has been stopped" if self._finished else "has not been started"
            raise PostgresServerError(f"the PostgreSQL server {state}")

    def _command(self, args: Sequence[str]) -> list[str]:
        """Prefix a command with ``runuser`` when running as root.

        Args:
            args: The program and its arguments.

        Returns:
            The command line to execute.
        """
        if self._runuser is not None:
            return [self._runuser, "-u", POSTGRES_OS_USER, "--", *args]
        return list(args)

    def _run(self, args: Sequence[str]) -> subprocess.CompletedProcess[str]:
        """Run a PostgreSQL program as the right user and capture its output.

        Args:
            args: The program and its arguments.

        Returns:
            The finished process; its exit status is not checked.
        """
        return subprocess.run(
            self._command(args),
            cwd=self.base_dir,
            env=_subprocess_env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=_COMMAND_TIMEOUT,
            check=False,
        )

    def _pg_ctl(self, *args: str) -> list[str]:
        """Build a ``pg_ctl`` command line for this server's data directory."""
        assert self._binaries is not None
        return [str(self._binaries.pg_ctl), *args, "-D", str(self.data_dir)]

    def _initdb(self) -> None:
        """Create the cluster with ``initdb``.

        Raises:
            PostgresServerError: ``initdb`` failed.
        """
        assert self._binaries is not None
        result = self._run(
            [
                str(self._binaries.initdb),
                "-D",
                str(self.data_dir),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
            ]
        )
        if result.returncode != 0:
            raise PostgresServerError(
                f"initdb failed with exit status {result.returncode}:\n"
                f"{result.stdout}{result.stderr}"
            )

    def _server_options(self, port: int) -> str:
        """Build the ``pg_ctl -o`` option string for the postmaster.

        Args:
            port: TCP port to listen on.

        Returns:
            Shell-quoted ``postgres`` command-line options.
        """
        options = ["-p", str(port), "-k", str(self.socket_dir)]
        for name, value in self._settings.items():
            options += ["-c", f"{name}={value}"]
        return shlex.join(options)

    def _read_log(self, offset: int = 0) -> str:
        """Read the server log from a byte offset.

        Args:
            offset: Where to start reading.

        Returns:
            The log text, or an empty string when there is no log yet.
        """
        try:
            with self.log_path.open("rb") as log:
                log.seek(offset)
                return log.read().decode("utf-8", errors="replace")
        except OSError:
            return ""

    def _log_size(self) -> int:
        """Current size of the server log in bytes (0 when absent)."""
        try:
            return self.log_path.stat().st_size
        except OSError:
            return 0

    def _start_postmaster(self) -> None:
        """Start the server with ``pg_ctl start``, retrying taken ports.

        Raises:
            PostgresServerError: The server did not start; the message
                includes ``pg_ctl``'s output and the tail of the server log.
        """
        for attempt in range(1, self._start_attempts + 1):
            port = _free_port(self.host)
            log_offset = self._log_size()
            result = self._run(
                self._pg_ctl(
                    "start",
                    "-w",
                    "-t",
                    str(self._start_timeout),
                    "-l",
                    str(self.log_path),
                    "-o",
                    self._server_options(port),
                )
            )
            if result.returncode == 0:
                self._port = port
                self._pid = self._read_postmaster_pid()
                return
            new_log = self._read_log(log_offset)
            port_taken = any(marker in new_log for marker in _PORT_IN_USE_MARKERS)
            if port_taken and attempt < self._start_attempts:
                continue
            tail = "\n".join(self._read_log().splitlines()[-_LOG_TAIL_LINES:])
            raise PostgresServerError(
                f"pg_ctl start failed with exit status {result.returncode} "
                f"(attempt {attempt} of {self._start_attempts}, port {port}):\n"
                f"{result.stdout}{result.stderr}\n"
                f"--- last lines of {self.log_path} ---\n{tail}"
            )

    def _read_postmaster_pid(self) -> int:
        """Read the postmaster's process id from ``postmaster.pid``.

        Raises:
            PostgresServerError: The file is missing or malformed.
        """
        try:
            return int((self.data_dir / "postmaster.pid").read_text().splitlines()[0])
        except (OSError, ValueError, IndexError) as error:
            raise PostgresServerError(f"cannot read the postmaster's pid: {error}") from error

    @staticmethod
    def _kill_if_alive(pid: int, grace: float = 5.0) -> None:
        """Wait for a process to end, killing it if it takes too long.

        Args:
            pid: The postmaster's process id.
            grace: Seconds to wait after each signal.
        """
        for sig in (None, signal.SIGQUIT, signal.SIGKILL):
            if sig is not None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, sig)
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline:
                if not _process_alive(pid):
                    return
                time.sleep(0.01)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """Session-wide throwaway PostgreSQL server.

    Skips the requesting tests when PostgreSQL is unavailable, or fails them
    when ``BEATPOLICE_REQUIRE_POSTGRES=1`` (see :func:`require_postgres`).
    Tests wanting an isolated database call
    :meth:`PostgresServer.create_database`.

    Yields:
        The running server; it is stopped at the end of the session.
    """
    require_postgres()
    with PostgresServer() as server:
        yield server
