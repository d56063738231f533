"""Reading an events file (CSV or Parquet) for the command line.

:func:`read_events_file` reads what analysts' tools export and turns every problem into one
line that names the file, the line (or row) and column, and the fix:

* **Encodings.** UTF-8 (with or without a byte-order mark) as it is; UTF-16 and UTF-32 with a
  byte-order mark, and UTF-16 without one (told by its NUL bytes), decoded; a file that is not
  UTF-8 is read as Windows-1252, what Excel saves as "CSV" on Windows. A decoding is said on
  standard error as a note. A file with NUL bytes in no such pattern is not a text file.
* **Shape.** An empty file, a header only (no events: an empty frame), a row with more fields
  than the header (its line), an unclosed quote (its line), a header naming a column twice.
  Columns separated by ``;`` or tabs rather than commas are read, with a note.
* **Dates** (the ``date`` column). ``2025-01-06`` as it is; a datetime at midnight
  (``2025-01-06 00:00:00``, ``2025-01-06T00:00:00Z``, ``06/01/2025 00:00``) as its date; a
  time of day other than midnight is an error (cinscope counts whole days). UK styles
  ``06/01/2025`` (6 January 2025), ``06-01-2025``, ``06.01.2025``, ``6 Jan 2025``; ``20250106``
  (YYYYMMDD); ``2025/01/06``. Slashed dates are day first, as in the UK; a column whose every
  value reads only month first (``01/13/2025``) is read so, with a note. Two styles in one
  column, day-first and month-first dates that contradict each other, two-digit years and
  values that are no date are errors naming the column, the lines and the values.
* **Parquet.** A file named ``.parquet`` that is not Parquet (text, or truncated) is an error
  saying what it is; a ``date`` column of text or of datetimes at midnight is read as above.

Every error is a :class:`cinscope.CinscopeError` with a message of one line.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import os
import re
import stat
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl

from cinscope._core import CinscopeError

__all__ = ["read_events_file"]

Note = Callable[[str], None]

_CHUNK = 1 << 20
_SNIFF = 1 << 16
_PARQUET = b"PAR1"


class _Source:
    """A CSV file to read: its path, or its text when it had to be decoded; its separator."""

    def __init__(self, path: Path, text: str | None, encoding: str) -> None:
        self.path, self.text, self.encoding = path, text, encoding
        self.separator = ","

    def polars_input(self) -> Path | bytes:
        return self.path if self.text is None else self.text.encode("utf-8")

    def open_text(self) -> io.TextIOBase:
        if self.text is not None:
            return io.StringIO(self.text, newline="")
        return open(self.path, encoding=self.encoding, newline="", errors="replace")  # noqa: SIM115

    def records(self) -> Iterator[tuple[int, int, list[str]]]:
        """Each record as the csv module reads it, with the lines it starts and ends on (1-based;
        the header is record 0). A blank line is a record of no field, as Polars reads it as a
        row of nulls."""
        with self.open_text() as handle:
            reader = csv.reader(handle, delimiter=self.separator, strict=True)
            start = 1
            while True:
                try:
                    fields = next(reader)
                except StopIteration:
                    return
                except csv.Error as error:
                    raise _QuoteProblem(start, str(error)) from None
                yield start, reader.line_num, fields
                start = reader.line_num + 1

    def line_of_row(self, row: int) -> int:
        """The line on which data row ``row`` (0-based, as in the frame) starts."""
        try:
            for number, (start, _, _) in enumerate(self.records()):
                if number == row + 1:
                    return start
        except _QuoteProblem:
            pass
        return row + 2


class _QuoteProblem(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def _stderr_note(text: str) -> None:
    print(f"note: {text}", file=sys.stderr, flush=True)


def read_events_file(path: str | os.PathLike[str], *, note: Note | None = None) -> pl.DataFrame:
    """Reads an events file: Parquet (``.parquet``) or CSV (``.csv``, ``.txt``).

    CSV columns are read as text, and the ``date`` column is parsed as described in this
    module's documentation; Parquet columns keep their types, save a ``date`` column of text or
    of datetimes at midnight, which becomes dates. ``note`` receives what was done that the
    file did not say (an encoding, a separator, a date style); by default it is printed on
    standard error as ``note: ...``.

    Raises :class:`cinscope.CinscopeError`, with a message of one line naming the file, the line
    or row and the column, and the fix, for anything that cannot be read as events.
    """
    file = Path(path)
    say = note if note is not None else _stderr_note
    size = _check_file(file)
    suffix = file.suffix.lower()
    if suffix == ".parquet":
        return _required_columns(file, _read_parquet(file, size, say))
    if suffix in (".csv", ".txt"):
        return _required_columns(file, _read_csv(file, size, say))
    raise CinscopeError(
        f"{file}: expected a .csv or .parquet file (this one ends in '{file.suffix}'): export the events as CSV "
        "or Parquet, or rename the file if it is one"
        if file.suffix
        else f"{file}: expected a .csv or .parquet file (this one has no suffix): rename it to .csv or .parquet"
    )


_REQUIRED = ("child_id", "event", "date")


def _required_columns(path: Path, frame: pl.DataFrame) -> pl.DataFrame:
    """The frame, if it has the columns every events file needs; else an error naming the
    missing ones, the closest names it has, and what it has."""
    missing = [c for c in _REQUIRED if c not in frame.columns]
    if not missing:
        return frame
    hints = []
    for name in missing:
        close = difflib.get_close_matches(name, [c.strip().lower() for c in frame.columns], n=1, cutoff=0.6)
        if close:
            original = next(c for c in frame.columns if c.strip().lower() == close[0])
            hints.append(f"{_shown(original)} for '{name}'?")
    has = ", ".join(_shown(c, 24) for c in frame.columns[:8]) + (f" and {frame.width - 8} more" if frame.width > 8 else "")
    hint = f" (did you mean {'; '.join(hints)})" if hints else ""
    raise CinscopeError(
        f"{path}: has no column {', '.join(repr(c) for c in missing)}{hint}; its columns are {has or 'none'}: name the "
        "columns child_id, event, date (then episode_id, qualifier, authority, team... as you have them; see "
        "docs/events.md)"
    )


def _check_file(path: Path) -> int:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise CinscopeError(f"{path}: no such file") from None
    except OSError as error:
        raise CinscopeError(f"{path}: cannot be read: {error.strerror or error}") from None
    if stat.S_ISDIR(info.st_mode):
        raise CinscopeError(f"{path}: is a folder, not an events file")
    if not stat.S_ISREG(info.st_mode):
        raise CinscopeError(f"{path}: is not a regular file (a FIFO or a device): give a .csv or .parquet file")
    if not os.access(path, os.R_OK):
        raise CinscopeError(f"{path}: cannot be read: permission denied")
    return info.st_size


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0].strip() if text else type(error).__name__


def _shown(value: object, width: int = 40) -> str:
    """A value quoted for a one-line message: control characters escaped, long ones cut."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(value))
    text = f"'{text}'"
    return text if len(text) <= width else text[: width - 4] + "...'"


