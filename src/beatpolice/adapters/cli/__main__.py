"""``python -m beatpolice.adapters.cli``: the ``beatpolice`` command line."""

import sys

from beatpolice.adapters.cli import main

sys.exit(main())
