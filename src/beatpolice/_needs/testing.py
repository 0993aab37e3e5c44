"""``beatpolice.testing`` needs hypothesis: the ``testing`` extra."""

from beatpolice._extras import require

require("hypothesis", "beatpolice.testing")
