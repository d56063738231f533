"""A declarative mapping from any case-system extract to the events table.

A mapping is a TOML file (or the same as a Python dict) that says, table by table, which source
column holds the child id, which columns hold event dates or event type codes, how local codes
become cinscope's events and qualifiers, and which columns give the team, the worker and the
authority. :func:`read_mapped` applies it and returns an :class:`~cinscope._imported.Imported`:
the canonical events and a findings frame in which every source row that did not become an event
is named (with its table, row and column). :func:`mapping_template` gives a commented template;
``docs/mapping.md`` documents the format with two worked examples.

A mapping is checked before any row is read, with the same care as a rulebook: an unknown key
(with the closest known one), an event name that cinscope does not know, a qualifier the event
does not take, a column the source does not have (with the columns it has) or a date format
that cannot read a date is a :class:`cinscope.SchemaError` naming the mapping file, the table
and the key.

YAML is not read (no YAML package is a dependency of cinscope): load a YAML mapping yourself
(``yaml.safe_load``) and pass the dict.
"""

from __future__ import annotations

import codecs
import datetime as _dt
import functools
import importlib
import io
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, Union

import polars as pl

from cinscope._core import CinscopeError, DataError, SchemaError
from cinscope._imported import FINDINGS_SCHEMA, Imported

__all__ = ["FINDING_CODES", "MappingSource", "mapping_template", "read_mapped"]

#: What :func:`read_mapped` accepts as one table's source: a frame, or a CSV or Parquet file.
FrameSource = Union[pl.DataFrame, pl.LazyFrame, str, "os.PathLike[str]"]
#: One source (for a mapping of one table), or the sources of several tables by table name.
MappingSource = Union[FrameSource, Mapping[str, FrameSource]]

#: The finding codes of :func:`read_mapped`, with what each means and what was done.
FINDING_CODES: dict[str, str] = {
    "MAP_NO_DATE": "not_an_event: a date column of a fixed event is empty, so that event did not happen on this row",
    "MAP_NOT_AN_EVENT": "not_an_event: the code is listed under `ignore` (or `unmapped = \"ignore\"`)",
    "MAP_UNUSED_COLUMN": "not_an_event: a source column the mapping does not name (list it under `ignore_columns`)",
    "MAP_NO_CHILD_ID": "skipped: the child id is empty",
    "MAP_NO_EVENT_CODE": "skipped: the event type column is empty",
    "MAP_UNMAPPED_CODE": "skipped: an event type code that is not under `values` (nor `ignore`)",
    "MAP_DATE_MISSING": "skipped: a row whose event type is known has no date",
    "MAP_DATE_UNREADABLE": "skipped: the date cannot be read (or reads only month-first)",
    "MAP_DATE_AMBIGUOUS": "kept: every text date of a column reads both day-first and month-first; read day-first",
    "MAP_ENCODING": "repaired: a CSV file that is not UTF-8, read as Windows-1252",
    "MAP_QUALIFIER_UNMAPPED": "repaired: a qualifier code that is not under the qualifier's `values`; the event has none",
    "MAP_QUALIFIER_NOT_ALLOWED": "kept: a qualifier the event does not take; scoring reports it (DQ002)",
}

_TOP_KEYS = ("description", "tables")
_TABLE_KEYS = (
    "name", "description", "child_id", "episode_id", "authority", "team", "worker", "date_format",
    "null_values", "ignore_columns", "events", "event", "date", "qualifier",
)
_ENTRY_KEYS = ("event", "date", "qualifier")
_EVENT_CODES_KEYS = ("column", "values", "ignore", "unmapped")
_TARGET_KEYS = ("event", "qualifier")
_QUALIFIER_KEYS = ("column", "values", "unmapped")
_LABEL_KEYS = ("column", "values", "value")
_LABELS = ("authority", "team", "worker")
_EVENT_UNMAPPED = ("finding", "ignore")
_QUALIFIER_UNMAPPED = ("finding", "keep")
_MAX_FILE_BYTES = 10 * 1024 * 1024
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_ISO_PATTERN = r"^(?P<iso_y>\d{4})-(?P<iso_m>\d{1,2})-(?P<iso_d>\d{1,2})" + _TIME + "$"
_DMY_PATTERN = r"^(?P<dmy_a>\d{1,2})[/.\-](?P<dmy_b>\d{1,2})[/.\-](?P<dmy_y>\d{4})" + _TIME + "$"
_DEFAULT_DATES = "DD/MM/YYYY or YYYY-MM-DD"
_ROW = "__cinscope_row"
#: Source columns are renamed with this prefix while a table is read, so that no source column
#: name can meet the names of the working columns.
_SRC = "\x1fsource\x1f"


# --------------------------------------------------------------------------------------------
# Suggestions and errors


