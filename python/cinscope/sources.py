"""One way in for every source an analyst holds: detected by content, or named.

:func:`read_source` reads any of the inputs cinscope knows and returns an
:class:`cinscope.Imported` (events, findings, what the source can hold):

==============  =====================================================================
format          what it reads
==============  =====================================================================
``events``      a canonical events table (CSV or Parquet), see docs/events.md
``annex_a``     an Ofsted Annex A workbook (.xlsx, .xlsm, .ods) or folder of per-list CSVs
``ssd``         a folder of Standard Safeguarding Dataset tables (``ssd_*.csv``/``.parquet``)
                or a SQLite database file (``.sqlite``, ``.sqlite3``, ``.db``)
``census``      a DfE Children in Need census return (XML)
``mapping``     any other extract, through a declarative mapping (``mapping=...``)
==============  =====================================================================

Detection looks at what the path is, not only at its name: a folder holding ``ssd_*`` tables
is the SSD, a folder of other CSVs is Annex A; an XML file whose root is a census ``Message``
is a census; a CSV whose header has ``child_id``, ``event`` and ``date`` is an events table.
Anything else is refused with the formats it could be and how to name one
(``input_format=...`` or ``--input-format``).
"""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path

import polars as pl

from cinscope._core import CinscopeError
from cinscope._imported import Imported, findings_frame
from cinscope._coverage import SOURCE_EVENTS

#: The formats :func:`read_source` reads.
INPUT_FORMATS = ("events", "annex_a", "ssd", "census", "mapping")

_WORKBOOKS = (".xlsx", ".xlsm", ".ods")
_DATABASES = (".sqlite", ".sqlite3", ".db")


def _head(path: Path, size: int = 4096) -> bytes:
    try:
        with path.open("rb") as f:
            return f.read(size)
    except OSError as e:
        raise CinscopeError(f"{path}: cannot be read ({e.strerror or e})") from None