# --- Parquet ------------------------------------------------------------------------------------


def _read_parquet(path: Path, size: int, say: Note) -> pl.DataFrame:
    with open(path, "rb") as handle:
        head = handle.read(_SNIFF)
        if size >= 8:
            handle.seek(-4, os.SEEK_END)
            tail = handle.read(4)
        else:
            tail = b""
    if size == 0:
        raise CinscopeError(f"{path}: is empty: write the events to it again (Parquet or CSV)")
    if not head.startswith(_PARQUET):
        if _looks_like_text(head):
            start = head[:30].decode("utf-8", errors="replace").splitlines()[0] if head.strip() else ""
            raise CinscopeError(
                f"{path}: is not a Parquet file but text (it begins {_shown(start)}): if it is CSV, name it .csv"
            )
        raise CinscopeError(f"{path}: is not a Parquet file (a Parquet file begins with 'PAR1'): export the events as Parquet or CSV")
    if tail != _PARQUET:
        raise CinscopeError(
            f"{path}: is not a complete Parquet file (it does not end with 'PAR1'; cut short while being written or "
            "copied?): write or copy it again"
        )
    try:
        frame = pl.read_parquet(path)
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException, OSError, ValueError) as error:
        raise CinscopeError(f"{path}: cannot be read as Parquet ({_first_line(error)}): write it again") from None
    if "date" in frame.columns:
        frame = frame.with_columns(_dates_of(frame["date"], path, lambda row: f"row {row}", say))
    return frame