def _distance(a: str, b: str) -> int:
    """Levenshtein distance (the one the rulebook loader uses for its hints)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _closest(
    wanted: str, candidates: list[str] | tuple[str, ...], *, contains: bool = False, least: int = 2
) -> str | None:
    """The candidate closest to ``wanted`` when close enough to be a likely typo: at most a
    third of the longer apart, or ``least`` (or, with ``contains``, when a candidate contains
    it: ``review`` -> ``cin_review``)."""
    folded = wanted.strip().lower()
    scored = []
    for candidate in candidates:
        d = _distance(folded, candidate.lower())
        inside = contains and len(folded) >= 3 and folded in candidate.lower()
        if d <= max(max(len(candidate), len(folded)) // 3, least) or inside:
            scored.append((d, candidate))
    return min(scored)[1] if scored else None


def _quote_list(names: list[str] | tuple[str, ...], limit: int = 40) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")


@dataclass(frozen=True)
class _Where:
    """Where in a mapping a key is, for error messages: the file, the table, the events entry."""

    origin: str
    table: str | None = None
    entry: str | None = None

    def fail(self, key: str | None, message: str, hint: str | None = None) -> NoReturn:
        parts = [self.origin]
        if self.table is not None:
            parts.append(self.table)
        if self.entry is not None:
            parts.append(self.entry)
        if key is not None:
            parts.append(f"key '{key}'")
        text = ": ".join(parts) + ": " + message
        if hint:
            text += f" ({hint})"
        raise SchemaError(text)

    def check_keys(self, prefix: str, given: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
        for key in given:
            if key not in allowed:
                best = _closest(str(key), allowed, contains=True)
                hint = (f"did you mean '{best}'? " if best else "") + f"the keys here are: {', '.join(allowed)}"
                self.fail(prefix + str(key), "unknown key", hint)

    def string(self, key: str, value: object, what: str = "a column name") -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(key, f"must be {what} (a non-empty string), got {_show(value)}")
        return value

    def table_of(self, key: str, value: object) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            self.fail(key, f"must be a table ({{...}}), got {_show(value)}")
        return value

    def strings(self, key: str, value: object) -> tuple[str, ...]:
        if not isinstance(value, (list, tuple)):
            self.fail(key, f"must be a list of strings, got {_show(value)}")
        for number, item in enumerate(value, 1):
            if not isinstance(item, str):
                self.fail(key, f"must be a list of strings; item {number} is {_show(item)}")
        return tuple(v.strip() for v in value)


def _show(value: object) -> str:
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, (list, tuple)):
        return "a list" if value else "an empty list"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return "an empty string" if not value.strip() else f"'{value}'"
    if value is None:
        return "nothing (None)"
    if isinstance(value, (_dt.date, _dt.time)):
        return f"the TOML date {value} (quote it, or name a column)"
    return type(value).__name__


# --------------------------------------------------------------------------------------------
# The event vocabulary


@dataclass(frozen=True)
class _EventInfo:
    takes_qualifier: bool
    #: The qualifiers allowed, or None when any text is (free text).
    allowed: tuple[str, ...] | None


@functools.lru_cache(maxsize=1)
def _vocabulary() -> dict[str, _EventInfo]:
    from cinscope.events import event_vocabulary

    out: dict[str, _EventInfo] = {}
    for name, kind, values in event_vocabulary().select("event", "qualifier", "qualifier_values").iter_rows():
        allowed = tuple(v.strip() for v in str(values or "").split(",") if v.strip())
        if kind == "none":
            out[name] = _EventInfo(False, ())
        elif allowed:
            out[name] = _EventInfo(True, allowed)
        else:
            out[name] = _EventInfo(True, None)
    return out


def _event_name(where: _Where, key: str, value: object) -> str:
    name = where.string(key, value, "an event name")
    vocab = _vocabulary()
    if name not in vocab:
        best = _closest(name, list(vocab), contains=True)
        hint = (f"did you mean '{best}'? " if best else "") + "see cinscope.event_vocabulary()"
        if isinstance(value, str) and key.endswith("event") and "values" not in key:
            hint += "; to read event types from a column, write event = {column = \"...\", values = {...}}"
        where.fail(key, f"'{name}' is not an event cinscope knows", hint)
    return name


def _check_qualifier(where: _Where, key: str, qualifier: str, events: tuple[str, ...]) -> None:
    """``qualifier`` must be allowed for at least one of ``events`` (those that take one)."""
    vocab = _vocabulary()
    taking = [e for e in events if vocab[e].takes_qualifier]
    if any(vocab[e].allowed is None for e in taking):
        return
    allowed = sorted({q for e in taking for q in (vocab[e].allowed or ())})
    if qualifier in allowed:
        return
    best = _closest(qualifier, allowed)
    names = ", ".join(f"'{e}'" for e in taking)
    hint = (f"did you mean '{best}'? " if best else "") + f"allowed: {', '.join(allowed)}"
    where.fail(key, f"'{qualifier}' is not a qualifier of {names}", hint)


# --------------------------------------------------------------------------------------------
# The mapping, checked


@dataclass(frozen=True)
class _Label:
    column: str | None
    value: str | None
    values: dict[str, str] | None


@dataclass(frozen=True)
class _Qualifier:
    constant: str | None
    column: str | None
    #: Code -> qualifier; ``None`` as a qualifier means "no qualifier".
    values: dict[str, str | None] | None
    unmapped: str


@dataclass(frozen=True)
class _Entry:
    """One ``[[tables.events]]`` entry: one reading of each source row."""

    where: _Where
    date: str
    event: str | None = None
    column: str | None = None
    #: Code -> (event, qualifier fixed by the code or None).
    values: dict[str, tuple[str, str | None]] | None = None
    ignore: tuple[str, ...] = ()
    unmapped: str = "finding"
    qualifier: _Qualifier | None = None

    @property
    def events(self) -> tuple[str, ...]:
        if self.event is not None:
            return (self.event,)
        return tuple(dict.fromkeys(e for e, _ in (self.values or {}).values()))


@dataclass(frozen=True)
class _Table:
    where: _Where
    name: str
    child_id: str
    episode_id: str | None
    labels: dict[str, _Label]
    date_format: str | None
    null_values: tuple[str, ...]
    ignore_columns: tuple[str, ...]
    entries: tuple[_Entry, ...]

    def columns(self) -> list[tuple[_Where, str, str]]:
        """(where, key, column) for every source column the table reads."""
        used = [(self.where, "child_id", self.child_id)]
        if self.episode_id:
            used.append((self.where, "episode_id", self.episode_id))
        for name, label in self.labels.items():
            if label.column:
                used.append((self.where, name if label.values is None else f"{name}.column", label.column))
        for entry in self.entries:
            if entry.column:
                used.append((entry.where, "event.column", entry.column))
            used.append((entry.where, "date", entry.date))
            if entry.qualifier and entry.qualifier.column:
                used.append((entry.where, "qualifier.column", entry.qualifier.column))
        return used


@dataclass(frozen=True)
class _Mapping:
    origin: str
    tables: tuple[_Table, ...]


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        tomllib: Any = importlib.import_module("tomllib")
    except ModuleNotFoundError:  # pragma: no cover (Python 3.10)
        try:
            tomllib = importlib.import_module("tomli")
        except ModuleNotFoundError:
            raise CinscopeError(
                f"{path}: reading a TOML mapping needs Python 3.11 or the 'tomli' package; "
                "or pass the mapping as a dict"
            ) from None
    try:
        info = path.stat()
    except OSError:
        hint = " (to give a mapping as text, pass tomllib.loads(text), a dict)" if "\n" in str(path) else ""
        raise CinscopeError(f"{str(path)[:200]}: no such mapping file{hint}") from None
    if not path.is_file():
        raise CinscopeError(f"{path}: not a file")
    if info.st_size > _MAX_FILE_BYTES:
        raise SchemaError(f"{path.name}: a mapping file is at most 10 MiB; this one is {info.st_size:,} bytes")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CinscopeError(f"{path}: cannot be read: {error}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise SchemaError(f"{path.name}: line {line}: not UTF-8 text; save the mapping as UTF-8") from None
    try:
        loaded: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SchemaError(f"{path.name}: not valid TOML: {error}") from None
    return loaded


def _load(mapping: str | os.PathLike[str] | Mapping[str, Any]) -> _Mapping:
    if isinstance(mapping, Mapping):
        origin = "mapping"
        data: Mapping[str, Any] = mapping
    elif isinstance(mapping, (str, os.PathLike)):
        path = Path(mapping)
        origin = path.name
        data = _load_toml(path)
    else:
        raise CinscopeError(
            f"mapping must be a TOML file's path or a dict, got {type(mapping).__name__}"
        )
    top = _Where(origin)
    top.check_keys("", data, _TOP_KEYS)
    if "description" in data:
        top.string("description", data["description"], "text")
    tables = data.get("tables")
    if tables is None:
        top.fail("tables", "the mapping has no tables", "add a [[tables]] section for each source table")
    if isinstance(tables, Mapping):
        top.fail("tables", "must be an array of tables: write [[tables]], not [tables]")
    if not isinstance(tables, (list, tuple)) or not tables:
        top.fail("tables", f"must be a non-empty array of tables ([[tables]]), got {_show(tables)}")
    out: list[_Table] = []
    names: set[str] = set()
    for number, table in enumerate(tables, 1):
        where = _Where(origin, f"table {number}")
        if not isinstance(table, Mapping):
            where.fail(None, f"must be a table ([[tables]]), got {_show(table)}")
        name = where.string("name", table.get("name"), "the table's name")
        if name in names:
            where.fail("name", f"another table is already named '{name}'; each table needs its own name")
        names.add(name)
        out.append(_table(_Where(origin, f"table '{name}'"), name, table))
    return _Mapping(origin, tuple(out))


def _label(where: _Where, key: str, value: object) -> _Label:
    if isinstance(value, str):
        return _Label(where.string(key, value), None, None)
    if not isinstance(value, Mapping):
        where.fail(key, f"must be a column name, {{column = \"...\", values = {{...}}}} or {{value = \"...\"}}, "
                   f"got {_show(value)}")
    spec: Mapping[str, Any] = value
    where.check_keys(f"{key}.", spec, _LABEL_KEYS)
    if "value" in spec:
        if len(spec) > 1:
            where.fail(key, "takes either value (the same for every row) or column (and values), not both")
        return _Label(None, where.string(f"{key}.value", spec["value"], "text"), None)
    column = where.string(f"{key}.column", spec.get("column"))
    values = None
    if "values" in spec:
        values = {
            code: where.string(f"{key}.values.'{code}'", v, "text")
            for code, v in _codes(where, f"{key}.values", spec["values"]).items()
        }
    return _Label(column, None, values)


def _codes(where: _Where, key: str, value: object) -> dict[str, Any]:
    """A ``values`` table: source code -> target, codes trimmed and unique."""
    spec = where.table_of(key, value)
    if not spec:
        where.fail(key, "is empty: map at least one source code")
    out: dict[str, Any] = {}
    for code, target in spec.items():
        trimmed = str(code).strip()
        if not trimmed:
            where.fail(key, "an empty code cannot be mapped (empty cells are read as missing)")
        if trimmed in out:
            where.fail(f"{key}.'{code}'", f"the code '{trimmed}' is mapped twice (codes are compared trimmed)")
        out[trimmed] = target
    return out


def _unmapped(where: _Where, key: str, value: object, allowed: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in allowed:
        best = _closest(str(value), allowed) if isinstance(value, str) else None
        hint = (f"did you mean '{best}'? " if best else "") + f"one of: {', '.join(repr(a) for a in allowed)}"
        where.fail(key, f"{_show(value)} is not an option here", hint)
    return value


def _qualifier(where: _Where, key: str, value: object, events: tuple[str, ...]) -> _Qualifier:
    vocab = _vocabulary()
    if not any(vocab[e].takes_qualifier for e in events):
        which = ", ".join(f"'{e}'" for e in events)
        where.fail(key, f"{which} takes no qualifier", "see the qualifier column of cinscope.event_vocabulary()")
    if isinstance(value, str):
        constant = where.string(key, value, "a qualifier")
        try:
            _check_qualifier(where, key, constant, events)
        except SchemaError as error:
            raise SchemaError(
                f"{error}; a qualifier written as text is the same for every row: to read it from a column, "
                "write qualifier = {column = \"...\", values = {...}}"
            ) from None
        return _Qualifier(constant, None, None, "finding")
    if not isinstance(value, Mapping):
        where.fail(key, f"must be a qualifier (\"RC8\") or the column of qualifiers ({{column = \"...\", "
                   f"values = {{...}}}}), got {_show(value)}")
    spec: Mapping[str, Any] = value
    where.check_keys(f"{key}.", spec, _QUALIFIER_KEYS)
    column = where.string(f"{key}.column", spec.get("column"))
    unmapped = _unmapped(where, f"{key}.unmapped", spec.get("unmapped", "finding"), _QUALIFIER_UNMAPPED)
    values: dict[str, str | None] | None = None
    if "values" in spec:
        values = {}
        for code, target in _codes(where, f"{key}.values", spec["values"]).items():
            if not isinstance(target, str):
                where.fail(f"{key}.values.'{code}'", f"must be a qualifier (text; \"\" for none), got {_show(target)}")
            if target.strip():
                _check_qualifier(where, f"{key}.values.'{code}'", target.strip(), events)
            values[code] = target.strip() or None
    elif "unmapped" in spec:
        where.fail(f"{key}.unmapped", "applies to codes not under values, and there are no values")
    return _Qualifier(None, column, values, "keep" if values is None else unmapped)


def _entry(where: _Where, spec: Mapping[str, Any]) -> _Entry:
    where.check_keys("", spec, _ENTRY_KEYS)
    if "event" not in spec:
        where.fail("event", "missing: name the event (event = \"referral\") or the column of event types "
                   "(event = {column = \"...\", values = {...}})")
    if "date" not in spec:
        where.fail("date", "missing: name the column that holds the event's date")
    date = where.string("date", spec["date"])
    raw = spec["event"]
    if isinstance(raw, str):
        event = _event_name(where, "event", raw)
        qualifier = _qualifier(where, "qualifier", spec["qualifier"], (event,)) if "qualifier" in spec else None
        return _Entry(where, date, event=event, qualifier=qualifier)
    if not isinstance(raw, Mapping):
        where.fail("event", f"must be an event name (event = \"referral\") or the column of event types "
                   f"(event = {{column = \"...\", values = {{...}}}}), got {_show(raw)}")
    codes: Mapping[str, Any] = raw
    key = "event"
    where.check_keys(f"{key}.", codes, _EVENT_CODES_KEYS)
    column = where.string(f"{key}.column", codes.get("column"))
    if "values" not in codes:
        where.fail(f"{key}.values", "missing: map the column's codes to events, e.g. values = {\"REF\" = \"referral\"}")
    values: dict[str, tuple[str, str | None]] = {}
    for code, target in _codes(where, f"{key}.values", codes["values"]).items():
        tkey = f"{key}.values.'{code}'"
        if isinstance(target, str):
            values[code] = (_event_name(where, tkey, target), None)
            continue
        if not isinstance(target, Mapping):
            where.fail(tkey, f"must be an event name or {{event = \"...\", qualifier = \"...\"}}, got {_show(target)}")
        where.check_keys(f"{tkey}.", target, _TARGET_KEYS)
        name = _event_name(where, f"{tkey}.event", target.get("event"))
        fixed = None
        if "qualifier" in target:
            fixed = where.string(f"{tkey}.qualifier", target["qualifier"], "a qualifier")
            if not _vocabulary()[name].takes_qualifier:
                where.fail(f"{tkey}.qualifier", f"'{name}' takes no qualifier")
            _check_qualifier(where, f"{tkey}.qualifier", fixed, (name,))
        values[code] = (name, fixed)
    ignore = where.strings(f"{key}.ignore", codes.get("ignore", []))
    for code in ignore:
        if code in values:
            where.fail(f"{key}.ignore", f"the code '{code}' is both under values and under ignore")
    unmapped = _unmapped(where, f"{key}.unmapped", codes.get("unmapped", "finding"), _EVENT_UNMAPPED)
    entry = _Entry(where, date, column=column, values=values, ignore=ignore, unmapped=unmapped)
    if "qualifier" in spec:
        qualifier = _qualifier(where, "qualifier", spec["qualifier"], entry.events)
        entry = _Entry(where, date, column=column, values=values, ignore=ignore, unmapped=unmapped, qualifier=qualifier)
    return entry


def _date_format(where: _Where, value: object) -> str:
    fmt = where.string("date_format", value, "a date format such as \"%d/%m/%Y\"")
    sample = _dt.date(2031, 12, 25)
    hint = "use strftime codes: %d day, %m month, %Y year, e.g. \"%d/%m/%Y\" or \"%Y-%m-%d %H:%M:%S\""
    try:
        text = sample.strftime(fmt)
        back = _dt.datetime.strptime(text, fmt).date()
    except ValueError as error:
        where.fail("date_format", f"'{fmt}' is not a date format: {error}", hint)
    if back != sample:
        where.fail("date_format", f"'{fmt}' does not give the day, the month and the year of a date", hint)
    try:
        parsed = pl.Series([text]).str.to_date(fmt, strict=False).item()
    except pl.exceptions.PolarsError as error:
        where.fail("date_format", f"'{fmt}' cannot be used: {str(error).splitlines()[0]}", hint)
    if parsed != sample:
        where.fail("date_format", f"'{fmt}' cannot be used to read dates", hint)
    return fmt


def _table(where: _Where, name: str, spec: Mapping[str, Any]) -> _Table:
    where.check_keys("", spec, _TABLE_KEYS)
    if "description" in spec:
        where.string("description", spec["description"], "text")
    if "child_id" not in spec:
        where.fail("child_id", "missing: name the column that holds the child's id")
    child_id = where.string("child_id", spec["child_id"])
    episode_id = where.string("episode_id", spec["episode_id"]) if "episode_id" in spec else None
    labels = {key: _label(where, key, spec[key]) for key in _LABELS if key in spec}
    date_format = _date_format(where, spec["date_format"]) if "date_format" in spec else None
    null_values = where.strings("null_values", spec.get("null_values", []))
    ignore_columns = where.strings("ignore_columns", spec.get("ignore_columns", []))
    shorthand = [k for k in ("event", "date", "qualifier") if k in spec]
    if "events" in spec:
        if shorthand:
            where.fail(shorthand[0], "a table has either [[tables.events]] entries or event and date of its own, not both")
        raw = spec["events"]
        if isinstance(raw, Mapping):
            where.fail("events", "must be an array of tables: write [[tables.events]], not [tables.events]")
        if not isinstance(raw, (list, tuple)) or not raw:
            where.fail("events", f"must be a non-empty array of tables ([[tables.events]]), got {_show(raw)}")
        entries = []
        for number, item in enumerate(raw, 1):
            label = f"events entry {number}"
            if isinstance(item, Mapping) and isinstance(item.get("event"), str) and item["event"].strip():
                label += f" ({item['event']})"
            entry_where = _Where(where.origin, where.table, label)
            if not isinstance(item, Mapping):
                entry_where.fail(None, f"must be a table ([[tables.events]]), got {_show(item)}")
            entries.append(_entry(entry_where, item))
    elif shorthand:
        entries = [_entry(where, {k: spec[k] for k in shorthand})]
    else:
        where.fail("events", "missing: add [[tables.events]] entries (one per date column), or event and date "
                   "for one event per row")
    used = {c for _, _, c in _Table(where, name, child_id, episode_id, labels, None, (), (), tuple(entries)).columns()}
    for column in ignore_columns:
        if column in used:
            where.fail("ignore_columns", f"'{column}' is read by the mapping, so it cannot be ignored")
    return _Table(where, name, child_id, episode_id, labels, date_format, null_values, ignore_columns, tuple(entries))


# --------------------------------------------------------------------------------------------
# Sources


@dataclass(frozen=True)
class _Source:
    frame: pl.DataFrame
    #: How messages name it: the file's name, or "the frame given for table 'x'".
    label: str
    #: The row number a person sees for the first data row: 2 in a CSV file (opened in a
    #: spreadsheet, its header is row 1), 1 in a Parquet file or a frame.
    first_row: int
    findings: tuple[dict[str, object], ...] = ()


def _decode(path: Path, data: bytes, table: str) -> tuple[str, dict[str, object] | None]:
    """CSV bytes as text: UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order
    mark, else Windows-1252 (reported)."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), None
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as utf8_error:
        line = data.count(b"\n", 0, utf8_error.start) + 1
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise DataError(
                f"{path.name}: line {line}: the file is neither UTF-8 nor Windows-1252 text; save it as CSV UTF-8"
            ) from None
        finding: dict[str, object] = {
            "source": table, "row": None, "column": None, "code": "MAP_ENCODING", "action": "repaired",
            "message": f"{path.name} is not UTF-8 (first at line {line}); read as Windows-1252",
        }
        return text, finding


