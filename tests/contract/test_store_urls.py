"""Store URLs keep every libpq parameter and mask every secret (ADR 0808).

The unit tests parse; the PostgreSQL ones show the parameters reach the server on every
connection the station opens: ``application_name`` is seen in ``pg_stat_activity``, and
``sslmode=require`` against the test server (which has no TLS) is refused, where a URL
whose query was dropped would have connected in clear.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

import psycopg
import pytest

import beatpolice
from beatpolice.adapters.store._postgres_url import OPTIONS_ENV, mask_password
from beatpolice.adapters.store.storage import parse_url
from postgres_server import PostgresServer


def test_query_parameters_are_kept_for_every_connection() -> None:
    store = parse_url(
        "postgresql://police:s3cret@db.example:5433/dezhou"
        "?sslmode=verify-full&sslrootcert=/etc/ca.pem&application_name=station-7"
        "&target_session_attrs=read-write&options=-c%20search_path%3Dbp&connect_timeout=3"
    )
    assert store.params == {
        "host": "db.example",
        "port": "5433",
        "dbname": "dezhou",
        "user": "police",
        "password": "s3cret",
        "sslmode": "verify-full",
        "sslrootcert": "/etc/ca.pem",
        "application_name": "station-7",
        "target_session_attrs": "read-write",
        "options": "-c search_path=bp",
        "connect_timeout": "3",
    }
    assert store.env["POSTGRES_CONNECT_TIMEOUT"] == "3"
    assert "sslmode=verify-full" in store.env[OPTIONS_ENV]
    assert "password" not in store.env[OPTIONS_ENV]
    assert "s3cret" not in store.display


def test_a_socket_folder_host_and_the_defaults() -> None:
    store = parse_url("postgresql:///dezhou?host=/var/run/postgresql&port=5439")
    assert (store.env["POSTGRES_HOST"], store.env["POSTGRES_PORT"]) == (
        "/var/run/postgresql",
        "5439",
    )
    assert store.params["user"] == "postgres"
    assert store.params["connect_timeout"] == "10"
    assert store.env[OPTIONS_ENV] == ""


@pytest.mark.parametrize(
    ("url", "secret", "refused"),
    [
        ("postgresql://police:s3cret@db.example/dezhou?sslpassword=k3y", "k3y", False),
        ("postgresql://db.example/dezhou?user=u&password=s3cret", "s3cret", False),
        ("postgresql://police:s3cret@db.example/dezhou?bogus=1", "s3cret", True),
        ("postgresql://police:s3cret@db.example/dezhou?connect_timeout=soon", "s3cret", True),
    ],
)
def test_secrets_are_masked_in_messages_and_displays(url: str, secret: str, refused: bool) -> None:
    assert secret not in mask_password(url)
    if not refused:
        assert secret not in parse_url(url).display
        return
    with pytest.raises(beatpolice.StorageError) as error:
        parse_url(url)
    assert secret not in str(error.value)
    assert "\n" not in str(error.value)


def test_a_bad_connect_timeout_is_refused_naming_it() -> None:
    with pytest.raises(beatpolice.StorageError, match="connect_timeout soon is not a whole"):
        parse_url("postgresql://db.example/dezhou?connect_timeout=soon")


def clock() -> datetime:
    return datetime(2014, 2, 1, tzinfo=UTC)


@pytest.mark.postgres
def test_application_name_reaches_the_event_store_and_the_view_store(
    postgres_server: PostgresServer,
) -> None:
    url = postgres_server.create_database()
    tagged = f"{url}?application_name=bp-url-test&sslmode=disable"
    with beatpolice.connect(tagged, clock=clock) as station:
        station.enlist_officer(badge="D1", name="薛翠翠", station="德州", beat="一区")
        station.view_store.load("officers", "officers", ["D1"])  # opens the view store
        with psycopg.connect(postgres_server.url, autocommit=True) as admin:
            names = [
                row[0]
                for row in admin.execute(
                    "SELECT application_name FROM pg_stat_activity WHERE datname = %s",
                    (tagged.rsplit("/", 1)[1].split("?")[0],),
                )
            ]
    assert names.count("bp-url-test") >= 2, names  # the event pool's and the view store's
    assert all(name == "bp-url-test" for name in names if name), names


@pytest.mark.postgres
def test_sslmode_require_is_passed_on_not_dropped(postgres_server: PostgresServer) -> None:
    url = postgres_server.create_database()
    with pytest.raises(beatpolice.StorageError) as refused:
        beatpolice.connect(f"{url}?sslmode=require")
    assert "SSL" in str(refused.value) or "ssl" in str(refused.value)
    assert "\n" not in str(refused.value)


@pytest.mark.postgres
def test_a_unix_socket_url_opens_the_store(postgres_server: PostgresServer) -> None:
    name = postgres_server.create_database().rsplit("/", 1)[1]
    socket = quote(str(postgres_server.socket_dir), safe="")
    url = f"postgresql:///{name}?host={socket}&port={postgres_server.port}&user=postgres"
    with beatpolice.connect(url, clock=clock) as station:
        station.enlist_officer(badge="D1", name="薛翠翠", station="德州", beat="一区")
        assert station.officer("D1").name == "薛翠翠"
