"""``python -m beatpolice ...``: the ``beatpolice`` command line, for a Python without
the console script on its PATH (a virtual environment not activated, ``pipx``, CI)."""

import sys

from beatpolice.adapters.cli import main

if __name__ == "__main__":
    sys.exit(main())