def _csv_header(path: Path) -> list[str]:
    head = _head(path)
    for encoding in ("utf-8-sig", "utf-16", "cp1252"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            continue
        first = text.splitlines()[0] if text.splitlines() else ""
        return [c.strip().strip('"').lower() for c in first.split(",")]
    return []


def detect_format(path: str | os.PathLike[str]) -> str:
    """The format of the source at ``path`` (one of :data:`INPUT_FORMATS` but ``mapping``).

    >>> import cinscope as cs
    >>> from cinscope.cli import bundled_events_path
    >>> cs.detect_format(bundled_events_path())
    'events'
    """
    p = Path(path)
    if not p.exists():
        raise CinscopeError(f"{p}: no such file or folder")
    if p.is_dir():
        names = [c.name.lower() for c in p.iterdir() if c.is_file()]
        if any(n.startswith("ssd_") and n.endswith((".csv", ".parquet")) for n in names):
            return "ssd"
        if any(n.endswith(".csv") for n in names):
            return "annex_a"  # the Annex A reader names each file it cannot recognise as a list
        raise CinscopeError(
            f"{p}: a folder, but it holds neither Standard Safeguarding Dataset tables (ssd_*.csv or "
            "ssd_*.parquet) nor Annex A lists (*.csv)"
        )
    suffix = p.suffix.lower()
    if suffix in _WORKBOOKS:
        return "annex_a"
    if suffix in _DATABASES:
        return "ssd"
    head = _head(p, 2048)
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if suffix == ".xml" or text.startswith(b"<?xml") or text.startswith(b"<Message"):
        return "census"
    if head.startswith(b"PK\x03\x04"):
        return "annex_a"  # a workbook with another name: the Annex A reader says if it is not one
    if suffix == ".parquet" or head.startswith(b"PAR1"):
        return "events"
    if suffix in (".csv", ".txt"):
        # An Annex A list only when its header says so; anything else goes to the events reader,
        # whose messages name what is wrong with an events file.
        from cinscope.annex_a import looks_like_a_list

        header = _csv_header(p)
        if not {"child_id", "event", "date"} <= set(header) and header and looks_like_a_list(header):
            return "annex_a"
        return "events"
    raise CinscopeError(
        f"{p}: cannot tell what this is from its name or content; name its format with "
        f"input_format= (--input-format): one of {', '.join(INPUT_FORMATS)}"
    )


def _census(path: Path) -> Imported:
    from cinscope.census import read_census

    census = read_census(path)
    # One authority's return: the rulebook is the caller's choice, not a column of the return.
    events = census.events().drop("authority")
    notes = census.notes
    rows: list[dict[str, object]] = [
        {
            "source": path.name,
            "row": line,
            "column": where,
            "code": "CENSUS_NOTE",
            "action": "kept",
            "message": message,
        }
        for line, where, message in notes.select("line", "path", "message").rows()
    ]
    return Imported(
        events=events,
        findings=findings_frame(rows),
        source_format="census",
        as_of=census.reference_date,
        counts={"children": len(census)},
        source_events=SOURCE_EVENTS["census"],
    )


def read_source(
    path: str | os.PathLike[str],
    *,
    input_format: str | None = None,
    as_of: _dt.date | None = None,
    mapping: str | os.PathLike[str] | None = None,
) -> Imported:
    """Reads any source cinscope knows (see the module's table) into events and findings.

    Parameters
    ----------
    path
        A file or folder.
    input_format
        One of :data:`INPUT_FORMATS`; detected from the path when None (``mapping`` when a
        mapping is given).
    as_of
        The extract date. Annex A needs it (the inspection date); the census takes its own
        reference date when it is not given.
    mapping
        A mapping file (TOML) for ``input_format="mapping"``.

    Examples
    --------
    >>> import datetime as dt
    >>> import cinscope as cs
    >>> from cinscope.cli import bundled_events_path
    >>> source = cs.read_source(bundled_events_path())
    >>> source.source_format, source.events.height > 0, source.source_events is None
    ('events', True, True)
    """
    p = Path(path)
    if mapping is not None and input_format in (None, "mapping"):
        input_format = "mapping"
    fmt = input_format or detect_format(p)
    if fmt not in INPUT_FORMATS:
        raise CinscopeError(f"unknown input format {fmt!r}: expected one of {', '.join(INPUT_FORMATS)}")
    if fmt == "events":
        from cinscope.cli import read_events

        return Imported(events=read_events(p), source_format="events", as_of=as_of)
    if fmt == "annex_a":
        from cinscope.annex_a import read_annex_a

        if as_of is None:
            raise CinscopeError(
                f"{p}: an Annex A workbook is a snapshot for an inspection: give the inspection date as "
                "as_of (--as-of YYYY-MM-DD)"
            )
        return read_annex_a(p, inspection_date=as_of)
    if fmt == "ssd":
        from cinscope.ssd import read_ssd

        source: str | Path = f"sqlite:///{p.resolve()}" if p.is_file() else p
        return read_ssd(source, as_of=as_of)
    if fmt == "census":
        return _census(p)
    if mapping is None:
        raise CinscopeError(f"{p}: input format 'mapping' needs a mapping file (mapping=..., --mapping FILE.toml)")
    from cinscope.mapping import read_mapped

    return read_mapped(p, mapping, as_of=as_of)


def events_of(source: pl.DataFrame | pl.LazyFrame | Imported) -> pl.DataFrame:
    """The events frame of a frame or an import."""
    if isinstance(source, Imported):
        return source.events
    return source.collect() if isinstance(source, pl.LazyFrame) else source


def report_source(
    path: str | os.PathLike[str],
    output: str | os.PathLike[str],
    rulebook: object = "national",
    *,
    as_of: _dt.date | None = None,
    input_format: str | None = None,
    mapping: str | os.PathLike[str] | None = None,
    suppress_below: int | None = None,
) -> Path:
    """From a file to the HTML report in one call: reads any source (:func:`read_source`),
    scores it under ``rulebook`` (leaving out, with a :class:`cinscope.CoverageWarning`, the
    rules the source cannot judge), and writes the report with the coverage table. Returns the
    report's path.

    Examples
    --------
    >>> import datetime as dt, tempfile, warnings
    >>> from pathlib import Path
    >>> import cinscope as cs
    >>> from cinscope.cli import bundled_events_path
    >>> out = Path(tempfile.mkdtemp()) / "report.html"
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     cs.report_source(bundled_events_path(), out, "kent", as_of=dt.date(2026, 3, 31)).name
    'report.html'
    """
    from cinscope._coverage import coverage
    from cinscope.report import html_report
    from cinscope.scoring import load_rulebook, score_report

    source = read_source(path, input_format=input_format, as_of=as_of, mapping=mapping)
    when = as_of or source.as_of or _dt.date.today()
    book = load_rulebook(rulebook)  # type: ignore[arg-type]
    scored = score_report(source, book, as_of=when)
    table = coverage(source, book, as_of=when) if source.source_events is not None else None
    return html_report(
        scored.obligations, source.events, Path(output), as_of=when, title=f"cinscope: {Path(path).name}",
        suppress_below=suppress_below, coverage=table,
    )