def _read_file(path: Path, table: str) -> _Source:
    try:
        path.stat()
    except OSError:
        raise CinscopeError(f"{str(path)[:200]}: no such file (the source of table '{table}')") from None
    if not path.is_file():
        raise CinscopeError(f"{path}: not a file")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        try:
            return _Source(pl.read_parquet(path), path.name, 1)
        except (pl.exceptions.PolarsError, OSError) as error:
            raise DataError(f"{path.name}: cannot be read as Parquet: {str(error).splitlines()[0]}") from None
    if suffix not in (".csv", ".txt"):
        raise CinscopeError(f"{path}: expected a .csv or .parquet file")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CinscopeError(f"{path}: cannot be read: {error}") from None
    text, finding = _decode(path, data, table)
    first_line = text.split("\n", 1)[0]
    separator = max((",", ";", "\t"), key=first_line.count)
    try:
        frame = pl.read_csv(io.BytesIO(text.encode("utf-8")), infer_schema=False, separator=separator)
    except pl.exceptions.PolarsError as error:
        raise DataError(f"{path.name}: cannot be read as CSV: {str(error).splitlines()[0]}") from None
    return _Source(frame, path.name, 2, (finding,) if finding else ())


def _read_source(item: object, table: str) -> _Source:
    if isinstance(item, pl.LazyFrame):
        try:
            item = item.collect()
        except pl.exceptions.PolarsError as error:
            raise DataError(f"the LazyFrame given for table '{table}' failed: {str(error).splitlines()[0]}") from None
    if isinstance(item, pl.DataFrame):
        return _Source(item, f"the frame given for table '{table}'", 1)
    if isinstance(item, (str, os.PathLike)):
        return _read_file(Path(item), table)
    raise CinscopeError(
        f"the source of table '{table}' must be a polars DataFrame or LazyFrame or a CSV or Parquet file, "
        f"got {type(item).__name__}"
    )