def _looks_like_text(head: bytes) -> bool:
    sample = head[:4096]
    if not sample or b"\x00" in sample:
        return sample[:2] in (b"\xff\xfe", b"\xfe\xff")
    printable = sum(32 <= b < 127 or b in (9, 10, 13) or b >= 128 for b in sample)
    return printable >= 0.95 * len(sample)


# --- CSV: bytes to text -------------------------------------------------------------------------


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32 (it begins with a UTF-32 byte-order mark)"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32 (it begins with a UTF-32 byte-order mark)"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 (it begins with a UTF-16 byte-order mark)"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 (it begins with a UTF-16 byte-order mark)"),
)


def _line_at(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _decode_csv(path: Path, size: int, say: Note) -> _Source:
    with open(path, "rb") as handle:
        head = handle.read(_SNIFF)
    if size == 0 or not head:
        raise CinscopeError(f"{path}: is empty: an events file begins with a header line (child_id,event,date,...)")
    if head.startswith(_PARQUET):
        raise CinscopeError(f"{path}: is a Parquet file, not CSV: name it .parquet")
    for bom, encoding, what in _BOMS:
        if head.startswith(bom):
            data = path.read_bytes()
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as error:
                raise CinscopeError(
                    f"{path}: begins as {what.split(' (')[0]} but byte {error.start} is not ({error.reason}; cut short?): "
                    "save it again, as 'CSV UTF-8'"
                ) from None
            say(f"{path}: read as {what}")
            return _text_source(path, text.lstrip("\ufeff"))
    if b"\x00" in head:
        # UTF-16 text of the Latin alphabet has a NUL in most code units, always on the same side.
        pairs = max(len(head) // 2, 1)
        odd = head[1::2].count(0)
        even = head[0::2].count(0)
        endian = "le" if odd >= 0.7 * pairs and even <= 0.02 * pairs else "be" if even >= 0.7 * pairs and odd <= 0.02 * pairs else None
        if endian is None:
            at = head.index(b"\x00")
            raise CinscopeError(
                f"{path}: is not a text file (byte {at}, on line {_line_at(head, at)}, is NUL): export the events as "
                "CSV or Parquet"
            )
        data = path.read_bytes()
        try:
            text = data.decode(f"utf-16-{endian}")
        except UnicodeDecodeError as error:
            raise CinscopeError(
                f"{path}: looks like UTF-16 (every other byte is NUL) but byte {error.start} is not ({error.reason}; "
                "cut short?): save it again, as 'CSV UTF-8'"
            ) from None
        say(f"{path}: read as UTF-16 ({'little' if endian == 'le' else 'big'}-endian; it has no byte-order mark, "
            "but every other byte is NUL)")
        return _text_source(path, text)
    return _decode_8bit(path, say)


def _decode_8bit(path: Path, say: Note) -> _Source:
    """UTF-8 checked in chunks (so that a large file is not held twice); Windows-1252 if not."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    offset = 0
    newline = carriage = False
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            at = chunk.find(b"\x00")
            if at >= 0:
                data = path.read_bytes()
                raise CinscopeError(
                    f"{path}: is not a text file (byte {offset + at}, on line {_line_at(data, offset + at)}, is NUL): "
                    "export the events as CSV or Parquet"
                )
            newline = newline or b"\n" in chunk
            carriage = carriage or b"\r" in chunk
            # The decoder holds back an incomplete character: positions count from its start.
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                return _windows_1252(path, offset - pending + error.start, say)
            offset += len(chunk)
    pending = len(decoder.getstate()[0])
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        return _windows_1252(path, offset - pending + error.start, say)
    if carriage and not newline:
        return _text_source(path, path.read_bytes().decode("utf-8-sig"))
    return _Source(path, None, "utf-8-sig")


def _text_source(path: Path, text: str) -> _Source:
    """A decoded file; lines ended by a carriage return alone (old Mac files) are made lines."""
    if "\x00" in text:
        raise CinscopeError(f"{path}: is not a text file (it holds NUL characters): export the events as CSV or Parquet")
    if "\n" not in text and "\r" in text:
        text = text.replace("\r", "\n")
    return _Source(path, text, "utf-8")


def _windows_1252(path: Path, at: int, say: Note) -> _Source:
    data = path.read_bytes()
    line, byte = _line_at(data, at), data[at]
    if b"\x00" in data:
        nul = data.index(b"\x00")
        raise CinscopeError(
            f"{path}: is not a text file (byte {nul}, on line {_line_at(data, nul)}, is NUL): export the events as "
            "CSV or Parquet"
        )
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise CinscopeError(
            f"{path}: is neither UTF-8 (line {line} has byte 0x{byte:02X}) nor Windows-1252 (line "
            f"{_line_at(data, error.start)} has byte 0x{data[error.start]:02X}): save it as 'CSV UTF-8'"
        ) from None
    say(
        f"{path}: is not UTF-8 (line {line} has byte 0x{byte:02X}); read as Windows-1252, the encoding of Excel's "
        "'CSV' on Windows: if accented names look wrong, save it as 'CSV UTF-8'"
    )
    return _text_source(path, text)


# --- CSV: text to a frame -----------------------------------------------------------------------


def _read_csv(path: Path, size: int, say: Note) -> pl.DataFrame:
    source = _decode_csv(path, size, say)
    header = _header_line(source)
    if not header.strip():
        with source.open_text() as handle:
            blank = not handle.read(1 << 16).strip(" \t\r\n\ufeff")
        if blank:
            raise CinscopeError(f"{path}: is empty: an events file begins with a header line (child_id,event,date,...)")
        raise CinscopeError(
            f"{path}: line 1 is blank: the first line must be the header (child_id,event,date,...): remove the "
            "blank lines above it"
        )
    if "," not in header:
        for separator, name in ((";", "semicolons"), ("\t", "tabs")):
            if separator in header:
                source.separator = separator
                say(f"{path}: columns are separated by {name}")
                break
    names = _header_names(source)
    if not any(n.strip() for n in names):
        raise CinscopeError(f"{path}: line 1, the header, names no column: it must name them (child_id,event,date,...)")
    seen: dict[str, int] = {}
    for column, name in enumerate(names, start=1):
        if name in seen:
            raise CinscopeError(
                f"{path}: line 1: the header names column {_shown(name)} twice (columns {seen[name]} and {column}): give each "
                "column its own name"
            )
        seen[name] = column
    try:
        frame = pl.read_csv(
            source.polars_input(),
            separator=source.separator,
            infer_schema=False,
            has_header=True,
            quote_char='"',
        )
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException, OSError, ValueError) as error:
        raise CinscopeError(_diagnose(source, len(names), error)) from None
    stripped = {c: c.strip() for c in frame.columns if c != c.strip() and c.strip() and c.strip() not in frame.columns}
    if stripped:
        frame = frame.rename(stripped)
    if "date" in frame.columns:
        frame = frame.with_columns(_dates_of(frame["date"], path, lambda row: f"line {source.line_of_row(row)}", say))
    return frame


def _header_line(source: _Source) -> str:
    with source.open_text() as handle:
        return handle.readline(1 << 20).lstrip("\ufeff")


def _header_names(source: _Source) -> list[str]:
    try:
        for _, _, fields in source.records():
            return [f.lstrip("\ufeff") for f in fields]
    except _QuoteProblem as problem:
        raise CinscopeError(
            f"{source.path}: line {problem.line}: the header is not valid CSV ({problem}): check its quotes"
        ) from None
    return []


def _diagnose(source: _Source, width: int, error: BaseException) -> str:
    """The line at fault when Polars cannot read the file, found with the csv module."""
    path = source.path
    try:
        for number, (start, end, fields) in enumerate(source.records()):
            if number and len(fields) > width:
                where = f"line {start}" if start == end else f"lines {start}-{end}"
                return (
                    f"{path}: {where} has {len(fields)} fields but the header has {width}: remove the extra ones, or put "
                    f"quotes around values that hold a '{_separator_name(source.separator)}'"
                )
    except _QuoteProblem as problem:
        if "end of data" in str(problem):
            return (
                f"{path}: line {problem.line}: a quoted value begins and is never closed: close its quote (\") or "
                "remove it"
            )
        return f"{path}: line {problem.line}: the quotes are not valid CSV ({problem}): check the quotes on that line"
    return f"{path}: cannot be read as CSV ({_first_line(error)})"


def _separator_name(separator: str) -> str:
    return {"\t": "tab"}.get(separator, separator)


# --- dates --------------------------------------------------------------------------------------


_TIME = re.compile(
    r"^(?P<day>.+?)[ T](?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:[.,](?P<f>\d+))?)?"
    r"(?:\s*(?P<ampm>[AaPp][Mm]))?(?:\s*(?P<tz>[Zz]|[+-]\d{2}(?::?\d{2})?))?$"
)

# Each style: a pattern of the date part, its name in messages, and the formats it may be read
# with, in order of preference.
_STYLES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("iso", r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$", "YYYY-MM-DD", ("%Y-%m-%d",)),
    ("iso_slash", r"^[0-9]{4}/[0-9]{1,2}/[0-9]{1,2}$", "YYYY/MM/DD", ("%Y/%m/%d",)),
    ("compact", r"^[0-9]{8}$", "YYYYMMDD", ("%Y%m%d",)),
    ("slash", r"^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}$", "DD/MM/YYYY", ("%d/%m/%Y", "%m/%d/%Y")),
    ("dash", r"^[0-9]{1,2}-[0-9]{1,2}-[0-9]{4}$", "DD-MM-YYYY", ("%d-%m-%Y",)),
    ("dot", r"^[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{4}$", "DD.MM.YYYY", ("%d.%m.%Y",)),
    ("named", r"^[0-9]{1,2}[ -][A-Za-z]{3,9}[ -][0-9]{4}$", "D Mon YYYY", ("%d %b %Y", "%d %B %Y")),
)
_TWO_DIGIT_YEAR = r"^([0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{2}|[0-9]{1,2}[ -][A-Za-z]{3,9}[ -][0-9]{2})$"


def _dates_of(column: pl.Series, path: Path, locate: Callable[[int], str], say: Note) -> pl.Series:
    """The ``date`` column as dates (see the module's documentation), or a one-line error."""
    name = column.name
    dtype = column.dtype
    if dtype == pl.Date:
        return column
    if isinstance(dtype, pl.Datetime):
        timed_rows = (column.dt.truncate("1d") != column).arg_true()
        if timed_rows.len():
            row = int(timed_rows[0])
            raise CinscopeError(
                f"{path}: column '{name}', {locate(row)}: {column[row]} has a time of day: cinscope counts whole days; "
                "store the date alone"
            )
        return column.dt.date()
    if dtype not in (pl.String, pl.Categorical) and not isinstance(dtype, pl.Enum):
        return column  # scoring names the dtype
    frame = (
        pl.DataFrame({"raw": column.cast(pl.String)})
        .with_row_index("row")
        .with_columns(text=pl.col("raw").str.strip_chars())
        .with_columns(text=pl.when(pl.col("text").str.len_chars() > 0).then(pl.col("text")))
    )
    present = frame.filter(pl.col("text").is_not_null())
    if present.height == 0:
        return pl.Series(name, [None] * column.len(), dtype=pl.Date)
    # A time of day: only midnight is read, as its date.
    timed = present.with_columns(parts=pl.col("text").str.extract_groups(_TIME.pattern)).unnest("parts")
    has_time = pl.col("h").is_not_null()
    midnight = (
        (pl.col("m").cast(pl.Int32) == 0)
        & (pl.col("s").is_null() | (pl.col("s").cast(pl.Int32) == 0))
        & (pl.col("f").is_null() | (pl.col("f").str.strip_chars("0") == ""))
        & pl.when(pl.col("ampm").is_null())
        .then(pl.col("h").cast(pl.Int32) == 0)
        .otherwise((pl.col("ampm").str.to_uppercase() == "AM") & (pl.col("h").cast(pl.Int32) == 12))
    )
    late = timed.filter(has_time & ~midnight)
    if late.height:
        row, value = late.row(0)[:2]
        raise CinscopeError(
            f"{path}: column '{name}', {locate(row)}: {_shown(value)} has a time of day: cinscope counts whole days; "
            "write the date alone (YYYY-MM-DD, the day it happened)"
        )
    days = timed.select("row", "raw", day=pl.when(has_time).then(pl.col("day")).otherwise(pl.col("text")))
    days = days.with_columns(
        style=pl.coalesce(
            [pl.when(pl.col("day").str.contains(pattern)).then(pl.lit(style)) for style, pattern, _, _ in _STYLES]
        )
    )
    two_digit = days.filter(pl.col("style").is_null() & pl.col("day").str.contains(_TWO_DIGIT_YEAR))
    if two_digit.height:
        row, value = two_digit.row(0)[:2]
        raise CinscopeError(
            f"{path}: column '{name}', {locate(row)}: {_shown(value)} has a two-digit year, which could be of two "
            "centuries: write the year in full (YYYY-MM-DD)"
        )
    unknown = days.filter(pl.col("style").is_null())
    if unknown.height:
        row, value = unknown.row(0)[:2]
        raise CinscopeError(
            f"{path}: column '{name}', {locate(row)}: {_shown(value)} is not a date: write dates as YYYY-MM-DD "
            "(2025-01-06)"
        )
    styles = days.group_by("style").agg(pl.col("row").min()).sort("row")
    if styles.height > 1:
        described = []
        for style, row in styles.head(2).iter_rows():
            value = days.filter(pl.col("row") == row)["raw"][0]
            described.append(f"{locate(row)} {_shown(value)} ({_style_name(style)})")
        raise CinscopeError(
            f"{path}: column '{name}' mixes date styles, {' and '.join(described)}: write every date one way, as "
            "YYYY-MM-DD"
        )
    style = styles["style"][0]
    formats = next(f for s, _, _, f in _STYLES if s == style)
    day = days["day"]
    if style == "named":
        day = day.str.replace_all("-", " ", literal=True).str.to_titlecase()
    parsed = [day.str.to_date(f, strict=False) for f in formats]
    chosen: pl.Series | None
    if style == "slash":
        chosen = _slash_dates(parsed[0], parsed[1], days, path, name, locate, say)
    else:
        if style == "named":  # "6 Jan 2025" or "6 January 2025", in one column
            parsed = [pl.select(pl.coalesce(parsed)).to_series()]
        chosen = parsed[0] if parsed[0].null_count() == 0 else None
    if chosen is None:
        row, value = days.filter(parsed[0].is_null()).row(0)[:2]
        raise CinscopeError(
            f"{path}: column '{name}', {locate(row)}: {_shown(value)} is not a date ({_style_name(style)}): write "
            "dates as YYYY-MM-DD (2025-01-06)"
        )
    full = pl.DataFrame({"row": days["row"], "date": chosen})
    out = pl.DataFrame({"row": frame["row"]}).join(full, on="row", how="left", maintain_order="left")
    return out["date"].alias(name)


def _style_name(style: str) -> str:
    return next(label for s, _, label, _ in _STYLES if s == style)


def _slash_dates(
    day_first: pl.Series,
    month_first: pl.Series,
    days: pl.DataFrame,
    path: Path,
    name: str,
    locate: Callable[[int], str],
    say: Note,
) -> pl.Series:
    """Slashed dates: day first (UK) when every value reads so; month first when every value
    reads only so; otherwise an error naming the values that contradict each other."""
    if day_first.null_count() == 0:
        differ = day_first != month_first
        if month_first.null_count() == 0 and differ.any():
            row, value = days.filter(differ).row(0)[:2]
            taken = day_first.filter(differ)[0]
            say(
                f"{path}: column '{name}' read as day/month/year (UK): {locate(row)} {_shown(value)} is "
                f"{taken.day} {taken:%B %Y}"
            )
        return day_first
    if month_first.null_count() == 0:
        row, value = days.filter(day_first.is_null()).row(0)[:2]
        say(
            f"{path}: column '{name}' read as month/day/year (US), as {locate(row)} {_shown(value)} can be read no "
            "other way"
        )
        return month_first
    only_day = days.filter(day_first.is_not_null() & month_first.is_null())
    only_month = days.filter(day_first.is_null() & month_first.is_not_null())
    if only_day.height and only_month.height:
        (d_row, d_value), (m_row, m_value) = only_day.row(0)[:2], only_month.row(0)[:2]
        raise CinscopeError(
            f"{path}: column '{name}' has dates that are day/month/year ({locate(d_row)} {_shown(d_value)}) and "
            f"others that are month/day/year ({locate(m_row)} {_shown(m_value)}): write every date one way, as "
            "YYYY-MM-DD"
        )
    row, value = days.filter(day_first.is_null() & month_first.is_null()).row(0)[:2]
    raise CinscopeError(
        f"{path}: column '{name}', {locate(row)}: {_shown(value)} is not a date: write dates as YYYY-MM-DD (2025-01-06)"
    )
