"""The events table: vocabulary, schema errors, and data-quality findings end to end."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

import cinscope as cs
from cinscope.cli import bundled_events_path, read_events


def events(rows: list[tuple[object, str, dt.date | None]], **extra: list[object]) -> pl.DataFrame:
    return pl.DataFrame(
        {"child_id": [r[0] for r in rows], "event": [r[1] for r in rows], "date": [r[2] for r in rows], **extra},
        schema_overrides={"date": pl.Date},
    )


def test_vocabulary_is_complete_and_unique() -> None:
    vocab = cs.event_vocabulary()
    assert vocab.columns == ["event", "group", "qualifier", "qualifier_values", "description"]
    assert vocab["event"].is_unique().all()
    assert {"referral", "closure", "cin_plan_start", "cin_review", "visit", "cp_plan_start"} <= set(vocab["event"])
    origins = vocab.filter(pl.col("event") == "cin_plan_start")["qualifier_values"].item()
    assert "step_down_cp" in origins and "return_home_unplanned" in origins
    assert vocab["description"].str.len_chars().min() > 10  # type: ignore[operator]


def test_clean_history_has_no_findings() -> None:
    df = events(
        [
            ("A", "referral", dt.date(2025, 1, 6)),
            ("A", "assessment_start", dt.date(2025, 1, 7)),
            ("A", "assessment_authorised", dt.date(2025, 2, 20)),
            ("A", "cin_plan_start", dt.date(2025, 3, 3)),
            ("A", "cin_plan_end", dt.date(2025, 9, 30)),
            ("A", "closure", dt.date(2025, 9, 30)),
        ]
    )
    # The plan's origin is left out: the documented default is used, and said so.
    found = cs.check_events(df)
    assert found["code"].to_list() == ["DQ016"] and "taken as 'assessment'" in found["message"][0]
    origin = pl.when(pl.col("event") == "cin_plan_start").then(pl.lit("assessment"))
    assert cs.check_events(df.with_columns(qualifier=origin)).height == 0


def test_bundled_example_findings() -> None:
    found = cs.check_events(read_events(bundled_events_path()))
    got = found.select("code", "child_id", "row").rows()
    assert got == [
        ("DQ003", "C0002", 15),
        ("DQ001", "C0003", 27),
        ("DQ005", "C0004", 33),
        ("DQ010", "C0005", 37),
        ("DQ014", "C0005", 36),
        ("DQ007", "C0005", 36),
    ]
    messages = found["message"].to_list()
    assert "row 27: unknown event 'vist'; did you mean 'visit'?; the row is not used" in messages


def test_rows_are_never_lost() -> None:
    df = events(
        [
            ("A", "referral", dt.date(2025, 1, 6)),
            (None, "visit", dt.date(2025, 1, 7)),
            ("A", "visit", None),
            ("A", "not_an_event", dt.date(2025, 1, 8)),
            ("A", "closure", dt.date(2025, 1, 5)),
        ]
    )
    found = cs.check_events(df)
    assert found.filter(pl.col("code") == "DQ000")["row"].to_list() == [1]
    involved = {int(r) for rows in found["rows"] for r in rows.split(",")}
    assert {1, 2, 3} <= involved
    # Without episode ids, a closure dated before the referral cannot close that referral's
    # episode: it forms an episode of its own, reported as having no referral.
    assert "DQ004" in found["code"].to_list()


def test_lazy_categorical_and_integer_ids_are_accepted() -> None:
    df = events([(1, "referral", dt.date(2025, 1, 6)), (1, "visitt", dt.date(2025, 1, 7))])
    lazy = df.lazy().with_columns(pl.col("event").cast(pl.Categorical))
    found = cs.check_events(lazy)
    assert found["code"].to_list() == ["DQ001"]
    assert found["child_id"].to_list() == ["1"]
    enum = df.with_columns(pl.col("event").cast(pl.Enum(["referral", "visitt"])))
    assert cs.check_events(enum).height == 1


def test_missing_column_names_the_closest() -> None:
    df = pl.DataFrame({"childid": ["A"], "event": ["referral"], "date": [dt.date(2025, 1, 6)]})
    with pytest.raises(cs.SchemaError, match=r"no column 'child_id' .*did you mean 'childid'\?"):
        cs.check_events(df)
    with pytest.raises(cs.SchemaError, match=r"no column 'date'"):
        cs.check_events(pl.DataFrame({"child_id": ["A"], "event": ["referral"]}))


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("date", dt.datetime(2025, 1, 6, 10, 0), r"column 'date' has dtype Datetime.*\.dt\.date\(\)"),
        ("date", "2025-01-06", r"column 'date' has dtype String; expected Date: parse it"),
        ("event", 3, r"column 'event' has dtype Int64; expected String"),
        ("child_id", 1.5, r"column 'child_id' has dtype Float64; expected String or integer"),
    ],
)
def test_wrong_dtypes_raise_schema_error(column: str, value: object, message: str) -> None:
    data: dict[str, object] = {"child_id": ["A"], "event": ["referral"], "date": [dt.date(2025, 1, 6)]}
    data[column] = [value]
    with pytest.raises(cs.SchemaError, match=message):
        cs.check_events(pl.DataFrame(data))


def test_errors_are_cinscope_errors() -> None:
    assert issubclass(cs.SchemaError, cs.CinscopeError)
    assert issubclass(cs.CalendarError, cs.CinscopeError)
    assert issubclass(cs.CinscopeError, Exception)
    with pytest.raises(TypeError, match="expected a polars DataFrame or LazyFrame"):
        cs.check_events({"child_id": ["A"]})  # type: ignore[arg-type]