def _sources(source: object, mapping: _Mapping) -> list[_Source]:
    names = [t.name for t in mapping.tables]
    if isinstance(source, Mapping):
        given = [str(k) for k in source]
        for key in given:
            if key not in names:
                best = _closest(key, names)
                raise CinscopeError(
                    f"source '{key}' is not a table of {mapping.origin}"
                    + (f" (did you mean '{best}'?)" if best else "")
                    + f"; its tables: {', '.join(names)}"
                )
        missing = [n for n in names if n not in given]
        if missing:
            raise CinscopeError(
                f"no source given for table{'s' if len(missing) > 1 else ''} {', '.join(repr(m) for m in missing)} "
                f"of {mapping.origin}; pass a source for each table by its name"
            )
        return [_read_source(source[n], n) for n in names]
    if len(names) > 1:
        raise CinscopeError(
            f"{mapping.origin} has {len(names)} tables ({', '.join(names)}): pass the sources as a dict "
            "{table name: frame or file} (on the command line: NAME=FILE for each)"
        )
    return [_read_source(source, names[0])]


# --------------------------------------------------------------------------------------------
# Applying a table


_TEXT_DTYPES = "String, integer, Boolean or Categorical"


def _is_text_like(dtype: pl.DataType) -> bool:
    return (
        dtype in (pl.String, pl.Null, pl.Boolean)
        or dtype.is_integer()
        or isinstance(dtype, (pl.Categorical, pl.Enum))
    )


