"""Fuzzing the command line's input path (#26, item 19): random bytes and mangled events files.

Files of random bytes, and events CSVs mangled every way an export goes wrong (random
encodings, truncation, columns dropped, renamed, added or repeated, ragged rows, stray quotes,
dates in random styles and with random times), under random names (.csv, .txt, .parquet), are
given to ``cinscope score``, as the command finds them or said to be events. Each run must either succeed (status 0, the output written) or stop
with status 2 and exactly one line of error on standard error (notes aside): never a traceback,
never another exception. Each test is bounded to a few seconds.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import tempfile
import warnings
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cinscope.cli import main, parser

COLUMNS = ["child_id", "event", "date", "episode_id", "qualifier", "authority", "team"]
EVENTS = ["referral", "assessment_start", "assessment_authorised", "cin_plan_start", "visit", "cin_review", "closure", "vist", ""]
AUTHORITIES = ["kent", "portsmouth", "national", "Kent", "", "nowhere"]
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252", "latin-1"]


READABLE = ["iso", "uk", "us", "compact", "dash", "dot", "named", "midnight"]
STYLES = [*READABLE, "timed", "short", "junk", "empty"]


@st.composite
def dates(draw: st.DrawFn, style: str | None = None) -> str:
    day = draw(st.dates(dt.date(1890, 1, 1), dt.date(2110, 12, 31)))
    style = style or draw(st.sampled_from(STYLES))
    if style == "iso":
        return day.isoformat()
    if style == "uk":
        return day.strftime("%d/%m/%Y")
    if style == "us":
        return day.strftime("%m/%d/%Y")
    if style == "compact":
        return day.strftime("%Y%m%d")
    if style == "dash":
        return day.strftime("%d-%m-%Y")
    if style == "dot":
        return day.strftime("%d.%m.%Y")
    if style == "named":
        return day.strftime("%d %b %Y")
    if style == "midnight":
        return day.isoformat() + draw(st.sampled_from([" 00:00:00", "T00:00:00Z", " 00:00", "T00:00:00.000+01:00"]))
    if style == "timed":
        return f"{day.isoformat()} {draw(st.integers(0, 23)):02d}:{draw(st.integers(0, 59)):02d}"
    if style == "short":
        return day.strftime("%d/%m/%y")
    if style == "junk":
        return draw(st.text(max_size=12))
    return ""


@st.composite
def mangled_csv(draw: st.DrawFn) -> bytes:
    # Half the files are mangled in their shape (columns, rows, quotes, dates of every style);
    # the others are well formed in one readable date style, in any encoding and separator.
    mangled = draw(st.booleans())
    columns = draw(st.permutations(COLUMNS))
    if mangled:
        columns = columns[: draw(st.integers(0, len(columns)))]
        columns += draw(st.lists(st.sampled_from(["Child ID", "date", "x", "", "note", "team "]), max_size=2))
    separator = draw(st.sampled_from([",", ",", ",", ";", "\t"]))
    style = None if mangled else draw(st.sampled_from(READABLE))

    def value(column: str) -> str:
        if column == "child_id":
            return draw(st.sampled_from(["C1", "C2", "C3", "", "007"]))
        if column == "event":
            return draw(st.sampled_from(EVENTS))
        if column == "date":
            return draw(dates(style))
        if column == "authority":
            return draw(st.sampled_from(AUTHORITIES))
        text = ["", "E1", "seen", "RC1", "Nörth’s", "=1+2"] + (['a "quoted" value', "a,b"] if mangled else [])
        return draw(st.sampled_from(text))

    rows = [columns]
    for _ in range(draw(st.integers(0, 12))):
        row = [value(c) for c in columns]
        if mangled and draw(st.integers(0, 5)) == 0:
            row += ["extra"] * draw(st.integers(1, 3))  # ragged
        if mangled and row and draw(st.integers(0, 5)) == 0:
            row = row[: draw(st.integers(0, len(row)))]  # short
        rows.append(row)
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = newline.join(separator.join(cells) for cells in rows) + draw(st.sampled_from(["", newline, newline * 2]))
    if mangled and draw(st.integers(0, 3)) == 0:
        at = draw(st.integers(0, len(text)))
        text = text[:at] + '"' + text[at:]  # a stray quote
    data = text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    if mangled and draw(st.integers(0, 3)) == 0:
        data = data[: draw(st.integers(0, len(data)))]  # cut short
    return data


@st.composite
def parquet_bytes(draw: st.DrawFn) -> bytes:
    n = draw(st.integers(0, 6))
    frame = pl.DataFrame(
        {
            "child_id": [draw(st.sampled_from(["C1", "C2"])) for _ in range(n)],
            "event": [draw(st.sampled_from(EVENTS)) for _ in range(n)],
            "date": [draw(dates()) for _ in range(n)],
        },
        schema={"child_id": pl.String, "event": pl.String, "date": pl.String},
    )
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    data = buffer.getvalue()
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return data


def _events_flag() -> list[str]:
    """``--input-format events`` where the command line also reads other inputs (and would
    otherwise guess what the file is)."""
    _, unknown = parser().parse_known_args(["score", "x.csv", "-o", "y.parquet", "--input-format", "events"])
    return [] if unknown else ["--input-format", "events"]


EVENTS_FLAG = _events_flag()


def run_score(data: bytes, suffix: str, rulebook: bool, as_events: bool = False) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"events{suffix}"
        path.write_bytes(data)
        out = Path(folder) / "obligations.parquet"
        argv = ["score", str(path), "-o", str(out), "--as-of", "2026-03-31"] + (["--rulebook", "national"] if rulebook else [])
        argv += EVENTS_FLAG if as_events else []
        stdout, stderr = io.StringIO(), io.StringIO()
        with warnings.catch_warnings(), contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            warnings.simplefilter("ignore")  # warnings about rulebooks are not errors
            try:
                code = main(argv)
            except BaseException as error:  # noqa: BLE001 - any exception is a failure here
                raise AssertionError(f"{type(error).__name__} escaped: {error!r}\nfile: {data[:200]!r}") from error
        err = stderr.getvalue()
        event(f"exit status {code}")
        assert "Traceback" not in err, err
        lines = [line for line in err.splitlines() if not line.startswith("note: ")]
        if code == 0:
            assert out.exists() and not lines, err
        else:
            assert code == 2, (code, err)
            assert len(lines) == 1 and lines[0].startswith("cinscope score: error: "), f"{err!r}\nfile: {data[:200]!r}"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    data=mangled_csv(),
    suffix=st.sampled_from([".csv", ".csv", ".txt", ".parquet"]),
    rulebook=st.booleans(),
    as_events=st.booleans(),
)
def test_mangled_csv_files(data: bytes, suffix: str, rulebook: bool, as_events: bool) -> None:
    run_score(data, suffix, rulebook, as_events)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=600), suffix=st.sampled_from([".csv", ".txt", ".parquet", ".CSV"]), as_events=st.booleans())
def test_random_bytes(data: bytes, suffix: str, as_events: bool) -> None:
    run_score(data, suffix, rulebook=True, as_events=as_events)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=parquet_bytes(), suffix=st.sampled_from([".parquet", ".csv"]))
def test_parquet_whole_or_cut(data: bytes, suffix: str) -> None:
    run_score(data, suffix, rulebook=True, as_events=True)
