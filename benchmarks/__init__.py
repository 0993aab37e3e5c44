"""beatpolice's benchmark suite: ``python -m benchmarks`` (or ``make bench``).

Every row of its table is beatpolice doing one job beside references doing the same job
without it (bare eventsourcing, the database driver alone), measured in turns in the
same run so that their ratios hold on a noisy machine. See
docs/explanation/performance.md for what is measured and the figures.
"""

import os

# Every case opens stores the way a station does, sealing residents' text: PostgreSQL needs
# a master key given, and SQLite then makes no key file beside each store (ADR 0703).
os.environ.setdefault("BEATPOLICE_MASTER_KEY", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
