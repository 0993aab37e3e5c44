"""Storage: store URLs, the event mapper and transcoder, event paging, the view stores.

Each backend (memory, SQLite, PostgreSQL) is reached through the same ports; the
application opens a store from its URL with :func:`beatpolice.adapters.store.storage.open_store`.
"""
