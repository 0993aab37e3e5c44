"""``python -m beatpolice.adapters.cli``: the ``beatpolice`` command line."""

import sys

from beatpolice.adapters.cli import main

if __name__ == "__main__":
    sys.exit(main())
