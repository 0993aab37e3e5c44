"""One module per optional face: importing it checks that face's extra is installed.

``beatpolice.testing``, ``beatpolice.report`` and ``beatpolice.demo`` import theirs
first, so that without the extra they fail with one
:class:`~beatpolice.MissingExtraError` line naming it, not a ``ModuleNotFoundError``
from deep inside (ADR 0800).
"""
