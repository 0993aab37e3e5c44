"""``beatpolice.demo`` needs faker (and the report's jinja2): the ``demo`` extra."""

from beatpolice._extras import require

require("faker", "beatpolice.demo")
require("jinja2", "beatpolice.demo", extra="demo")
