"""A synthetic station month for demonstrations, tutorials and tests (``beatpolice demo``).

:func:`generate` makes a station shaped like the Fengting article's 枫亭派出所 (four responsibility
areas of three officers, about 1,500 households, venues of every category, disputes at
every level) and a month of its field work as the public commands; :func:`record`
sends them through the station's ``handle_batch`` at their own entry instants. The
same seed gives the same month, the same recorded times and the same appraisal
fingerprint.

Examples:
    >>> from beatpolice.demo import DemoConfig, generate
    >>> demo = generate(DemoConfig(beats=1, officers_per_beat=1, households=100, venues=6))
    >>> demo.officers[0].name
    '林凡'
"""

from beatpolice._needs import demo as _needs  # noqa: F401 (one line names the extra if missing)
from beatpolice.demo._generator import generate
from beatpolice.demo._job import DemoResult, StepProgress, headlines, run_demo
from beatpolice.demo._month import (
    DEFAULT_MONTH,
    DEFAULT_SEED,
    DemoConfig,
    DemoMonth,
    DemoOfficer,
    Entry,
)
from beatpolice.demo._profiles import (
    InformationProfile,
    InvestigationProfile,
    MediationProfile,
    OfficerProfile,
    ServiceProfile,
    VisitProfile,
)
from beatpolice.demo._recording import EntryClock, Recording, record

__all__ = [
    "DEFAULT_MONTH",
    "DEFAULT_SEED",
    "DemoConfig",
    "DemoMonth",
    "DemoOfficer",
    "DemoResult",
    "Entry",
    "EntryClock",
    "InformationProfile",
    "InvestigationProfile",
    "MediationProfile",
    "OfficerProfile",
    "Recording",
    "ServiceProfile",
    "StepProgress",
    "VisitProfile",
    "generate",
    "headlines",
    "record",
    "run_demo",
]
