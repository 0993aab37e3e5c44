"""``beatpolice.report`` needs jinja2 and markupsafe: the ``report`` extra."""

from beatpolice._extras import require

require("jinja2", "beatpolice.report")
require("markupsafe", "beatpolice.report")