def _text(column: str, null_values: tuple[str, ...]) -> pl.Expr:
    """The column as trimmed text, with empty cells and the table's null values as null."""
    text = pl.col(column).cast(pl.String).str.strip_chars()
    missing = (text == "") | text.is_in(list(null_values)) if null_values else text == ""
    return pl.when(missing).then(pl.lit(None, pl.String)).otherwise(text)


def _lit(text: str) -> pl.Expr:
    return pl.lit(text, pl.String)


def _message(*parts: str | pl.Expr) -> pl.Expr:
    return pl.concat_str([_lit(p) if isinstance(p, str) else p.cast(pl.String) for p in parts])


def _check_columns(table: _Table, source: _Source) -> None:
    columns = source.frame.columns
    problems: list[tuple[_Where, str, str]] = [
        (w, k, c) for w, k, c in table.columns() if c not in columns
    ] + [(table.where, "ignore_columns", c) for c in table.ignore_columns if c not in columns]
    if not problems:
        return
    described = []
    for where, key, column in problems:
        best = _closest(column, columns)
        place = f"{where.entry}: " if where.entry else ""
        described.append(
            f"{place}key '{key}': column '{column}' is not in {source.label}"
            + (f" (did you mean '{best}'?)" if best else "")
        )
    first = problems[0][0]
    head = ": ".join(p for p in (first.origin, first.table) if p)
    raise SchemaError(f"{head}: " + "; ".join(described) + f"; its columns: {_quote_list(columns)}")


def _check_dtypes(table: _Table, source: _Source) -> None:
    schema = source.frame.schema
    for where, key, column in table.columns():
        dtype = schema[column]
        if key == "date":
            ok = dtype in (pl.Date, pl.String, pl.Null) or isinstance(dtype, (pl.Datetime, pl.Categorical, pl.Enum))
            expected = "Date, Datetime or text"
        elif key in ("child_id", "episode_id"):
            ok = _is_text_like(dtype) and dtype != pl.Boolean
            expected = "String or integer"
        else:
            ok = _is_text_like(dtype)
            expected = _TEXT_DTYPES
        if not ok:
            where.fail(key, f"column '{column}' of {source.label} has dtype {dtype}; expected {expected}")


@dataclass(frozen=True)
class _Dates:
    """One date column read: the text, the dates, and why a text is not a date."""

    text: pl.Series
    dates: pl.Series
    why: pl.Series


def _parts_date(year: pl.Expr, month: pl.Expr, day: pl.Expr) -> pl.Expr:
    iso = pl.concat_str([year, _lit("-"), month.str.zfill(2), _lit("-"), day.str.zfill(2)])
    return iso.str.to_date("%Y-%m-%d", strict=False)


def _read_dates(
    table: _Table, where: _Where, key: str, column: str, source: _Source, rows: pl.Series,
    findings: list[dict[str, object]],
) -> _Dates:
    dtype = source.frame.schema[column]
    if dtype == pl.Date or isinstance(dtype, pl.Datetime):
        col = pl.col(column)
        values = source.frame.select(
            text=col.cast(pl.String), dates=col if dtype == pl.Date else col.dt.date()
        )
        return _Dates(values["text"], values["dates"], pl.repeat(None, len(rows), dtype=pl.String, eager=True))
    text = source.frame.select(_text(column, table.null_values).alias("text"))["text"]
    # Each distinct text is read once (an extract repeats its dates many times over).
    distinct = text.value_counts(name="rows").drop_nulls("text")
    t = pl.col("text")
    if table.date_format is not None:
        read = distinct.select(
            t, dates=t.str.to_date(table.date_format, strict=False),
        ).with_columns(
            why=pl.when(pl.col("dates").is_null())
            .then(_lit(f"is not a date in the mapping's date_format '{table.date_format}'"))
            .otherwise(pl.lit(None, pl.String))
        )
    else:
        a, b, year = pl.col("dmy_a"), pl.col("dmy_b"), pl.col("dmy_y")
        read = (
            distinct.with_columns(iso=t.str.extract_groups(_ISO_PATTERN), dmy=t.str.extract_groups(_DMY_PATTERN))
            .unnest("iso", "dmy")
            .select(
                t, "rows",
                iso=_parts_date(pl.col("iso_y"), pl.col("iso_m"), pl.col("iso_d")),
                day_first=_parts_date(year, b, a),
                month_first=_parts_date(year, a, b),
                same=(a.cast(pl.Int32, strict=False) == b.cast(pl.Int32, strict=False)).fill_null(False),
                second=b.cast(pl.Int32, strict=False),
            )
            .with_columns(
                day_only=pl.col("day_first").is_not_null() & pl.col("month_first").is_null(),
                month_only=pl.col("month_first").is_not_null() & pl.col("day_first").is_null(),
                both=pl.col("day_first").is_not_null() & pl.col("month_first").is_not_null() & ~pl.col("same"),
            )
        )
        day_only = bool(read["day_only"].any())
        if read["month_only"].any() and not day_only:
            first = read.filter("month_only").row(0, named=True)
            index = int((text == first["text"]).arg_true()[0])
            where.fail(
                key,
                f"column '{column}' of {source.label}: its text dates are month-first (row {rows[index]}: "
                f"'{first['text']}' has no month {first['second']}); cinscope never reads text dates month-first",
                "if the extract really writes dates month-first, set date_format = \"%m/%d/%Y\"",
            )
        if read["both"].any() and not day_only:
            count = int(read.filter("both")["rows"].sum())
            findings.append({
                "source": table.name, "row": None, "column": column, "code": "MAP_DATE_AMBIGUOUS", "action": "kept",
                "message": f"every text date of column '{column}' reads day-first and month-first ({count} "
                "with different readings); read day-first (DD/MM/YYYY); set date_format if that is wrong",
            })
        read = read.select(
            t,
            dates=pl.coalesce("iso", "day_first"),
            why=pl.when(pl.col("iso").is_not_null() | pl.col("day_first").is_not_null())
            .then(pl.lit(None, pl.String))
            .when(pl.col("month_only"))
            .then(_lit("reads only month-first, and cinscope reads text dates day-first (DD/MM/YYYY)"))
            .otherwise(_lit(f"is not a date (expected {_DEFAULT_DATES}; set date_format for another layout)")),
        )
    old = read["text"]
    dates = text.replace_strict(old, read["dates"], default=None, return_dtype=pl.Date)
    why = text.replace_strict(old, read["why"], default=None, return_dtype=pl.String)
    return _Dates(text, dates, why)


def _label_expr(label: _Label | None, null_values: tuple[str, ...]) -> pl.Expr:
    if label is None:
        return pl.lit(None, pl.String)
    if label.value is not None:
        return _lit(label.value)
    assert label.column is not None
    text = _text(_SRC + label.column, null_values)
    return text.replace(label.values) if label.values else text


