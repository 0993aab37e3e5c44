"""The use cases: the Station, its command handlers, the unit of work, batches and retries.

The application ring sits between the adapters (storage, the command line, the HTML
report) and the domain and projections. Callers meet it through the face
:mod:`beatpolice` (``connect``, ``Station``); nothing here is imported by name from
outside the package.
"""
