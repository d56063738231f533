"""cinscope: Child in Need procedure timescales, drift and DfE census outputs for Polars users.

The calendar (England and Wales bank holidays 2000-2035, local closures, both working-day
counting conventions) works on scalars and as Polars expressions::

    import datetime as dt
    import polars as pl
    import cinscope as cs

    cs.due_date(dt.date(2026, 11, 23), "45 working days")          # datetime.date(2027, 1, 28)
    df.with_columns(due=cs.add_working_days("referral_date", 45))
    df.with_columns(due=pl.col("referral_date").cin.due_date("45 working days"))

The events table is described by :func:`event_vocabulary` and checked by :func:`check_events`.
:func:`score` scores it against a rulebook (``cs.builtin_rulebooks()``), one row per obligation::

    obligations = cs.score(events, "kent", as_of=dt.date(2026, 3, 31))
    cs.compliance(obligations, by="team")
    cs.worklist(obligations)
"""

from __future__ import annotations

import os as _os

# The compiled core allocates with mimalloc, read from the environment when the core is loaded,
# so this comes before any import of it. Transparent huge pages are off for it: scoring at
# national scale frees and reuses large buffers, and on kernels that compact memory to back
# huge pages on demand (``defrag`` set to ``madvise``, the common default) that reuse cost up
# to a third of the run in the kernel (1M children: 2.4-2.6 s of system time against 4-6.4 s).
# A value already set by the user is kept.
_os.environ.setdefault("MIMALLOC_ALLOW_THP", "0")
# Freed memory goes back to the system at once. mimalloc otherwise returns it lazily, during
# later work of the allocator, so memory freed at the end of a call (its working lists, or a
# result the user drops) stayed resident while the process was idle: 1M children scored under
# one rulebook, the result dropped, 1.3 GiB still resident 12 s later with mimalloc's default
# delay and 1.6 GiB with a delay of 10 s, against none with 0. It also lowers the peak (1M
# children, one rulebook: +1.4-1.5 GiB against +1.8-1.9 GiB with 10 s) at the cost of faulting
# pages in again: scoring takes about an eighth longer and reading a national census return
# about a quarter, and a call right after another no longer reuses its pages. Set
# MIMALLOC_PURGE_DELAY (milliseconds) before importing cinscope to choose otherwise; a value
# already set by the user is kept.
_os.environ.setdefault("MIMALLOC_PURGE_DELAY", "0")

from cinscope._calendar import (
    Calendar,
    CinExpr,
    add,
    add_months,
    add_working_days,
    bank_holidays,
    count_working_days,
    default_calendar,
    due_date,
    is_working_day,
)
from cinscope._core import CalendarError, CensusError, CinscopeError, DataError, RulebookError, SchemaError, __version__
from cinscope._imported import Imported
from cinscope.annex_a import read_annex_a
from cinscope.census import (
    Census,
    Validation,
    census_compliance,
    census_from_tables,
    census_rules,
    generate_census,
    read_census,
)
from cinscope._coverage import SOURCE_EVENTS, CoverageWarning, coverage, source_matrix
from cinscope.drift import compliance_trend, interval_creep, long_plans, periods, stalled
from cinscope.events import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, check_events, event_vocabulary
from cinscope.mapping import mapping_template, read_mapped
from cinscope.privacy import pseudonymise
from cinscope.report import html_report, rule_family, summary
from cinscope.per_child import children_compliance, days_since_seen, time_in_standard
from cinscope.sources import INPUT_FORMATS, detect_format, read_source, report_source
from cinscope.ssd import read_ssd
from cinscope.synth import AUTHORITY_CHILDREN, Synthetic, default_cohort, synth, synth_defaults, synth_rules
from cinscope.scoring import (
    KINDS,
    OBLIGATION_COLUMNS,
    SEVERITIES,
    STATUSES,
    Rulebook,
    Scored,
    UnsetParameterWarning,
    builtin_rulebooks,
    compare_conventions,
    compare_rulebooks,
    compliance,
    load_rulebook,
    score,
    score_report,
    timescale_matrix,
    upcoming,
    worklist,
)

__all__ = [
    "CoverageWarning",
    "SOURCE_EVENTS",
    "INPUT_FORMATS",
    "Imported",
    "coverage",
    "detect_format",
    "read_source",
    "report_source",
    "source_matrix",
    "read_annex_a",
    "children_compliance",
    "days_since_seen",
    "time_in_standard",
    "UnsetParameterWarning",
    "Census",
    "CensusError",
    "Validation",
    "census_compliance",
    "census_from_tables",
    "census_rules",
    "generate_census",
    "read_census",
    "read_ssd",
    "AUTHORITY_CHILDREN",
    "html_report",
    "mapping_template",
    "read_mapped",
    "pseudonymise",
    "rule_family",
    "summary",
    "Synthetic",
    "default_cohort",
    "synth",
    "synth_defaults",
    "synth_rules",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "KINDS",
    "OBLIGATION_COLUMNS",
    "SEVERITIES",
    "STATUSES",
    "Calendar",
    "CalendarError",
    "CinExpr",
    "CinscopeError",
    "DataError",
    "Rulebook",
    "RulebookError",
    "SchemaError",
    "Scored",
    "builtin_rulebooks",
    "compare_conventions",
    "compare_rulebooks",
    "compliance",
    "compliance_trend",
    "interval_creep",
    "load_rulebook",
    "long_plans",
    "periods",
    "stalled",
    "score",
    "score_report",
    "timescale_matrix",
    "upcoming",
    "worklist",
    "__version__",
    "add",
    "add_months",
    "add_working_days",
    "bank_holidays",
    "check_events",
    "count_working_days",
    "default_calendar",
    "due_date",
    "event_vocabulary",
    "is_working_day",
]