def _unmapped_hints(codes: pl.Series, known: list[str]) -> dict[str, str]:
    """"; did you mean 'X'?" for each distinct unmapped code close to a mapped one."""
    out: dict[str, str] = {}
    for code in codes.drop_nulls().unique().head(1000).to_list():
        best = _closest(code, known, least=1)  # short local codes: one edit at most
        if best is not None:
            out[code] = f" (did you mean '{best}'?)"
    return out


def _entry_frames(
    table: _Table, number: int, entry: _Entry, base: pl.DataFrame, dates: _Dates, labels: tuple[str, ...],
    episode: bool,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The events and the findings of one reading of every row of a table."""
    vocab = _vocabulary()
    null_values = table.null_values
    child_col, date_col = table.child_id, entry.date
    work = base.with_columns(
        _child=_text(_SRC + child_col, null_values),
        _raw=dates.text,
        _date=dates.dates,
        _why=dates.why,
    )
    child, raw, date, why, row = (pl.col(c) for c in ("_child", "_raw", "_date", "_why", _ROW))
    qualifier_col = entry.qualifier.column if entry.qualifier else None
    extra: dict[str, pl.Expr] = {}
    if qualifier_col is not None:
        extra["_qraw"] = _text(_SRC + qualifier_col, null_values)
    for name in labels:
        extra[name] = _label_expr(table.labels.get(name), null_values)
    if episode:
        extra["episode_id"] = (
            _text(_SRC + table.episode_id, null_values) if table.episode_id else pl.lit(None, pl.String)
        )
    if entry.event is not None:
        work = work.with_columns(_event=_lit(entry.event), _fixed=pl.lit(None, pl.String), **extra)
        status = (
            pl.when(raw.is_null()).then(_lit("no_date"))
            .when(child.is_null()).then(_lit("no_child"))
            .when(date.is_null()).then(_lit("bad_date"))
            .otherwise(_lit("event"))
        )
        code_col = None
    else:
        code_col = entry.column
        assert code_col is not None and entry.values is not None
        events_of = {k: e for k, (e, _) in entry.values.items()}
        fixed_of = {k: q for k, (_, q) in entry.values.items() if q is not None}
        code = _text(_SRC + code_col, null_values)
        work = work.with_columns(
            _code=code,
            _event=code.replace_strict(events_of, default=None, return_dtype=pl.String),
            _fixed=code.replace_strict(fixed_of, default=None, return_dtype=pl.String)
            if fixed_of else pl.lit(None, pl.String),
            **extra,
        )
        c, event = pl.col("_code"), pl.col("_event")
        status = (
            pl.when(c.is_null()).then(_lit("no_code"))
            .when(c.is_in(list(entry.ignore))).then(_lit("ignored"))
            .when(event.is_null()).then(_lit("ignored_unmapped" if entry.unmapped == "ignore" else "unmapped"))
            .when(child.is_null()).then(_lit("no_child"))
            .when(raw.is_null()).then(_lit("no_date_coded"))
            .when(date.is_null()).then(_lit("bad_date"))
            .otherwise(_lit("event"))
        )
    work = work.with_columns(_status=status)

    # Rows that give no event: one finding each.
    rest = work.filter(pl.col("_status") != "event")
    event = pl.col("_event")
    if code_col is None:
        messages = {
            "no_date": ("MAP_NO_DATE", "not_an_event", date_col,
                        _message("row ", row, f": '{date_col}' has no date: no {entry.event} on this row")),
            "no_child": ("MAP_NO_CHILD_ID", "skipped", child_col,
                         _message("row ", row, f": '{child_col}' (the child id) is empty; the {entry.event} dated '",
                                  raw, "' is not read")),
            "bad_date": ("MAP_DATE_UNREADABLE", "skipped", date_col,
                         _message("row ", row, f": '{date_col}' '", raw, "' ", why, f"; the {entry.event} is not read")),
        }
    else:
        assert entry.values is not None
        c = pl.col("_code")
        hints = _unmapped_hints(rest.filter(pl.col("_status") == "unmapped")["_code"], list(entry.values))
        hint = c.replace_strict(hints, default="", return_dtype=pl.String) if hints else _lit("")
        messages = {
            "no_code": ("MAP_NO_EVENT_CODE", "skipped", code_col,
                        _message("row ", row, f": '{code_col}' is empty: no event type; the row is not read")),
            "ignored": ("MAP_NOT_AN_EVENT", "not_an_event", code_col,
                        _message("row ", row, f": '{code_col}' '", c, "' is not an event (listed under ignore)")),
            "ignored_unmapped": ("MAP_NOT_AN_EVENT", "not_an_event", code_col,
                                 _message("row ", row, f": '{code_col}' '", c,
                                          "' is not under values: not an event (unmapped = \"ignore\")")),
            "unmapped": ("MAP_UNMAPPED_CODE", "skipped", code_col,
                         _message("row ", row, f": '{code_col}' '", c, "' is not under values", hint,
                                  "; the row is not read: map the code under values, or list it under ignore "
                                  "if it is not an event")),
            "no_child": ("MAP_NO_CHILD_ID", "skipped", child_col,
                         _message("row ", row, f": '{child_col}' (the child id) is empty; the ", event,
                                  f" ('{code_col}' '", c, "') is not read")),
            "no_date_coded": ("MAP_DATE_MISSING", "skipped", date_col,
                              _message("row ", row, f": '{date_col}' is empty; the ", event,
                                       f" ('{code_col}' '", c, "') is not read")),
            "bad_date": ("MAP_DATE_UNREADABLE", "skipped", date_col,
                         _message("row ", row, f": '{date_col}' '", raw, "' ", why, "; the ", event, " is not read")),
        }
    status_col = pl.col("_status")

    def pick(index: int) -> pl.Expr:
        chain: Any = None
        for name, spec in messages.items():
            value = spec[index] if isinstance(spec[index], pl.Expr) else _lit(str(spec[index]))
            chain = (pl.when(status_col == name) if chain is None else chain.when(status_col == name)).then(value)
        return chain.otherwise(pl.lit(None, pl.String))  # type: ignore[no-any-return]

    not_read = rest.select(
        source=_lit(table.name), row=row.cast(pl.Int64), column=pick(2), code=pick(0), action=pick(1),
        message=pick(3), _order=pl.lit(number, pl.Int64),
    )

    # Rows that give an event: the qualifier.
    made = work.filter(status_col == "event")
    taking = [e for e, info in vocab.items() if info.takes_qualifier]
    closed = {e: info.allowed for e, info in vocab.items() if info.takes_qualifier and info.allowed is not None}
    takes = event.is_in(taking)
    spec = entry.qualifier
    qualifier_findings: list[pl.DataFrame] = []
    if spec is None:
        given: pl.Expr = pl.lit(None, pl.String)
    elif spec.constant is not None:
        given = _lit(spec.constant)
    elif spec.values is None:
        given = pl.col("_qraw")
    else:
        qraw = pl.col("_qraw")
        known = qraw.is_in(list(spec.values))
        targets = {k: v for k, v in spec.values.items() if v is not None}
        mapped = qraw.replace_strict(targets, default=None, return_dtype=pl.String) if targets else pl.lit(None, pl.String)
        if spec.unmapped == "keep":
            given = pl.when(known).then(mapped).otherwise(qraw)
        else:
            given = mapped
            lost = made.filter(takes & pl.col("_fixed").is_null() & qraw.is_not_null() & ~known)
            qualifier_findings.append(lost.select(
                source=_lit(table.name), row=row.cast(pl.Int64), column=_lit(str(qualifier_col)),
                code=_lit("MAP_QUALIFIER_UNMAPPED"), action=_lit("repaired"),
                message=_message("row ", row, f": '{qualifier_col}' '", qraw, "' is not under the qualifier's values; "
                                 "the ", event, " is kept without a qualifier"),
                _order=pl.lit(number, pl.Int64),
            ))
    made = made.with_columns(
        _qualifier=pl.when(takes).then(pl.coalesce(pl.col("_fixed"), given)).otherwise(pl.lit(None, pl.String))
    )
    if closed:
        pairs = [f"{e}\x1f{q}" for e, allowed in closed.items() for q in (allowed or ())]
        q = pl.col("_qualifier")
        wrong = made.filter(
            q.is_not_null() & event.is_in(list(closed)) & ~pl.concat_str([event, _lit("\x1f"), q]).is_in(pairs)
        )
        if wrong.height:
            allowed_text = {e: ", ".join(a or ()) for e, a in closed.items()}
            qualifier_findings.append(wrong.select(
                source=_lit(table.name), row=row.cast(pl.Int64),
                column=_lit(qualifier_col) if qualifier_col else pl.lit(None, pl.String),
                code=_lit("MAP_QUALIFIER_NOT_ALLOWED"), action=_lit("kept"),
                message=_message("row ", row, ": '", q, "' is not a qualifier of ", event, " (allowed: ",
                                 event.replace_strict(allowed_text, default="", return_dtype=pl.String),
                                 "); kept as given: scoring reports it (DQ002)"),
                _order=pl.lit(number, pl.Int64),
            ))
    columns = [
        child.alias("child_id"), event.alias("event"), date.alias("date"),
        *([pl.col("episode_id")] if episode else []),
        pl.col("_qualifier").alias("qualifier"),
        *[pl.col(name) for name in labels],
        _lit(table.name).alias("source"), row.cast(pl.Int64).alias("source_row"),
        _lit(date_col).alias("source_column"), pl.lit(number, pl.Int64).alias("_order"),
    ]
    findings = pl.concat([not_read, *qualifier_findings]) if qualifier_findings else not_read
    return made.select(columns), findings


def _apply_table(
    table: _Table, number: int, source: _Source, labels: tuple[str, ...], episode: bool,
) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    _check_columns(table, source)
    _check_dtypes(table, source)
    frame = source.frame
    base = (
        frame.select(pl.col(c).alias(_SRC + c) for c in frame.columns)
        .with_row_index(_ROW, offset=source.first_row)
        .with_columns(pl.col(_ROW).cast(pl.Int64))
    )
    rows = base[_ROW]
    notes: list[dict[str, object]] = list(source.findings)
    used = {c for _, _, c in table.columns()}
    for column in frame.columns:
        if column not in used and column not in table.ignore_columns:
            notes.append({
                "source": table.name, "row": None, "column": column, "code": "MAP_UNUSED_COLUMN",
                "action": "not_an_event",
                "message": f"column '{column}' of {source.label} is not named in the mapping: its values are not read "
                "(list it under ignore_columns to record that it is not needed)",
            })
    dates: dict[str, _Dates] = {}
    events: list[pl.DataFrame] = []
    findings: list[pl.DataFrame] = []
    for index, entry in enumerate(table.entries):
        if entry.date not in dates:
            dates[entry.date] = _read_dates(table, entry.where, "date", entry.date, source, rows, notes)
        made, found = _entry_frames(table, index, entry, base, dates[entry.date], labels, episode)
        events.append(made)
        findings.append(found)
    noted = pl.DataFrame(notes, schema=FINDINGS_SCHEMA).with_columns(_order=pl.lit(-1, pl.Int64))
    all_findings = pl.concat([noted, *findings]).with_columns(_table=pl.lit(number, pl.Int64))
    all_events = pl.concat(events).with_columns(_table=pl.lit(number, pl.Int64))
    return all_events, all_findings, frame.height


# --------------------------------------------------------------------------------------------
# The public functions


def read_mapped(
    source: MappingSource,
    mapping: str | os.PathLike[str] | Mapping[str, Any],
    *,
    as_of: _dt.date | None = None,
) -> Imported:
    """Reads a case-system extract through a declarative mapping.

    Parameters
    ----------
    source
        A polars DataFrame or LazyFrame, or a CSV or Parquet file, for a mapping of one table;
        for several tables, a dict ``{table name: frame or file}``. CSV files are read as text
        (UTF-8, else Windows-1252, reported; comma, semicolon or tab separated), so codes keep
        their leading zeros.
    mapping
        A TOML file (see :func:`mapping_template` and ``docs/mapping.md``) or the same as a
        dict.
    as_of
        The date the extract was taken, kept as the result's ``as_of`` (pass it on to
        :func:`cinscope.score`).

    Returns
    -------
    Imported
        ``events``: ``child_id``, ``event``, ``date``, ``episode_id`` (when a table names one),
        ``qualifier``, the labels the mapping names (``authority``, ``team``, ``worker``) and
        where each event came from (``source``: the table's name, ``source_row``,
        ``source_column``), ordered by child and date. ``findings``: one row per reading of a
        source row that gave no event (``not_an_event``: a documented non-event;
        ``skipped``: a problem), per qualifier repaired or kept, and per column the mapping
        does not name (:data:`FINDING_CODES`). ``counts``: rows read per table.

        Each row is read once per events entry of its table. Every reading gives exactly one
        event or one ``not_an_event`` or ``skipped`` finding naming the row, so the rows
        times the entries add up to the events plus those findings. Rows are numbered as a
        person sees them: in a CSV file the header is row 1, so the first data row is row 2;
        in a Parquet file or a frame the first row is row 1.

    Raises
    ------
    SchemaError
        The mapping is not valid (an unknown key, event, qualifier or option; a bad date
        format), or names a column the source does not have, or of the wrong dtype; a column
        of text dates that are month-first.
    DataError
        A source file that cannot be read.
    CinscopeError
        A missing file, or sources that do not match the mapping's tables.

    Examples
    --------
    >>> import polars as pl
    >>> import cinscope as cs
    >>> extract = pl.DataFrame({
    ...     "PersonID": ["P1", "P2", "P3"],
    ...     "ReferralDate": ["16/01/2025", "10/02/2025", "03/03/2025"],
    ...     "ClosedOn": ["28/02/2025", None, "14/03/2025"],
    ...     "Reason": ["NFA", None, "MOVED"],
    ... })
    >>> mapping = {"tables": [{
    ...     "name": "referrals", "child_id": "PersonID",
    ...     "events": [
    ...         {"event": "referral", "date": "ReferralDate"},
    ...         {"event": "closure", "date": "ClosedOn",
    ...          "qualifier": {"column": "Reason", "values": {"NFA": "RC8"}}},
    ...     ],
    ... }]}
    >>> events, findings = cs.read_mapped(extract, mapping)
    >>> events.select("child_id", "event", "date", "qualifier").rows()  # doctest: +NORMALIZE_WHITESPACE
    [('P1', 'referral', datetime.date(2025, 1, 16), None),
     ('P1', 'closure', datetime.date(2025, 2, 28), 'RC8'),
     ('P2', 'referral', datetime.date(2025, 2, 10), None),
     ('P3', 'referral', datetime.date(2025, 3, 3), None),
     ('P3', 'closure', datetime.date(2025, 3, 14), None)]
    >>> findings.select("row", "code", "action").rows()
    [(2, 'MAP_NO_DATE', 'not_an_event'), (3, 'MAP_QUALIFIER_UNMAPPED', 'repaired')]
    """
    if as_of is not None and (not isinstance(as_of, _dt.date) or isinstance(as_of, _dt.datetime)):
        raise CinscopeError(f"as_of must be a datetime.date, got {type(as_of).__name__}")
    loaded = _load(mapping)
    sources = _sources(source, loaded)
    labels = tuple(name for name in _LABELS if any(name in t.labels for t in loaded.tables))
    episode = any(t.episode_id for t in loaded.tables)
    events: list[pl.DataFrame] = []
    findings: list[pl.DataFrame] = []
    counts: dict[str, int] = {}
    for number, (table, src) in enumerate(zip(loaded.tables, sources)):
        made, found, height = _apply_table(table, number, src, labels, episode)
        events.append(made)
        findings.append(found)
        counts[table.name] = height
    all_events = (
        pl.concat(events)
        .with_columns(pl.col("child_id").cast(pl.String), pl.col("date").cast(pl.Date))
        .sort(["child_id", "date", "_table", "source_row", "_order"], nulls_last=True, maintain_order=True)
        .drop("_table", "_order")
    )
    all_findings = (
        pl.concat(findings)
        .sort(["_table", "row", "_order"], nulls_last=False, maintain_order=True)
        .select(list(FINDINGS_SCHEMA))
        .cast(FINDINGS_SCHEMA)  # type: ignore[arg-type]
    )
    return Imported(
        events=all_events, findings=all_findings, source_format="mapping", as_of=as_of, counts=counts,
        source_events=frozenset(
            name
            for table in loaded.tables
            for entry in table.entries
            for name in ([entry.event] if entry.event else [e for e, _ in (entry.values or {}).values()])
        ),
    )


_TEMPLATE = '''\
# A cinscope mapping: how the tables of a case-system extract become cinscope's events.
# Apply it with cinscope.read_mapped(source, "this-file.toml"), or on the command line:
#   cinscope map this-file.toml extract.csv -o events.parquet --findings findings.csv
# The format, with two worked examples: docs/mapping.md. Event names and the qualifiers each
# event takes: cinscope.event_vocabulary() (or docs/events.md).
#
# Every row of a source table is read once for each [[tables.events]] entry of its table. Each
# reading gives an event, or one finding: a documented non-event (an empty date column, a code
# listed under ignore) or a problem (no child id, a date that cannot be read, a code that is not
# mapped). Each source column the mapping does not name is reported once: list the columns you
# do not need under ignore_columns.
#
# Values: event and qualifier take cinscope's words (an event name, a qualifier); child_id,
# episode_id, date, team, worker and authority take a column name of the source.

description = "Referrals from our case system, monthly extract"   # optional

[[tables]]
# The table's name. It is the `source` of its events and findings; when the mapping has several
# tables, give the sources by these names: {name: frame or file}, or NAME=FILE on the command line.
name = "referrals"
description = "One row per referral"           # optional
child_id = "PersonID"                           # the column of the child's id (required)
episode_id = "ReferralID"                       # optional; without it, episodes are derived from referral and closure dates
# Labels (optional), carried through to the obligations: a column name; or
# {column = "...", values = {"code" = "name"}} to rename codes (codes not listed are kept as they
# are); or {value = "..."}, the same for every row.
team = {column = "TeamCode", values = {"RA1" = "Referral and Assessment", "CIN2" = "Child in Need East"}}
worker = "AllocatedWorker"
authority = {value = "national"}                # a built-in rulebook id picks that rulebook when scoring
# Dates. Without date_format: YYYY-MM-DD or DD/MM/YYYY (a time after the date is ignored); text
# dates are never read month-first. With it, the layout in strftime codes: "%d/%m/%Y",
# "%d/%m/%Y %H:%M", "%d-%b-%Y" (03-Feb-2025), ... Columns of Parquet dates need none.
date_format = "%d/%m/%Y"
# Cell values that mean "no value", besides empty cells: a sentinel date for "still open", "N/A".
null_values = ["31/12/9999", "N/A"]
# Columns the mapping does not need, recorded as such.
ignore_columns = ["Ethnicity", "DateOfBirth"]

# Wide form: one entry per date column; each row gives one event per entry whose date is filled
# in (an empty date: that event did not happen on this row, recorded as not an event).
[[tables.events]]
event = "referral"                              # an event name
date = "ReferralDate"                           # the column of its date

[[tables.events]]
event = "assessment_start"
date = "AssessmentStart"

[[tables.events]]
event = "assessment_authorised"
date = "AssessmentAuthorised"

[[tables.events]]
event = "closure"
date = "ClosureDate"
# The qualifier: text, the same for every row (qualifier = "RC8"), or {column = "..."} to read
# it from a column: values maps the column's codes to qualifiers ("" for none), and unmapped says
# what a code not listed does: "finding" (the default: the event is kept without a qualifier,
# and reported) or "keep" (the code itself is the qualifier). Without values, the column's text
# is the qualifier. Events that take no qualifier get none.
qualifier = {column = "ClosureReason", values = {"NFA" = "RC8", "Transferred" = "RC5"}, unmapped = "finding"}

# Long form: one row per event, its type a code in a column. Uncomment and adapt for an event log.
# A code maps to an event name, or to {event = "...", qualifier = "..."}; codes listed under ignore
# are not events (recorded as such); unmapped says what a code in neither does: "finding" (the
# default: the row is not read, and reported) or "ignore" (recorded as not an event). A row whose
# code is mapped but whose date is empty is reported.
#
# [[tables]]
# name = "event_log"
# child_id = "ChildID"
# date_format = "%d/%m/%Y"
#
# [[tables.events]]
# date = "EventDate"
# event = {column = "EventType", values = {"REF" = "referral", "VIS" = "visit", "CLOSE-NFA" = {event = "closure", qualifier = "RC8"}}, ignore = ["PHONE"], unmapped = "finding"}
# qualifier = {column = "Outcome", values = {"Seen alone" = "seen_alone", "Seen" = "seen", "Not seen" = "not_seen"}}
'''


def mapping_template() -> str:
    """A commented TOML template of a mapping, every key explained (``cinscope map --template``).

    It is a valid mapping as it stands (a wide extract of referrals); rename its columns to
    yours, drop what you do not have, and uncomment the long form for an event log.

    Examples
    --------
    >>> import cinscope as cs
    >>> text = cs.mapping_template()
    >>> text.splitlines()[0]
    "# A cinscope mapping: how the tables of a case-system extract become cinscope's events."
    >>> 'child_id = "PersonID"' in text
    True
    """
    return _TEMPLATE
