"""The HTML report: one self-contained page per month's appraisal (the ``[report]`` extra).

Its public names are offered by the face :mod:`beatpolice.report`.
"""
