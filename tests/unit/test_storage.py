"""Store URLs: the three backends of CONTRACT.md, a plain path, and clear refusals."""

from __future__ import annotations

import pytest

from beatpolice import StorageError
from beatpolice.adapters.storage import parse_url


def test_memory_url() -> None:
    assert parse_url("memory://").backend == "memory"


def test_sqlite_urls_relative_absolute_and_plain_path() -> None:
    assert parse_url("sqlite:///station.db").env["SQLITE_DBNAME"] == "station.db"
    assert parse_url("sqlite:////tmp/station.db").env["SQLITE_DBNAME"] == "/tmp/station.db"
    assert parse_url("station.db").backend == "sqlite"


def test_postgres_url_is_split_and_its_password_masked() -> None:
    store = parse_url("postgresql://police:s3cret@db.example:5433/dezhou")

    assert store.backend == "postgres"
    assert store.env["POSTGRES_HOST"] == "db.example"
    assert store.env["POSTGRES_PORT"] == "5433"
    assert store.env["POSTGRES_DBNAME"] == "dezhou"
    assert store.env["POSTGRES_USER"] == "police"
    assert store.env["POSTGRES_PASSWORD"] == "s3cret"
    assert "s3cret" not in store.display


@pytest.mark.parametrize(
    "url",
    ["mysql://host/db", "sqlite://", "postgresql://host", "sqlite:///no/such/folder/x.db"],
)
def test_bad_urls_are_refused_with_storage_error(url: str) -> None:
    with pytest.raises(StorageError):
        parse_url(url)
