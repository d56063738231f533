"""The Standard Safeguarding Dataset (SSD): read a local authority's ``ssd_*`` tables as events.

The SSD (Data to Insight's ``ssd-data-model``) is a fixed set of tables that an authority builds
inside its own database from its case-management system. :func:`read_ssd` reads the tables
cinscope needs, from a folder of CSV or Parquet exports, a mapping of table name to Polars
frame, or the database itself, and gives back an :class:`~cinscope._imported.Imported`: the
canonical events frame, ready for :func:`cinscope.score`, and a findings frame naming every
source row that did not become an event, or that was repaired on the way::

    import datetime as dt
    import cinscope as cs

    events, findings = cs.read_ssd("exports/", as_of=dt.date(2026, 3, 31))
    obligations = cs.score(events, "national", as_of=dt.date(2026, 3, 31))

The mapping, the column variants of the different case-management builds and what the SSD
cannot supply are documented in ``docs/ssd.md``.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Literal, Mapping, Sequence

import polars as pl

from cinscope._calendar import count_working_days, default_calendar
from cinscope._core import CinscopeError, DataError, SchemaError
from cinscope._coverage import SOURCE_EVENTS
from cinscope._imported import FINDINGS_SCHEMA, Imported, empty_findings

__all__ = ["SSD_TABLES", "FINDING_CODES", "read_ssd"]

_Kind = Literal["id", "date", "flag", "text"]


@dataclass(frozen=True)
class _Col:
    """One column the importer reads: its internal name, the names it may have in the source
    (first the SystemC/Liquidlogic name, then other builds'), its kind and whether the table is
    unusable without it."""

    name: str
    sources: tuple[str, ...]
    kind: _Kind
    required: bool = False


def _c(name: str, sources: str | tuple[str, ...], kind: _Kind, required: bool = False) -> _Col:
    return _Col(name, (sources,) if isinstance(sources, str) else sources, kind, required)


#: The tables read, and the columns read from each (everything else in a table is ignored).
_SPEC: dict[str, tuple[_Col, ...]] = {
    "ssd_person": (_c("person", "pers_person_id", "id", True),),
    "ssd_cin_episodes": (
        _c("referral", "cine_referral_id", "id", True),
        _c("person", "cine_person_id", "id", True),
        _c("referral_date", "cine_referral_date", "date", True),
        _c("close_date", "cine_close_date", "date"),
        _c("close_reason", "cine_close_reason", "text"),
        _c("team", "cine_referral_team", "id"),
        _c("worker", "cine_referral_worker_id", "id"),
    ),
    "ssd_cin_assessments": (
        _c("assessment", "cina_assessment_id", "id"),
        _c("person", "cina_person_id", "id", True),
        _c("referral", "cina_referral_id", "id"),
        _c("start_date", "cina_assessment_start_date", "date", True),
        _c("auth_date", "cina_assessment_auth_date", "date"),
        _c("team", "cina_assessment_team", "id"),
        _c("worker", "cina_assessment_worker_id", "id"),
    ),
    "ssd_cin_plans": (
        _c("plan", ("cinp_cin_plan_id", "cin_plan_id"), "id"),
        _c("referral", "cinp_referral_id", "id"),
        _c("person", "cinp_person_id", "id"),
        _c("start_date", "cinp_cin_plan_start_date", "date", True),
        _c("end_date", "cinp_cin_plan_end_date", "date"),
        _c("team", "cinp_cin_plan_team", "id"),
        _c("worker", "cinp_cin_plan_worker_id", "id"),
    ),
    "ssd_cin_visits": (
        _c("visit", "cinv_cin_visit_id", "id"),
        _c("person", "cinv_person_id", "id"),
        _c("plan", "cinv_cin_plan_id", "id"),
        _c("date", "cinv_cin_visit_date", "date", True),
        _c("seen", "cinv_cin_visit_seen", "flag"),
        _c("seen_alone", "cinv_cin_visit_seen_alone", "flag"),
    ),
    "ssd_s47_enquiry": (
        _c("enquiry", "s47e_s47_enquiry_id", "id"),
        _c("referral", "s47e_referral_id", "id"),
        _c("person", "s47e_person_id", "id", True),
        _c("start_date", "s47e_s47_start_date", "date", True),
        _c("end_date", "s47e_s47_end_date", "date"),
        _c("team", "s47e_s47_completed_by_team", "id"),
        _c("worker", "s47e_s47_completed_by_worker_id", "id"),
    ),
    "ssd_initial_cp_conference": (
        _c("icpc", "icpc_icpc_id", "id"),
        _c("referral", "icpc_referral_id", "id"),
        _c("person", "icpc_person_id", "id", True),
        _c("date", "icpc_icpc_date", "date", True),
        _c("team", "icpc_icpc_team", "id"),
        _c("worker", "icpc_icpc_worker_id", "id"),
    ),
    "ssd_cp_plans": (
        _c("plan", "cppl_cp_plan_id", "id"),
        _c("referral", "cppl_referral_id", "id"),
        _c("person", "cppl_person_id", "id", True),
        _c("start_date", "cppl_cp_plan_start_date", "date", True),
        _c("end_date", "cppl_cp_plan_end_date", "date"),
    ),
    "ssd_cp_visits": (
        _c("visit", "cppv_cp_visit_id", "id"),
        _c("person", "cppv_person_id", "id"),
        _c("plan", "cppv_cp_plan_id", "id"),
        _c("date", "cppv_cp_visit_date", "date", True),
        _c("seen", "cppv_cp_visit_seen", "flag"),
        _c("seen_alone", "cppv_cp_visit_seen_alone", "flag"),
    ),
    "ssd_cp_reviews": (
        _c("review", "cppr_cp_review_id", "id"),
        _c("person", "cppr_person_id", "id"),
        _c("plan", "cppr_cp_plan_id", "id"),
        _c("date", ("cppr_cp_review_date", "actual_date"), "date", True),
    ),
    "ssd_cla_episodes": (
        _c("episode", "clae_cla_episode_id", "id"),
        _c("person", "clae_person_id", "id", True),
        _c("start_date", "clae_cla_episode_start_date", "date", True),
        _c("start_reason", "clae_cla_episode_start_reason", "text"),
        _c("ceased_date", "clae_cla_episode_ceased_date", "date"),
        _c("ceased_reason", "clae_cla_episode_ceased_reason", "text"),
        _c("cla", "clae_cla_id", "id"),
        _c("referral", "clae_referral_id", "id"),
    ),
    "ssd_cla_visits": (
        _c("visit", "clav_cla_visit_id", "id"),
        _c("person", "clav_person_id", "id", True),
        _c("date", "clav_cla_visit_date", "date", True),
        _c("seen", "clav_cla_visit_seen", "flag"),
        _c("seen_alone", "clav_cla_visit_seen_alone", "flag"),
    ),
    "ssd_involvements": (
        _c("involvement", "invo_involvements_id", "id"),
        _c("worker", "invo_professional_id", "id"),
        _c("team", "invo_professional_team", "id"),
        _c("person", "invo_person_id", "id"),
        _c("referral", "invo_referral_id", "id"),
        _c("start_date", "invo_involvement_start_date", "date", True),
        _c("end_date", "invo_involvement_end_date", "date"),
    ),
    "ssd_department": (
        _c("team", "dept_team_id", "id", True),
        _c("name", "dept_team_name", "text"),
    ),
    "ssd_professionals": (
        _c("worker", "prof_professional_id", "id", True),
        _c("name", "prof_professional_name", "text"),
    ),
}

#: Tables in which at least one of the named columns must be present (the Mosaic builds give a
#: visit's plan instead of its person, an involvement's referral instead of its person).
_ONE_OF: dict[str, tuple[str, ...]] = {
    "ssd_cin_plans": ("person", "referral"),
    "ssd_cin_visits": ("person", "plan"),
    "ssd_cp_visits": ("person", "plan"),
    "ssd_cp_reviews": ("person", "plan"),
    "ssd_involvements": ("person", "referral"),
}

#: The SSD tables :func:`read_ssd` reads, in the order it reads them.
SSD_TABLES: tuple[str, ...] = tuple(_SPEC)

#: Tables without which nothing can be read.
_REQUIRED_TABLES = ("ssd_cin_episodes",)

#: Lookup tables: none of their rows is an event.
_LOOKUP_TABLES = ("ssd_person", "ssd_department", "ssd_professionals")

#: What each finding code means (the DQ codes are the scorer's, used where the meaning is the
#: same; docs/ssd.md lists them with the action taken).
FINDING_CODES: dict[str, str] = {
    "SSD001": "placeholder date (1900-01-01) or a date before 1950: treated as missing",
    "SSD002": "text that is not a date in a date column: treated as missing",
    "SSD003": "person id not in ssd_person",
    "SSD004": "referral id not in ssd_cin_episodes",
    "SSD005": "row without the id that places it (person, or the plan or referral that gives the person)",
    "SSD006": "row with no usable event date: no event",
    "SSD007": "row that is not an event (a conference only scheduled, a review not yet held, a change within a period of care)",
    "SSD008": "table or column not in the source: the events it gives are missing",
    "SSD009": "flag that is not Y/N or Yes/No: treated as missing",
    "DQ002": "closure reason not RC1-RC9 (a local code): closure kept without a qualifier",
    "DQ003": "visit already read from another row (same visit id and date): one event",
    "DQ015": "event after the as-of date: kept (the scorer does not count it)",
    "DQ016": "visit without a seen flag: kept without a qualifier",
}

#: The engine every query here runs on. Polars 2.1's streaming engine (the default) panicked
#: on some of the findings' string formatting ("assertion failed: i < self.len()"); the
#: in-memory engine runs the same queries correctly, and as fast for these eager steps.
_ENGINE: Literal["in-memory"] = "in-memory"

_CLOSURE_REASONS = tuple(f"RC{i}" for i in range(1, 10))
_EARLIEST = _dt.date(1950, 1, 1)
_NULL_TOKENS = ("", "NULL", "null", "Null", "NaN", "nan")
_TRUE = ("Y", "YES", "TRUE", "T", "1")
_FALSE = ("N", "NO", "FALSE", "F", "0")
_TIME_TAIL = r"^(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$"
_UK_DATE = r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)?$"

#: Columns of the internal events frame (the public one drops the underscored ones).
_EVENT_SCHEMA: dict[str, pl.DataType] = {
    "child_id": pl.String(),
    "event": pl.String(),
    "date": pl.Date(),
    "episode_id": pl.String(),
    "qualifier": pl.String(),
    "team": pl.String(),
    "worker": pl.String(),
    "_src": pl.UInt8(),
    "_row": pl.UInt32(),
    "_col": pl.UInt16(),
}


# --------------------------------------------------------------------------------------------
# Reading the tables


@dataclass
class _Table:
    """A table as read: its internal columns, normalised, with ``_row`` (0-based position)."""

    name: str
    label: str
    offset: int
    frame: pl.DataFrame
    columns: dict[str, str] = field(default_factory=dict)  # internal name -> source column name

    def has(self, name: str) -> bool:
        return name in self.columns


class _Reader:
    """Gives the column names of a table and reads chosen columns of it."""

    kind = "source"

    def locate(self, table: str, name: str) -> str | None:
        """The label (file or table name) of a table when the source has it, else None."""
        raise NotImplementedError

    def columns(self, table: str, name: str) -> list[str]:
        raise NotImplementedError

    def read(self, table: str, name: str, columns: list[str]) -> pl.DataFrame:
        raise NotImplementedError

    def row_offset(self, table: str, name: str) -> int:
        """What to add to a 0-based record position to give the row a person sees."""
        return 1


def _clean_header(name: str) -> str:
    return name.replace("\ufeff", "").strip().lower()


class _FolderReader(_Reader):
    kind = "folder"

    def __init__(self, folder: Path, encoding: str) -> None:
        self.folder = folder
        self.encoding = encoding
        self.files: dict[str, list[Path]] = {}
        for path in sorted(folder.iterdir()):
            lower = path.name.lower()
            for suffix in (".csv", ".parquet"):
                if lower.endswith(suffix):
                    self.files.setdefault(lower[: -len(suffix)], []).append(path)

    def _path(self, name: str) -> Path | None:
        found = self.files.get(name.lower())
        if not found:
            return None
        if len(found) > 1:
            raise SchemaError(
                f"{self.folder}: table {name} is there twice ({', '.join(p.name for p in found)}); "
                "keep one file per table"
            )
        return found[0]

    def locate(self, table: str, name: str) -> str | None:
        path = self._path(name)
        return None if path is None else path.name

    def row_offset(self, table: str, name: str) -> int:
        path = self._path(name)
        # A CSV's first record is on line 2, under its header, as a spreadsheet shows it.
        return 2 if path is not None and path.suffix.lower() == ".csv" else 1

    def columns(self, table: str, name: str) -> list[str]:
        path = self._path(name)
        assert path is not None
        try:
            if path.suffix.lower() == ".parquet":
                return list(pl.read_parquet_schema(path))
            if self.encoding.lower().replace("-", "") in ("utf8", "utf8lossy"):
                return list(pl.scan_csv(path, infer_schema=False, encoding=self._polars_encoding()).collect_schema())
            return list(pl.read_csv(path, infer_schema=False, encoding=self.encoding, n_rows=0).columns)
        except (pl.exceptions.PolarsError, OSError, LookupError, UnicodeDecodeError) as error:
            raise self._error(path, error) from None

    def _polars_encoding(self) -> Literal["utf8", "utf8-lossy"]:
        return "utf8-lossy" if "lossy" in self.encoding.lower() else "utf8"

    def read(self, table: str, name: str, columns: list[str]) -> pl.DataFrame:
        path = self._path(name)
        assert path is not None
        try:
            if path.suffix.lower() == ".parquet":
                return pl.read_parquet(path, columns=columns)
            if self.encoding.lower().replace("-", "") in ("utf8", "utf8lossy"):
                return pl.scan_csv(path, infer_schema=False, encoding=self._polars_encoding()).select(columns).collect()
            return pl.read_csv(path, infer_schema=False, encoding=self.encoding, columns=columns)
        except (pl.exceptions.PolarsError, OSError, LookupError, UnicodeDecodeError) as error:
            raise self._error(path, error) from None

    def _error(self, path: Path, error: Exception) -> CinscopeError:
        text = str(error)
        if "utf-8" in text.lower() or "utf8" in text.lower() or isinstance(error, UnicodeDecodeError):
            where = _first_bad_utf8(path)
            return DataError(
                f"{path.name}{where}: the file is not UTF-8 (a Windows-1252 export?); re-save it as "
                f"UTF-8 or pass encoding='cp1252' to read_ssd"
            )
        first = text.strip().splitlines()[0] if text.strip() else type(error).__name__
        return DataError(f"{path.name}: cannot be read as {path.suffix.lstrip('.').upper()}: {first}")


def _first_bad_utf8(path: Path) -> str:
    """' line N, column M (byte 0xNN)' for the first byte sequence that is not UTF-8."""
    try:
        with path.open("rb") as handle:
            for number, line in enumerate(handle, start=1):
                try:
                    line.decode("utf-8")
                except UnicodeDecodeError as bad:
                    column = len(line[: bad.start].decode("utf-8", "replace")) + 1
                    return f" line {number}, column {column} (byte 0x{line[bad.start]:02X})"
    except OSError:
        return ""
    return ""


class _FramesReader(_Reader):
    kind = "frames"

    def __init__(self, frames: Mapping[str, object]) -> None:
        self.frames: dict[str, pl.DataFrame | pl.LazyFrame] = {}
        for key, value in frames.items():
            if not isinstance(key, str):
                raise SchemaError(f"table names must be strings, got {key!r}")
            if not isinstance(value, (pl.DataFrame, pl.LazyFrame)):
                raise SchemaError(f"table {key}: expected a polars DataFrame or LazyFrame, got {type(value).__name__}")
            self.frames[key.lower()] = value

    def locate(self, table: str, name: str) -> str | None:
        return name if name.lower() in self.frames else None

    def columns(self, table: str, name: str) -> list[str]:
        frame = self.frames[name.lower()]
        try:
            return list(frame.collect_schema())
        except pl.exceptions.PolarsError as error:
            raise DataError(f"table {name}: {str(error).strip().splitlines()[0]}") from None

    def read(self, table: str, name: str, columns: list[str]) -> pl.DataFrame:
        frame = self.frames[name.lower()]
        try:
            return frame.lazy().select(columns).collect(engine=_ENGINE)
        except pl.exceptions.PolarsError as error:
            raise DataError(f"table {name}: {str(error).strip().splitlines()[0]}") from None


class _DatabaseReader(_Reader):
    kind = "database"

    def __init__(self, connection: object, schema: str | None) -> None:
        self.connection = connection
        self.uri = connection if isinstance(connection, str) else None
        self.schema = schema
        self.engine: Literal["adbc", "connectorx"] | None = None
        self.known: dict[str, list[str] | None] = {}
        self.errors: dict[str, str] = {}
        if self.uri is not None:
            self.engine = _uri_engine(self.uri)

    def _qualified(self, name: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_.\[\]\"`]+", name):
            raise SchemaError(f"table name {name!r}: only letters, digits, '_' and '.' are allowed")
        return f"{self.schema}.{name}" if self.schema and "." not in name else name

    def _query(self, sql: str) -> pl.DataFrame:
        if self.uri is not None:
            assert self.engine is not None
            return pl.read_database_uri(sql, self.uri, engine=self.engine)
        result = pl.read_database(sql, self.connection)
        assert isinstance(result, pl.DataFrame)
        return result

    def _probe(self, name: str) -> list[str] | None:
        if name not in self.known:
            try:
                self.known[name] = list(self._query(f"SELECT * FROM {self._qualified(name)} WHERE 1=0").columns)
            except CinscopeError:
                raise
            except Exception as error:  # the driver's own error for a missing table
                self.known[name] = None
                self.errors[name] = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
                rollback = getattr(self.connection, "rollback", None)
                if callable(rollback):
                    try:
                        rollback()
                    except Exception:  # noqa: BLE001 - a connection without a transaction
                        pass
        return self.known[name]

    def locate(self, table: str, name: str) -> str | None:
        return self._qualified(name) if self._probe(name) is not None else None

    def columns(self, table: str, name: str) -> list[str]:
        found = self._probe(name)
        assert found is not None
        return found

    def read(self, table: str, name: str, columns: list[str]) -> pl.DataFrame:
        quoted = ", ".join('"' + c.replace('"', '""') + '"' for c in columns)
        try:
            return self._query(f"SELECT {quoted} FROM {self._qualified(name)}")
        except Exception as error:
            first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise DataError(f"table {self._qualified(name)}: cannot be read: {first}") from None


def _uri_engine(uri: str) -> Literal["adbc", "connectorx"]:
    """The installed engine that reads this URI; an error naming the extra when there is none."""
    scheme = uri.split("://", 1)[0].lower()
    import importlib.util

    def have(module: str) -> bool:
        return importlib.util.find_spec(module) is not None

    if scheme.startswith("sqlite"):
        if have("adbc_driver_sqlite"):
            return "adbc"
        if have("connectorx"):
            return "connectorx"
        raise CinscopeError(
            "reading an SQLite database by URI needs the optional 'database' extra: "
            "pip install 'cinscope[database]' (adbc-driver-sqlite); or pass an open sqlite3 connection"
        )
    if scheme.startswith("postgres") and have("adbc_driver_postgresql"):
        return "adbc"
    if have("connectorx"):
        return "connectorx"
    raise CinscopeError(
        f"reading a {scheme} database by URI needs a driver Polars can use: install connectorx (or the "
        f"ADBC driver for {scheme}); or pass an open DB-API or SQLAlchemy connection instead of a URI. "
        "For SQLite: pip install 'cinscope[database]'"
    )


def _reader(source: object, schema: str | None, encoding: str) -> _Reader:
    if isinstance(source, Mapping):
        return _FramesReader(source)
    if isinstance(source, str) and "://" in source:
        return _DatabaseReader(source, schema)
    if isinstance(source, (str, os.PathLike)):
        folder = Path(os.fspath(source))
        if not folder.exists():
            raise DataError(f"{folder}: no such folder")
        if not folder.is_dir():
            raise DataError(
                f"{folder}: not a folder; pass a folder of SSD tables (ssd_cin_episodes.csv, ...), a mapping "
                "of table names to frames, a database connection or a URI such as sqlite:///path/to.db"
            )
        return _FolderReader(folder, encoding)
    if isinstance(source, (pl.DataFrame, pl.LazyFrame)):
        raise SchemaError("pass a mapping of SSD table names to frames, e.g. {'ssd_cin_episodes': frame, ...}")
    if any(hasattr(source, method) for method in ("cursor", "execute", "connect")):
        # A DB-API connection or cursor, or a SQLAlchemy connection, session or engine.
        return _DatabaseReader(source, schema)
    raise SchemaError(
        f"cannot read SSD tables from a {type(source).__name__}: pass a folder, a mapping of table names "
        "to frames, a DB-API or SQLAlchemy connection, or a database URI"
    )


# --------------------------------------------------------------------------------------------
# Normalising columns


def _null_tokens(expr: pl.Expr) -> pl.Expr:
    stripped = expr.str.strip_chars()
    return pl.when(stripped.is_in(_NULL_TOKENS)).then(None).otherwise(stripped)


def _id_expr(name: str, dtype: pl.DataType) -> pl.Expr:
    column = pl.col(name)
    if isinstance(dtype, (pl.Float32, pl.Float64)):
        column = column.fill_nan(None)
        whole = column.is_finite() & (column == column.floor())
        text = pl.when(whole).then(column.cast(pl.Int64, strict=False).cast(pl.String)).otherwise(column.cast(pl.String))
        return text.alias(name)
    if isinstance(dtype, pl.Decimal):
        if (dtype.scale or 0) == 0:
            return column.cast(pl.Int128).cast(pl.String).alias(name)
        return column.cast(pl.String).alias(name)
    if dtype.is_integer() or isinstance(dtype, pl.Null):
        return column.cast(pl.String).alias(name)
    return _null_tokens(column.cast(pl.String)).alias(name)


def _text_expr(name: str) -> pl.Expr:
    return _null_tokens(pl.col(name).cast(pl.String)).alias(name)


def _flag_exprs(name: str, dtype: pl.DataType) -> list[pl.Expr]:
    """The flag as Boolean, and ``<name>__raw`` holding the text of values that are not flags."""
    column = pl.col(name)
    if isinstance(dtype, pl.Boolean):
        return [column, pl.lit(None, pl.String).alias(f"{name}__raw")]
    text = _null_tokens(column.cast(pl.String)).str.to_uppercase()
    value = pl.when(text.is_in(_TRUE)).then(True).when(text.is_in(_FALSE)).then(False).otherwise(None)
    bad = pl.when(text.is_not_null() & value.is_null()).then(column.cast(pl.String)).otherwise(None)
    return [value.alias(name), bad.alias(f"{name}__raw")]


def _date_exprs(name: str, dtype: pl.DataType) -> list[pl.Expr]:
    """The date as Date, ``<name>__st`` (0 fine or missing, 1 before 1950, 2 not a date) and
    ``<name>__raw`` (the text given, where it is not a usable date)."""
    column = pl.col(name)
    if isinstance(dtype, pl.Date):
        parsed = column
        text = column.cast(pl.String)
        unreadable = pl.lit(False)
    elif isinstance(dtype, pl.Datetime):
        parsed = column.dt.date()
        text = column.cast(pl.String)
        unreadable = pl.lit(False)
    elif isinstance(dtype, pl.Null):
        parsed = column.cast(pl.Date)
        text = column.cast(pl.String)
        unreadable = pl.lit(False)
    else:
        text = _null_tokens(column.cast(pl.String))
        iso = text.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
        tail_ok = (text.str.len_bytes() == 10) | text.str.slice(10).str.contains(_TIME_TAIL)
        parts = text.str.extract_groups(_UK_DATE)
        uk = pl.format(
            "{}-{}-{}",
            parts.struct.field("3"),
            parts.struct.field("2").str.zfill(2),
            parts.struct.field("1").str.zfill(2),
        ).str.to_date("%Y-%m-%d", strict=False)
        slash = text.str.contains("/", literal=True)
        parsed = pl.when(slash).then(uk).when(tail_ok).then(iso).otherwise(None)
        unreadable = text.is_not_null() & parsed.is_null()
    early = parsed < pl.lit(_EARLIEST)
    status = pl.when(unreadable).then(2).when(early).then(1).otherwise(0).cast(pl.Int8)
    return [
        pl.when(early).then(None).otherwise(parsed).alias(name),
        status.alias(f"{name}__st"),
        pl.when(status > 0).then(text).otherwise(None).alias(f"{name}__raw"),
    ]


def _fast_iso(frame: pl.DataFrame, name: str) -> bool:
    """Whether a String date column is all ``YYYY-MM-DD`` or ``YYYY-MM-DD hh:mm:ss[.fff]``:
    then the general parser (with its slower regular expressions) is not needed."""
    column = frame.get_column(name)
    if column.dtype != pl.String:
        return False
    probe = frame.select(
        ok=pl.col(name).is_null()
        | pl.col(name).str.contains(r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)?$")
    )
    return bool(probe["ok"].all())


def _fast_date_exprs(name: str) -> list[pl.Expr]:
    parsed = pl.col(name).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
    unreadable = pl.col(name).is_not_null() & parsed.is_null()  # 2024-02-30
    early = parsed < pl.lit(_EARLIEST)
    status = pl.when(unreadable).then(2).when(early).then(1).otherwise(0).cast(pl.Int8)
    return [
        pl.when(early).then(None).otherwise(parsed).alias(name),
        status.alias(f"{name}__st"),
        pl.when(status > 0).then(pl.col(name)).otherwise(None).alias(f"{name}__raw"),
    ]


# --------------------------------------------------------------------------------------------
# Findings


class _Findings:
    """Collects findings frames (lazy or eager) to stack at the end."""

    def __init__(self, tables: dict[str, _Table]) -> None:
        self.tables = tables
        self.parts: list[pl.LazyFrame] = []
        self.loose: list[dict[str, object]] = []

    def table_level(self, source: str, column: str | None, code: str, action: str, message: str) -> None:
        self.loose.append(
            {"source": source, "row": None, "column": column, "code": code, "action": action, "message": message}
        )

    def rows(
        self,
        table: str,
        frame: pl.LazyFrame,
        *,
        column: str | None,
        code: str,
        action: str | pl.Expr,
        message: pl.Expr,
    ) -> None:
        """One finding per row of ``frame`` (a filtered view of the table, with ``_row``)."""
        t = self.tables[table]
        self.parts.append(
            frame.select(
                source=pl.lit(t.label, pl.String),
                row=(pl.col("_row").cast(pl.Int64) + t.offset),
                column=pl.lit(column, pl.String),
                code=pl.lit(code, pl.String),
                action=action if isinstance(action, pl.Expr) else pl.lit(action, pl.String),
                message=message.cast(pl.String),
            )
        )


def _fmt(template: str, *args: pl.Expr | str) -> pl.Expr:
    return pl.format(template, *[pl.col(a) if isinstance(a, str) else a for a in args])


def _show(expr: pl.Expr) -> pl.Expr:
    """A value for a message: its text, or 'null'."""
    return expr.cast(pl.String).fill_null("null")


# --------------------------------------------------------------------------------------------
# The importer


def read_ssd(
    source: object,
    *,
    as_of: _dt.date | None = None,
    tables: Sequence[str] | Mapping[str, str] | None = None,
    strategy_discussions: bool = False,
    allocations: bool = True,
    schema: str | None = None,
    encoding: str = "utf8",
    provenance: bool = False,
) -> Imported:
    """Read Standard Safeguarding Dataset tables as a cinscope events frame.

    Parameters
    ----------
    source
        Where the tables are: a folder of CSV and/or Parquet files named after the tables
        (``ssd_cin_episodes.csv``, ``ssd_cin_visits.parquet``...); a mapping of table name to
        Polars DataFrame or LazyFrame; an open DB-API or SQLAlchemy connection (read with
        ``pl.read_database``); or a database URI such as ``sqlite:///ssd.db`` or
        ``mssql://...`` (read with ``pl.read_database_uri``; SQLite needs the ``database``
        extra, ``pip install 'cinscope[database]'``).
    as_of
        The extract date. Events after it are kept and reported (``DQ015``); the scorer does
        not count them.
    tables
        Which tables to read (default: all that :data:`SSD_TABLES` lists and the source has).
        A mapping also gives each table's name in the source (a file stem, a frame's key or a
        database table, e.g. ``{"ssd_cin_episodes": "dbo.ssd_cin_episodes"}``).
        ``ssd_cin_episodes`` is always needed.
    strategy_discussions
        Also give a ``strategy_discussion`` on each enquiry's start date (the SSD defines the
        enquiry's start as the strategy discussion that started it).
    allocations
        Give an ``allocated`` event for each involvement's start (``ssd_involvements``). The
        involvements label events with the team and worker either way.
    schema
        A database schema to prefix to table names (``dbo``, ``ssd_development``...).
    encoding
        The encoding of CSV files: ``utf8`` (default; a byte-order mark is fine), or e.g.
        ``cp1252`` for a Windows export.
    provenance
        Add ``source`` and ``source_row`` to the events, naming the row each came from as the
        findings name rows: the file (``ssd_cin_visits.csv``) or table, and the row a person
        sees (a CSV's line, its header being line 1; the 1-based position otherwise).

    Returns
    -------
    Imported
        ``events`` (``child_id``, ``event``, ``date``, ``episode_id``, ``qualifier``,
        ``team``, ``worker``), ``findings`` (one per row not read as given; codes in
        :data:`FINDING_CODES`) and ``counts`` (rows read per table).

    Raises
    ------
    SchemaError
        A required table or column is missing, or the source is of a kind that cannot be read.
    DataError
        A file or table cannot be read (not CSV or Parquet, not UTF-8...), naming it and, for
        an encoding problem, the line.

    Examples
    --------
    >>> import datetime as dt
    >>> import polars as pl
    >>> import cinscope as cs
    >>> episodes = pl.DataFrame({
    ...     "cine_referral_id": ["R1"], "cine_person_id": ["P1"],
    ...     "cine_referral_date": ["2024-12-10 00:00:00.000"], "cine_close_date": [None],
    ... })
    >>> assessments = pl.DataFrame({
    ...     "cina_assessment_id": ["A1"], "cina_person_id": ["P1"], "cina_referral_id": ["R1"],
    ...     "cina_assessment_start_date": ["2024-12-11 00:00:00.000"],
    ...     "cina_assessment_auth_date": ["1900-01-01 00:00:00.000"],
    ... })
    >>> ssd = cs.read_ssd({"ssd_cin_episodes": episodes, "ssd_cin_assessments": assessments,
    ...                    "ssd_person": pl.DataFrame({"pers_person_id": ["P1"]})},
    ...                   tables=["ssd_cin_episodes", "ssd_cin_assessments", "ssd_person"])
    >>> ssd.events.select("child_id", "event", "date", "episode_id").rows()
    [('P1', 'referral', datetime.date(2024, 12, 10), 'R1'), ('P1', 'assessment_start', datetime.date(2024, 12, 11), 'R1')]
    >>> ssd.findings.select("source", "row", "column", "code").rows()
    [('ssd_cin_assessments', 1, 'cina_assessment_auth_date', 'SSD001')]
    """
    if as_of is not None and not isinstance(as_of, _dt.date):
        raise SchemaError(f"as_of must be a date, got {type(as_of).__name__}")
    if isinstance(as_of, _dt.datetime):
        as_of = as_of.date()
    wanted = _wanted_tables(tables)
    reader = _reader(source, schema, encoding)
    loaded, absent = _load(reader, wanted)
    findings = _Findings(loaded)
    for table, why in absent:
        findings.table_level(table, None, "SSD008", "skipped", why)
    return _build(
        loaded,
        findings,
        as_of=as_of,
        strategy_discussions=strategy_discussions,
        allocations=allocations,
        provenance=provenance,
    )


def _wanted_tables(tables: Sequence[str] | Mapping[str, str] | None) -> dict[str, tuple[str, bool]]:
    """SSD table -> (name in the source, named by the caller)."""
    if tables is None:
        return {t: (t, False) for t in SSD_TABLES}
    if isinstance(tables, str):
        raise SchemaError("tables must be a list of table names or a mapping, not a single string")
    if isinstance(tables, Mapping):
        chosen = {str(k).lower(): (str(v), True) for k, v in tables.items()}
    else:
        chosen = {str(t).lower(): (str(t), True) for t in tables}
    unknown = sorted(set(chosen) - set(SSD_TABLES))
    if unknown:
        raise SchemaError(
            f"tables: {', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not read by read_ssd; "
            f"it reads {', '.join(SSD_TABLES)}"
        )
    for required in _REQUIRED_TABLES:
        if required not in chosen:
            raise SchemaError(f"tables: {required} is required (it gives the referrals and the episodes)")
    return {t: chosen[t] for t in SSD_TABLES if t in chosen}


def _what_missing_means(table: str) -> str:
    return {
        "ssd_person": "person ids are not checked against ssd_person",
        "ssd_cin_assessments": "no assessment_start or assessment_authorised events",
        "ssd_cin_plans": "no cin_plan_start or cin_plan_end events",
        "ssd_cin_visits": "no visits from Child in Need case notes",
        "ssd_s47_enquiry": "no s47_start or s47_end events",
        "ssd_initial_cp_conference": "no icpc events",
        "ssd_cp_plans": "no cp_plan_start or cp_plan_end events; no plan derived as a step down from child protection",
        "ssd_cp_visits": "no child protection visits",
        "ssd_cp_reviews": "no cp_review events",
        "ssd_cla_episodes": "no looked_after events; no plan derived as a return home",
        "ssd_cla_visits": "no looked-after visits",
        "ssd_involvements": "no allocated events; events take the team and worker of their own row only",
        "ssd_department": "team ids are not replaced by team names",
        "ssd_professionals": "worker ids are not replaced by names",
    }[table]


def _load(reader: _Reader, wanted: dict[str, tuple[str, bool]]) -> tuple[dict[str, _Table], list[tuple[str, str]]]:
    loaded: dict[str, _Table] = {}
    absent: list[tuple[str, str]] = []
    for table, (name, named) in wanted.items():
        label = reader.locate(table, name)
        if label is None:
            where = {"folder": "no file", "frames": "no frame", "database": "no table"}.get(reader.kind, "nothing")
            if table in _REQUIRED_TABLES or named:
                hint = ""
                if isinstance(reader, _DatabaseReader) and name in reader.errors:
                    hint = f" ({reader.errors[name]})"
                raise SchemaError(f"required table {name} not found: {where} named {name}{hint}")
            absent.append((table, f"table {name} not found ({where} of that name): {_what_missing_means(table)}"))
            continue
        available = reader.columns(table, name)
        by_clean: dict[str, str] = {}
        for column in available:
            by_clean.setdefault(_clean_header(column), column)
        resolved: dict[str, str] = {}
        for col in _SPEC[table]:
            for candidate in col.sources:
                if candidate in by_clean:
                    resolved[col.name] = by_clean[candidate]
                    break
            else:
                if col.required:
                    raise SchemaError(
                        f"{label}: required column {' or '.join(col.sources)} is missing "
                        f"(columns present: {', '.join(available[:40]) or 'none'})"
                    )
        if table in _ONE_OF and not any(c in resolved for c in _ONE_OF[table]):
            names = [
                " or ".join(col.sources) for col in _SPEC[table] if col.name in _ONE_OF[table]
            ]
            raise SchemaError(f"{label}: needs one of the columns {', '.join(names)} to place each row with a child")
        raw = reader.read(table, name, list(resolved.values()))
        raw = raw.rename({source: internal for internal, source in resolved.items()})
        frame = _normalise(raw, table)
        loaded[table] = _Table(
            name=table,
            label=label,
            offset=reader.row_offset(table, name),
            frame=frame,
            columns={internal: _clean_header(source) for internal, source in resolved.items()},
        )
    return loaded, absent


def _any(frame: pl.DataFrame, expr: pl.Expr) -> bool:
    return bool(frame.select(expr.any()).item())


def _normalise(raw: pl.DataFrame, table: str) -> pl.DataFrame:
    """Each column in its kind's dtype. The common spellings take a fast path (ids without
    surrounding spaces, flags spelt exactly Y/N/Yes/No, ISO dates); the general parsing runs
    only on a column that needs it."""
    exprs: list[pl.Expr] = [pl.col("_row")]
    for col in _SPEC[table]:
        if col.name not in raw.columns:
            continue
        dtype = raw.schema[col.name]
        column = pl.col(col.name)
        if col.kind == "id":
            if dtype.is_integer() and dtype != pl.UInt64:
                exprs.append(column.cast(pl.Int64))
            elif dtype == pl.String and not _any(raw, column.str.starts_with(" ") | column.str.ends_with(" ")):
                exprs.append(pl.when(column.is_in(_NULL_TOKENS)).then(None).otherwise(column).alias(col.name))
            else:
                exprs.append(_id_expr(col.name, dtype))
        elif col.kind == "text":
            exprs.append(_text_expr(col.name))
        elif col.kind == "flag":
            fast = (
                pl.when(column.is_in(("Y", "Yes"))).then(True)
                .when(column.is_in(("N", "No"))).then(False)
                .otherwise(None)
            )
            if dtype == pl.String and not _any(raw, column.is_not_null() & fast.is_null()):
                exprs.extend([fast.alias(col.name), pl.lit(None, pl.String).alias(f"{col.name}__raw")])
            else:
                exprs.extend(_flag_exprs(col.name, dtype))
        elif _fast_iso(raw, col.name):
            exprs.extend(_fast_date_exprs(col.name))
        else:
            exprs.extend(_date_exprs(col.name, dtype))
    return raw.with_row_index("_row").select(exprs)


#: Id columns that are compared with each other across tables: each group is held as Int64
#: when every value in it is the decimal text of an integer (as SSD ids normally are, and as
#: Mosaic's numeric ids arrive), else as String. Integer keys make the joins and look-ups of
#: a national extract several times faster; child_id and episode_id are text in the result.
_DOMAINS: dict[str, tuple[tuple[str, str], ...]] = {
    "person": tuple((t, "person") for t in _SPEC if any(c.name == "person" for c in _SPEC[t])),
    "referral": tuple((t, "referral") for t in _SPEC if any(c.name == "referral" for c in _SPEC[t])),
    "cin_plan": (("ssd_cin_plans", "plan"), ("ssd_cin_visits", "plan")),
    "cp_plan": (("ssd_cp_plans", "plan"), ("ssd_cp_visits", "plan"), ("ssd_cp_reviews", "plan")),
    "visit": (("ssd_cin_visits", "visit"), ("ssd_cp_visits", "visit"), ("ssd_cla_visits", "visit")),
}


def _canonical_integers(values: pl.Series) -> pl.Series | None:
    """The values as Int64 when each is the exact decimal text of an integer (no '+', spaces
    or leading zeros: two texts never give one number), else None."""
    if values.dtype == pl.Int64:
        return values
    number = values.cast(pl.Int64, strict=False)
    if number.null_count() != values.null_count():
        return None
    # The text is the number's own (no '+', spaces or leading zeros): two texts never give
    # one number.
    same = number.cast(pl.String) == values
    if not bool(same.fill_null(True).all()):
        return None
    return number


def _unify_ids(tables: dict[str, _Table]) -> dict[str, pl.DataType]:
    """Each id domain's columns in one dtype (Int64 when all are integers, else String); the
    dtype of each domain."""
    dtypes: dict[str, pl.DataType] = {}
    for domain, members in _DOMAINS.items():
        present = [(tables[t], c) for t, c in members if t in tables and tables[t].has(c)]
        numbers: list[pl.Series] = []
        for t, c in present:
            converted = _canonical_integers(t.frame.get_column(c))
            if converted is None:
                break
            numbers.append(converted)
        if present and len(numbers) == len(present):
            for (t, c), number in zip(present, numbers):
                t.frame = t.frame.with_columns(number.alias(c))
            dtypes[domain] = pl.Int64()
        else:
            for t, c in present:
                t.frame = t.frame.with_columns(pl.col(c).cast(pl.String))
            dtypes[domain] = pl.String()
    return dtypes


def _row_findings(findings: _Findings, t: _Table) -> None:
    """Findings about single values: placeholder or unreadable dates, flags that are not flags."""
    lazy = t.frame.lazy()
    for col in _SPEC[t.name]:
        if col.name not in t.columns:
            continue
        source_column = t.columns[col.name]
        if col.kind == "date":
            st = pl.col(f"{col.name}__st")
            raw = pl.col(f"{col.name}__raw")
            findings.rows(
                t.name,
                lazy.filter(st == 1),
                column=source_column,
                code="SSD001",
                action="repaired",
                message=_fmt("{} is a placeholder or before 1950: treated as missing", raw),
            )
            findings.rows(
                t.name,
                lazy.filter(st == 2),
                column=source_column,
                code="SSD002",
                action="repaired",
                message=_fmt("'{}' is not a date: treated as missing", raw),
            )
        elif col.kind == "flag":
            raw = pl.col(f"{col.name}__raw")
            findings.rows(
                t.name,
                lazy.filter(raw.is_not_null()),
                column=source_column,
                code="SSD009",
                action="repaired",
                message=_fmt("'{}' is not Y/N or Yes/No: treated as missing", raw),
            )


@dataclass
class _Codes:
    """Small integer codes for tables and source columns in the internal events frame."""

    tables: list[str] = field(default_factory=list)
    columns: list[tuple[str, str]] = field(default_factory=list)  # (table, source column)

    def table(self, name: str) -> int:
        if name not in self.tables:
            self.tables.append(name)
        return self.tables.index(name)

    def column(self, table: str, column: str) -> int:
        key = (table, column)
        if key not in self.columns:
            self.columns.append(key)
        return self.columns.index(key)


def _build(
    tables: dict[str, _Table],
    findings: _Findings,
    *,
    as_of: _dt.date | None,
    strategy_discussions: bool,
    allocations: bool,
    provenance: bool,
) -> Imported:
    codes = _Codes()
    counts = {name: t.frame.height for name, t in tables.items()}
    for t in tables.values():
        _row_findings(findings, t)
        for col in _SPEC[t.name]:
            if col.name in ("seen",) and col.name not in t.columns:
                findings.table_level(
                    t.label, col.sources[0], "SSD008", "kept",
                    f"{t.label} has no {col.sources[0]} column: its visits have no seen/not seen qualifier",
                )

    _resolve_names(tables)
    id_types = _unify_ids(tables)
    episodes = tables["ssd_cin_episodes"]
    referral_ids = episodes.frame.get_column("referral").drop_nulls()
    person_ids = tables["ssd_person"].frame.get_column("person").drop_nulls() if "ssd_person" in tables else None

    # Person and episode of each row, in every event table.
    placed: dict[str, pl.LazyFrame] = {}
    for name, t in tables.items():
        if name in _LOOKUP_TABLES:
            continue
        # Materialised once: every event and finding of the table is read from it.
        placed[name] = _place(t, tables, id_types).collect(engine=_ENGINE).lazy()

    # Checks of ids against ssd_person and ssd_cin_episodes (report, do not drop): the ids of
    # all tables stacked and looked up at once, so that the set of known ids is built once.
    event_tables = [name for name in tables if name not in _LOOKUP_TABLES]
    checks: list[tuple[str, str, pl.Series, str, str]] = []
    if person_ids is not None:
        checks.append(("person", "SSD003", person_ids, "person {} is not in ssd_person", ""))
    checks.append(
        ("referral", "SSD004", referral_ids, "referral {} is not in ssd_cin_episodes; kept as the episode id",
         "ssd_cin_episodes")
    )
    for column, code, known, template, skip in checks:
        having = [n for n in event_tables if tables[n].has(column) and n != skip]
        if not having:
            continue
        stacked = pl.concat(
            [
                tables[n].frame.lazy().select(pl.lit(k, pl.UInt8).alias("_t"), "_row", pl.col(column).alias("_id"))
                for k, n in enumerate(having)
            ],
            how="vertical",
        )
        unknown = stacked.filter(pl.col("_id").is_not_null() & ~pl.col("_id").is_in(known.implode())).collect(engine=_ENGINE)
        for k, n in enumerate(having):
            findings.rows(
                n,
                unknown.lazy().filter(pl.col("_t") == k),
                column=tables[n].columns[column],
                code=code,
                action="kept",
                message=_fmt(template, "_id"),
            )

    parts: list[pl.LazyFrame] = []

    def add(
        table: str,
        frame: pl.LazyFrame,
        event: str,
        date: str,
        qualifier: pl.Expr | None = None,
        labels: bool = True,
    ) -> None:
        t = tables[table]
        src = codes.table(table)
        col = codes.column(table, t.columns[date] if date in t.columns else date)
        parts.append(
            frame.filter(pl.col("child_id").is_not_null() & pl.col(date).is_not_null()).select(
                pl.col("child_id"),
                pl.lit(event, pl.String).alias("event"),
                pl.col(date).alias("date"),
                pl.col("episode_id"),
                (qualifier if qualifier is not None else pl.lit(None, pl.String)).cast(pl.String).alias("qualifier"),
                (pl.col("team") if labels and t.has("team") else pl.lit(None, pl.String)).alias("team"),
                (pl.col("worker") if labels and t.has("worker") else pl.lit(None, pl.String)).alias("worker"),
                pl.lit(src, pl.UInt8).alias("_src"),
                pl.col("_row").cast(pl.UInt32),
                pl.lit(col, pl.UInt16).alias("_col"),
            )
        )

    def no_event(table: str, frame: pl.LazyFrame, condition: pl.Expr, code: str, action: str, message: pl.Expr) -> None:
        findings.rows(table, frame.filter(condition), column=None, code=code, action=action, message=message)

    def unplaced(table: str, frame: pl.LazyFrame, how: str) -> None:
        no_event(
            table, frame, pl.col("child_id").is_null(), "SSD005", "skipped",
            pl.lit(f"no person id ({how}): the row cannot be placed with a child"),
        )

    # ssd_cin_episodes: referral and closure.
    ep = placed["ssd_cin_episodes"]
    add("ssd_cin_episodes", ep, "referral", "referral_date")
    if episodes.has("close_date"):
        reason = pl.col("close_reason").str.to_uppercase().str.replace_all(" ", "") if episodes.has("close_reason") else None
        qualifier = pl.when(reason.is_in(_CLOSURE_REASONS)).then(reason).otherwise(None) if reason is not None else None
        add("ssd_cin_episodes", ep, "closure", "close_date", qualifier)
        if reason is not None:
            findings.rows(
                "ssd_cin_episodes",
                ep.filter(
                    pl.col("child_id").is_not_null() & pl.col("close_date").is_not_null()
                    & pl.col("close_reason").is_not_null() & ~reason.is_in(_CLOSURE_REASONS)
                ),
                column=episodes.columns["close_reason"],
                code="DQ002",
                action="repaired",
                message=_fmt("closure reason '{}' is not RC1-RC9: the closure is kept without a reason", "close_reason"),
            )
    unplaced("ssd_cin_episodes", ep, "cine_person_id is empty")
    _no_date("ssd_cin_episodes", ep, ["referral_date", "close_date"], tables, no_event)

    # ssd_cin_assessments.
    if "ssd_cin_assessments" in tables:
        frame = placed["ssd_cin_assessments"]
        add("ssd_cin_assessments", frame, "assessment_start", "start_date")
        if tables["ssd_cin_assessments"].has("auth_date"):
            add("ssd_cin_assessments", frame, "assessment_authorised", "auth_date")
        unplaced("ssd_cin_assessments", frame, "cina_person_id is empty")
        _no_date("ssd_cin_assessments", frame, ["start_date", "auth_date"], tables, no_event)

    # ssd_cp_plans (before the CIN plans, whose origin they give).
    if "ssd_cp_plans" in tables:
        frame = placed["ssd_cp_plans"]
        add("ssd_cp_plans", frame, "cp_plan_start", "start_date", labels=False)
        if tables["ssd_cp_plans"].has("end_date"):
            add("ssd_cp_plans", frame, "cp_plan_end", "end_date", labels=False)
        unplaced("ssd_cp_plans", frame, "cppl_person_id is empty")
        _no_date("ssd_cp_plans", frame, ["start_date", "end_date"], tables, no_event)

    # ssd_cla_episodes: periods of care.
    cla_ends: pl.LazyFrame | None = None
    if "ssd_cla_episodes" in tables:
        cla_ends = _looked_after(tables, placed["ssd_cla_episodes"], add, no_event, unplaced)

    # ssd_cin_plans: the start's origin derived from a CP plan or a period of care ending then.
    if "ssd_cin_plans" in tables:
        frame = _plan_origin(placed["ssd_cin_plans"], placed.get("ssd_cp_plans"), cla_ends, tables)
        add("ssd_cin_plans", frame, "cin_plan_start", "start_date", pl.col("origin"))
        if tables["ssd_cin_plans"].has("end_date"):
            add("ssd_cin_plans", frame, "cin_plan_end", "end_date")
        unplaced("ssd_cin_plans", frame, "no cinp_person_id, and no cinp_referral_id found in ssd_cin_episodes")
        _no_date("ssd_cin_plans", frame, ["start_date", "end_date"], tables, no_event)

    # ssd_s47_enquiry.
    if "ssd_s47_enquiry" in tables:
        frame = placed["ssd_s47_enquiry"]
        if strategy_discussions:
            add("ssd_s47_enquiry", frame, "strategy_discussion", "start_date")
        add("ssd_s47_enquiry", frame, "s47_start", "start_date")
        if tables["ssd_s47_enquiry"].has("end_date"):
            add("ssd_s47_enquiry", frame, "s47_end", "end_date")
        unplaced("ssd_s47_enquiry", frame, "s47e_person_id is empty")
        _no_date("ssd_s47_enquiry", frame, ["start_date", "end_date"], tables, no_event)

    # ssd_initial_cp_conference: a conference with no date is only scheduled.
    if "ssd_initial_cp_conference" in tables:
        frame = placed["ssd_initial_cp_conference"]
        add("ssd_initial_cp_conference", frame, "icpc", "date")
        unplaced("ssd_initial_cp_conference", frame, "icpc_person_id is empty")
        no_event(
            "ssd_initial_cp_conference", frame, pl.col("child_id").is_not_null() & pl.col("date").is_null(),
            "SSD007", "not_an_event", pl.lit("no icpc_icpc_date: a conference scheduled, not (yet) held"),
        )

    # ssd_cp_reviews: a review with no date is only due.
    if "ssd_cp_reviews" in tables:
        frame = placed["ssd_cp_reviews"]
        add("ssd_cp_reviews", frame, "cp_review", "date", labels=False)
        unplaced("ssd_cp_reviews", frame, "no cppr_person_id, and no cppr_cp_plan_id found in ssd_cp_plans")
        no_event(
            "ssd_cp_reviews", frame, pl.col("child_id").is_not_null() & pl.col("date").is_null(),
            "SSD007", "not_an_event", pl.lit(f"no {tables['ssd_cp_reviews'].columns['date']}: a review due, not (yet) held"),
        )

    # ssd_involvements: allocations.
    if "ssd_involvements" in tables:
        frame = placed["ssd_involvements"]
        if allocations:
            add("ssd_involvements", frame, "allocated", "start_date")
            unplaced("ssd_involvements", frame, "no invo_person_id, and no invo_referral_id found in ssd_cin_episodes")
            _no_date("ssd_involvements", frame, ["start_date"], tables, no_event)
        else:
            findings.table_level(
                tables["ssd_involvements"].label, None, "SSD007", "not_an_event",
                "allocations=False: the involvements label events with a team and worker and give no allocated events",
            )

    # Visits from the three visit tables, one event per visit id and date.
    visit_tables: list[str] = [v for v in ("ssd_cin_visits", "ssd_cp_visits", "ssd_cla_visits") if v in tables]
    if visit_tables:
        _visits(visit_tables, tables, placed, codes, parts, findings, id_types["visit"])

    # Each part materialised and completed (episode, team and worker where its rows have none)
    # before the parts are stacked: the findings below read the events, and the lookups then
    # touch only the parts that need them.
    lookups = _Lookups(tables, placed)
    completed = [lookups.complete(part.collect(engine=_ENGINE)) for part in parts]
    gathered = pl.concat(completed, how="vertical") if completed else pl.DataFrame(schema=_EVENT_SCHEMA)
    events = gathered.lazy()

    if as_of is not None:
        late = events.filter(pl.col("date") > pl.lit(as_of))
        table_labels = pl.Series([tables[n].label for n in codes.tables], dtype=pl.String)
        offsets = pl.Series([tables[n].offset for n in codes.tables], dtype=pl.Int64)
        column_names = pl.Series([c for _, c in codes.columns], dtype=pl.String)
        findings.parts.append(
            late.select(
                source=pl.col("_src").cast(pl.Int64).replace_strict(pl.int_range(len(table_labels), eager=True), table_labels),
                row=pl.col("_row").cast(pl.Int64)
                + pl.col("_src").cast(pl.Int64).replace_strict(pl.int_range(len(offsets), eager=True), offsets),
                column=pl.col("_col").cast(pl.Int64).replace_strict(pl.int_range(len(column_names), eager=True), column_names),
                code=pl.lit("DQ015"),
                action=pl.lit("kept"),
                message=pl.format(
                    "{} on {} is after the as-of date {}: kept; the scorer does not count it",
                    pl.col("event"), pl.col("date"), pl.lit(as_of.isoformat()),
                ),
            )
        )

    outputs = [events, *findings.parts]
    collected = pl.collect_all(outputs, engine=_ENGINE)
    events_df = collected[0]
    finding_frames = [f for f in collected[1:] if f.height]
    if findings.loose:
        finding_frames.insert(0, pl.DataFrame(findings.loose, schema=FINDINGS_SCHEMA))
    findings_df = (
        pl.concat([f.cast(FINDINGS_SCHEMA) for f in finding_frames], how="vertical") if finding_frames else empty_findings()  # type: ignore[arg-type]
    )

    if provenance:
        labels = pl.Series([tables[n].label for n in codes.tables], dtype=pl.String)
        offsets = pl.Series([tables[n].offset for n in codes.tables], dtype=pl.Int64)
        index = pl.int_range(len(labels), eager=True)
        events_df = events_df.with_columns(
            source=pl.col("_src").cast(pl.Int64).replace_strict(index, labels),
            source_row=pl.col("_row").cast(pl.Int64) + pl.col("_src").cast(pl.Int64).replace_strict(index, offsets),
        )
    events_df = events_df.drop("_src", "_row", "_col").with_columns(
        pl.col("child_id").cast(pl.String), pl.col("episode_id").cast(pl.String)
    )
    kinds = set(SOURCE_EVENTS["ssd"])
    if strategy_discussions:
        kinds.add("strategy_discussion")
    if not allocations:
        kinds.discard("allocated")
    return Imported(
        events=events_df, findings=findings_df, source_format="ssd", as_of=as_of, counts=counts,
        source_events=frozenset(kinds),
    )


def _no_date(
    table: str,
    frame: pl.LazyFrame,
    dates: list[str],
    tables: dict[str, _Table],
    no_event: Callable[[str, pl.LazyFrame, pl.Expr, str, str, pl.Expr], None],
) -> None:
    """SSD006 for rows placed with a child but with none of their event dates."""
    t = tables[table]
    present = [d for d in dates if t.has(d)]
    condition = pl.col("child_id").is_not_null()
    for d in present:
        condition = condition & pl.col(d).is_null()
    names = " and ".join(t.columns[d] for d in present)
    no_event(table, frame, condition, "SSD006", "skipped", pl.lit(f"no {names}: no event"))


def _lookup(frame: pl.LazyFrame, key: str, keep: dict[str, str]) -> pl.LazyFrame:
    """One row per non-null ``key`` (the first), with the ``keep`` columns renamed."""
    return (
        frame.filter(pl.col(key).is_not_null())
        .select(pl.col(key), *[pl.col(k).alias(v) for k, v in keep.items()])
        .unique(subset=[key], keep="first", maintain_order=True)
    )


def _place(t: _Table, tables: dict[str, _Table], id_types: dict[str, pl.DataType]) -> pl.LazyFrame:
    """The table with ``child_id`` and ``episode_id``: from its own columns, else through the
    plan or referral it names (the Mosaic builds)."""
    frame = t.frame.lazy()
    child = pl.col("person") if t.has("person") else pl.lit(None, id_types["person"])
    episode = pl.col("referral") if t.has("referral") else pl.lit(None, id_types["referral"])
    frame = frame.with_columns(child_id=child, episode_id=episode)
    episodes = tables["ssd_cin_episodes"].frame.lazy()

    def through(key: str, lookup: pl.LazyFrame, lookup_key: str, person: str | None, referral: str | None) -> None:
        nonlocal frame
        keep: dict[str, str] = {}
        if person:
            keep[person] = "_via_person"
        if referral:
            keep[referral] = "_via_referral"
        found = _lookup(lookup, lookup_key, keep).rename({lookup_key: key})
        frame = frame.join(found, on=key, how="left", maintain_order="left")
        updates: list[pl.Expr] = []
        if person:
            updates.append(pl.coalesce("child_id", "_via_person").alias("child_id"))
        if referral:
            updates.append(pl.coalesce("episode_id", "_via_referral").alias("episode_id"))
        frame = frame.with_columns(updates).drop(list(keep.values()))

    if t.name in ("ssd_cin_plans", "ssd_involvements") and t.has("referral") and not t.has("person"):
        through("referral", episodes, "referral", "person", None)
    if t.name == "ssd_cin_visits" and t.has("plan") and "ssd_cin_plans" in tables:
        plans = tables["ssd_cin_plans"]
        if plans.has("plan"):
            plan_frame = plans.frame.lazy()
            if not plans.has("person"):
                plan_frame = _place(plans, tables, id_types).with_columns(person=pl.col("child_id"))
            through(
                "plan", plan_frame, "plan",
                "person" if (plans.has("person") or plans.has("referral")) else None,
                "referral" if plans.has("referral") else None,
            )
    if t.name in ("ssd_cp_visits", "ssd_cp_reviews") and t.has("plan") and "ssd_cp_plans" in tables:
        cp = tables["ssd_cp_plans"]
        if cp.has("plan"):
            through("plan", cp.frame.lazy(), "plan", "person", "referral" if cp.has("referral") else None)
    return frame


def _plan_origin(
    plans: pl.LazyFrame,
    cp_plans: pl.LazyFrame | None,
    cla_ends: pl.LazyFrame | None,
    tables: dict[str, _Table],
) -> pl.LazyFrame:
    """``origin``: step_down_cp when a CP plan of the child ended within one working day of the
    plan's start; return_home_planned/unplanned when a period of care ended E4A/E4B that day;
    otherwise assessment."""
    origin = pl.lit("assessment", pl.String)
    starts = plans.select("_row", "child_id", "start_date").filter(
        pl.col("child_id").is_not_null() & pl.col("start_date").is_not_null()
    )
    flags: list[pl.LazyFrame] = []
    if cp_plans is not None and tables["ssd_cp_plans"].has("end_date"):
        cal = default_calendar()
        lo, hi = cal.first_date, cal.last_date
        ends = cp_plans.select("child_id", cp_end="end_date").filter(
            pl.col("child_id").is_not_null() & pl.col("cp_end").is_not_null()
        ).unique()
        pairs = starts.join(ends, on="child_id", how="inner").filter(
            (pl.col("cp_end") - pl.col("start_date")).dt.total_days().abs() <= 7
        )
        first = pl.min_horizontal("start_date", "cp_end")
        last = pl.max_horizontal("start_date", "cp_end")
        in_range = (first >= pl.lit(lo)) & (last <= pl.lit(hi))
        within = pl.when(in_range).then(
            count_working_days(
                pl.when(in_range).then(first).otherwise(pl.lit(lo)),
                pl.when(in_range).then(last).otherwise(pl.lit(lo)),
            )
            <= 1
        ).otherwise(pl.col("cp_end") == pl.col("start_date"))
        flags.append(pairs.filter(within).select("_row", _o=pl.lit(0, pl.Int8)))
    if cla_ends is not None:
        ends = cla_ends.filter(pl.col("end_qualifier").is_in(["return_home_planned", "return_home_unplanned"]))
        pairs = starts.join(
            ends.select("child_id", start_date="end_date", q="end_qualifier"), on=["child_id", "start_date"], how="inner"
        )
        flags.append(
            pairs.select(
                "_row", _o=pl.when(pl.col("q") == "return_home_planned").then(1).otherwise(2).cast(pl.Int8)
            )
        )
    if not flags:
        return plans.with_columns(origin=origin)
    best = pl.concat(flags).group_by("_row").agg(pl.col("_o").min())
    named = (
        pl.when(pl.col("_o") == 0).then(pl.lit("step_down_cp"))
        .when(pl.col("_o") == 1).then(pl.lit("return_home_planned"))
        .when(pl.col("_o") == 2).then(pl.lit("return_home_unplanned"))
        .otherwise(origin)
    )
    return plans.join(best, on="_row", how="left", maintain_order="left").with_columns(origin=named).drop("_o").collect(engine=_ENGINE).lazy()


def _looked_after(
    tables: dict[str, _Table],
    frame: pl.LazyFrame,
    add: Callable[..., None],
    no_event: Callable[[str, pl.LazyFrame, pl.Expr, str, str, pl.Expr], None],
    unplaced: Callable[[str, pl.LazyFrame, str], None],
) -> pl.LazyFrame:
    """looked_after_start at the first episode of each period of care, looked_after_end at the
    ceased date of its last (unless that ceased 'X1', care continuing). Returns the ends."""
    t = tables["ssd_cla_episodes"]
    name = "ssd_cla_episodes"
    start_reason = pl.col("start_reason").str.to_uppercase() if t.has("start_reason") else pl.lit(None, pl.String)
    ceased_reason = (
        pl.col("ceased_reason").str.to_uppercase().str.replace_all(" ", "") if t.has("ceased_reason") else pl.lit(None, pl.String)
    )
    ceased = pl.col("ceased_date") if t.has("ceased_date") else pl.lit(None, pl.Date)
    ordered = frame.with_columns(_sr=start_reason, _cr=ceased_reason, ceased_date=ceased)
    # Periods: clae_cla_id when given; otherwise a period starts at a start reason S, or after an
    # episode that ceased with a reason other than X1.
    dated = ordered.filter(pl.col("child_id").is_not_null() & pl.col("start_date").is_not_null())
    # One window at a time: a window inside another is evaluated group by group.
    dated = dated.sort(["child_id", "start_date", "_row"]).with_columns(
        _n=pl.col("_row").cum_count().over("child_id"), _prev=pl.col("_cr").shift(1).over("child_id")
    )
    new = (pl.col("_n") == 1) | (pl.col("_sr") == "S") | (pl.col("_prev").is_not_null() & (pl.col("_prev") != "X1"))
    dated = dated.with_columns(_new=new.cast(pl.Int32)).with_columns(_k=pl.col("_new").cum_sum().over("child_id"))
    # The period: clae_cla_id where given, else the derived number (shown as '#n').
    if t.has("cla"):
        dated = dated.with_columns(_pcla=pl.col("cla"), _pk=pl.when(pl.col("cla").is_null()).then(pl.col("_k")).otherwise(-1))
    else:
        dated = dated.with_columns(_pcla=pl.lit(None, pl.String), _pk=pl.col("_k"))
    key = ["child_id", "_pcla", "_pk"]
    period_name = pl.coalesce(pl.col("_pcla").cast(pl.String), pl.format("#{}", pl.col("_pk")))
    dated = dated.with_columns(
        _first=pl.col("_row").first().over(key) == pl.col("_row"),
        _last=pl.col("_row").last().over(key) == pl.col("_row"),
    )
    end_qualifier = (
        pl.when(pl.col("_cr") == "E4A").then(pl.lit("return_home_planned"))
        .when(pl.col("_cr") == "E4B").then(pl.lit("return_home_unplanned"))
        .when(pl.col("_cr").is_not_null()).then(pl.lit("other"))
        .otherwise(None)
    )
    ends_here = pl.col("_last") & pl.col("ceased_date").is_not_null() & (pl.col("_cr").fill_null("") != "X1")
    dated = dated.with_columns(
        _start=pl.when(pl.col("_first")).then(pl.col("start_date")).otherwise(None),
        _end=pl.when(ends_here).then(pl.col("ceased_date")).otherwise(None),
        end_qualifier=end_qualifier,
    ).collect(engine=_ENGINE).lazy()
    add(name, dated.with_columns(start_date=pl.col("_start")), "looked_after_start", "start_date")
    if t.has("ceased_date"):
        add(name, dated.with_columns(ceased_date=pl.col("_end")), "looked_after_end", "ceased_date", pl.col("end_qualifier"))
    unplaced(name, frame, "clae_person_id is empty")
    no_event(
        name, frame, pl.col("child_id").is_not_null() & pl.col("start_date").is_null(), "SSD006", "skipped",
        pl.lit(f"no {t.columns['start_date']}: the episode cannot be placed in a period of care"),
    )
    middle = dated.filter(pl.col("_start").is_null() & pl.col("_end").is_null())
    why = (
        pl.when(~pl.col("_last"))
        .then(pl.format("a change within the period of care {} (start reason {}): not an event", period_name, _show(pl.col("_sr"))))
        .when(pl.col("ceased_date").is_null())
        .then(pl.format("the last episode of the period of care {} has not ceased: still looked after", period_name))
        .otherwise(pl.format("the period of care {} continues (ceased reason X1)", period_name))
    )
    no_event(name, middle, pl.lit(True), "SSD007", "not_an_event", why)
    return dated.filter(pl.col("_end").is_not_null()).select("child_id", end_date="_end", end_qualifier="end_qualifier")


def _visits(
    visit_tables: list[str],
    tables: dict[str, _Table],
    placed: dict[str, pl.LazyFrame],
    codes: _Codes,
    parts: list[pl.LazyFrame],
    findings: _Findings,
    visit_type: pl.DataType,
) -> None:
    frames: list[pl.LazyFrame] = []
    for name in visit_tables:
        t = tables[name]
        seen = pl.col("seen") if t.has("seen") else pl.lit(None, pl.Boolean)
        alone = pl.col("seen_alone") if t.has("seen_alone") else pl.lit(None, pl.Boolean)
        qualifier = (
            pl.when(seen & alone.fill_null(False)).then(pl.lit("seen_alone"))
            .when(seen).then(pl.lit("seen"))
            .when(~seen).then(pl.lit("not_seen"))
            .otherwise(None)
        )
        frames.append(
            placed[name].select(
                pl.col("child_id"),
                pl.lit("visit", pl.String).alias("event"),
                pl.col("date"),
                pl.col("episode_id"),
                qualifier.alias("qualifier"),
                pl.lit(None, pl.String).alias("team"),
                pl.lit(None, pl.String).alias("worker"),
                pl.lit(codes.table(name), pl.UInt8).alias("_src"),
                pl.col("_row").cast(pl.UInt32),
                pl.lit(codes.column(name, t.columns["date"]), pl.UInt16).alias("_col"),
                (pl.col("visit") if t.has("visit") else pl.lit(None, visit_type)).alias("_visit"),
            )
        )
    usable = pl.col("child_id").is_not_null() & pl.col("date").is_not_null()
    every = pl.concat(frames, how="vertical").collect(engine=_ENGINE)
    # The first usable row of each visit id and date (in the order ssd_cin_visits,
    # ssd_cp_visits, ssd_cla_visits) gives the event; the others are reported. Only an id
    # that occurs more than once can repeat a visit, so only those few rows are grouped.
    group = ["_visit", "date"]
    key = pl.col("_src").cast(pl.UInt64) * (1 << 32) + pl.col("_row").cast(pl.UInt64)
    repeats = (
        every.lazy()
        .filter(usable & pl.col("_visit").is_not_null())
        .filter(pl.col("_visit").is_duplicated())
        .with_columns(
            _keep=pl.struct(group).is_first_distinct(),
            _first_src=pl.col("_src").first().over(group),
            _first_row=pl.col("_row").first().over(group),
        )
        .filter(~pl.col("_keep"))
        .with_columns(_key=key)
        .collect(engine=_ENGINE)
    )
    kept = every.lazy().filter(usable)
    if repeats.height:
        kept = kept.filter(~key.is_in(repeats.get_column("_key").implode()))
    parts.append(kept.select(list(_EVENT_SCHEMA)))
    visits = every.lazy()
    labels = pl.Series([tables[n].label for n in codes.tables], dtype=pl.String)
    offsets = pl.Series([tables[n].offset for n in codes.tables], dtype=pl.Int64)
    index = pl.int_range(len(labels), eager=True)
    for name in visit_tables:
        t = tables[name]
        code = codes.table(name)
        mine = visits.filter(pl.col("_src") == code)
        findings.rows(
            name,
            repeats.lazy().filter(pl.col("_src") == code),
            column=t.columns.get("visit"),
            code="DQ003",
            action="skipped",
            message=pl.format(
                "visit {} on {} is already read from {} row {}: one event",
                pl.col("_visit"),
                pl.col("date"),
                pl.col("_first_src").cast(pl.Int64).replace_strict(index, labels),
                pl.col("_first_row").cast(pl.Int64) + pl.col("_first_src").cast(pl.Int64).replace_strict(index, offsets),
            ),
        )
        if t.has("seen"):
            findings.rows(
                name,
                mine.filter(usable & pl.col("qualifier").is_null() & ~key.is_in(repeats.get_column("_key").implode())),
                column=t.columns["seen"],
                code="DQ016",
                action="kept",
                message=pl.lit("no seen flag: the visit is kept without a qualifier (the scorer takes it as 'seen')"),
            )
        how = (
            "cinv_person_id is empty" if t.has("person") else "no cinv_person_id column, and cinv_cin_plan_id is not in ssd_cin_plans"
        ) if name == "ssd_cin_visits" else f"{t.columns.get('person', 'no person column')} is empty or its plan unknown"
        findings.rows(
            name, mine.filter(pl.col("child_id").is_null()), column=None, code="SSD005", action="skipped",
            message=pl.lit(f"no person id ({how}): the row cannot be placed with a child"),
        )
        findings.rows(
            name, mine.filter(pl.col("child_id").is_not_null() & pl.col("date").is_null()), column=None,
            code="SSD006", action="skipped", message=pl.lit(f"no {t.columns['date']}: no event"),
        )


#: Days are offset by this much in a combined (child, day) key, and children multiplied by
#: twice it: a key fits Int64 for child numbers below 2**42.
_DAY_SPAN = 1 << 19


def _small_numbers(*frames: pl.DataFrame) -> bool:
    """Whether the child ids of these frames are integers from 0 to 2**42 (then a child and a
    day make one Int64 key)."""
    for frame in frames:
        ids = frame.get_column("child_id")
        if ids.dtype != pl.Int64:
            return False
        low, high = ids.min(), ids.max()
        if low is None:
            continue
        if not isinstance(low, int) or not isinstance(high, int) or low < 0 or high >= 1 << 42:
            return False
    return True


def _day_key(child: pl.Expr, date: pl.Expr) -> pl.Expr:
    return child * (2 * _DAY_SPAN) + (date.cast(pl.Int32).cast(pl.Int64) + _DAY_SPAN)


def _latest_before(
    left: pl.DataFrame, right: pl.DataFrame, *, right_date: str, take: list[str], numeric: bool
) -> pl.DataFrame:
    """For each row of ``left`` (``child_id``, ``date``), the ``take`` columns of the row of
    ``right`` of the same child with the latest ``right_date`` on or before ``date`` (nulls
    when there is none): a frame of ``left``'s height, in its order. Only the key columns are
    sorted and joined, not the events. With ``numeric`` child ids, one sorted Int64 key
    (child, day) replaces the join by child."""
    right = right.filter(pl.col("child_id").is_not_null() & pl.col(right_date).is_not_null())
    days = pl.concat([left.get_column("date").drop_nulls(), right.get_column(right_date)])
    if numeric and not days.is_empty():
        first, last = days.min(), days.max()
        assert isinstance(first, _dt.date) and isinstance(last, _dt.date)
        numeric = abs((first - _dt.date(1970, 1, 1)).days) < _DAY_SPAN and abs((last - _dt.date(1970, 1, 1)).days) < _DAY_SPAN
    if numeric:
        keyed = left.select(
            _key=_day_key(pl.col("child_id"), pl.col("date")), _child=pl.col("child_id")
        ).with_row_index("_i").sort("_key", nulls_last=True)
        found = keyed.join_asof(
            right.select(
                _key=_day_key(pl.col("child_id"), pl.col(right_date)), _found=pl.col("child_id"), **{c: pl.col(c) for c in take}
            ).sort("_key"),
            on="_key",
            strategy="backward",
            check_sortedness=False,
        )
        same = pl.col("_found") == pl.col("_child")
        return found.sort("_i").select([pl.when(same).then(pl.col(c)).otherwise(None).alias(c) for c in take])
    keyed = left.select("child_id", "date").with_row_index("_i").sort("date")
    found = keyed.join_asof(
        right.select("child_id", pl.col(right_date).alias("_key"), *take).sort("_key"),
        left_on="date",
        right_on="_key",
        by="child_id",
        strategy="backward",
        check_sortedness=False,
    )
    return found.sort("_i").select(take)


def _split_fill(frame: pl.DataFrame, mask: pl.Series, fill: Callable[[pl.DataFrame], pl.DataFrame]) -> pl.DataFrame:
    """``fill`` applied to the rows of ``frame`` where ``mask`` holds (all of it without a copy
    when every row does)."""
    if not mask.any():
        return frame
    if mask.all():
        return fill(frame)
    return pl.concat([frame.filter(~mask), fill(frame.filter(mask))], how="vertical")


class _Lookups:
    """Episode and team/worker of events whose own row does not give them.

    Episode: the child's referral open on the event's date (the latest on or before it), else
    the child's first. Team and worker: the child's involvement open on the date (the latest
    started on or before it, not ended before it)."""

    def __init__(self, tables: dict[str, _Table], placed: dict[str, pl.LazyFrame]) -> None:
        episodes = placed["ssd_cin_episodes"].collect(engine=_ENGINE)
        self.refs = episodes.filter(
            pl.col("child_id").is_not_null() & pl.col("referral_date").is_not_null() & pl.col("episode_id").is_not_null()
        ).select("child_id", _ref_date="referral_date", _ep="episode_id")
        self.alloc: pl.DataFrame | None = None
        if "ssd_involvements" in placed:
            invo = tables["ssd_involvements"]
            self.alloc = (
                placed["ssd_involvements"]
                .filter(pl.col("child_id").is_not_null() & pl.col("start_date").is_not_null())
                .select(
                    "child_id",
                    _a_start="start_date",
                    _a_end=pl.col("end_date") if invo.has("end_date") else pl.lit(None, pl.Date),
                    _a_team=pl.col("team") if invo.has("team") else pl.lit(None, pl.String),
                    _a_worker=pl.col("worker") if invo.has("worker") else pl.lit(None, pl.String),
                )
                .collect(engine=_ENGINE)
            )
        self.numeric = _small_numbers(self.refs, *([self.alloc] if self.alloc is not None else []))
        self._first: pl.DataFrame | None = None

    def complete(self, part: pl.DataFrame) -> pl.DataFrame:
        numeric = self.numeric and _small_numbers(part)
        part = _split_fill(part, part.get_column("episode_id").is_null(), lambda f: self._episodes(f, numeric))
        if self.alloc is not None:
            bare = part.select(pl.col("team").is_null() & pl.col("worker").is_null()).to_series()
            part = _split_fill(part, bare, lambda f: self._labels(f, numeric))
        return part

    def _episodes(self, frame: pl.DataFrame, numeric: bool) -> pl.DataFrame:
        found = _latest_before(frame, self.refs, right_date="_ref_date", take=["_ep"], numeric=numeric)
        frame = frame.with_columns(episode_id=found.get_column("_ep"))
        early = frame.get_column("episode_id").is_null()
        if early.any():
            # Before the child's first referral: its first episode (the scorer reports it, DQ014).
            if self._first is None:
                self._first = self.refs.sort("_ref_date").group_by("child_id").agg(_first=pl.col("_ep").first())
            frame = frame.join(self._first, on="child_id", how="left", maintain_order="left").with_columns(
                episode_id=pl.coalesce("episode_id", "_first")
            ).drop("_first")
        return frame

    def _labels(self, frame: pl.DataFrame, numeric: bool) -> pl.DataFrame:
        assert self.alloc is not None
        found = _latest_before(
            frame, self.alloc, right_date="_a_start", take=["_a_start", "_a_end", "_a_team", "_a_worker"], numeric=numeric
        )
        is_open = found.select(
            pl.col("_a_start").is_not_null() & (pl.col("_a_end").is_null() | (pl.col("_a_end") >= frame.get_column("date")))
        ).to_series()
        return frame.with_columns(
            team=pl.when(is_open).then(found.get_column("_a_team")).otherwise(None),
            worker=pl.when(is_open).then(found.get_column("_a_worker")).otherwise(None),
        )


def _resolve_names(tables: dict[str, _Table]) -> None:
    """Team and worker ids replaced by their names from ssd_department and ssd_professionals
    (ids without a name are kept), in the tables that carry them, before any event is made."""
    for lookup_table, column in (("ssd_department", "team"), ("ssd_professionals", "worker")):
        if lookup_table not in tables or not tables[lookup_table].has("name"):
            continue
        lookup = (
            tables[lookup_table].frame.filter(pl.col(column).is_not_null() & pl.col("name").is_not_null())
            .unique(subset=[column], keep="first", maintain_order=True)
        )
        if lookup.is_empty():
            continue
        for t in tables.values():
            if t.name not in _LOOKUP_TABLES and t.has(column):
                t.frame = t.frame.with_columns(
                    pl.col(column).replace(lookup.get_column(column), lookup.get_column("name"))
                )
