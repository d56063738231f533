"""The main job: ``python -m cinscope [EVENTS_FILE]``.

Reads an events file (CSV or Parquet; the bundled example by default), checks it, and prints
what cinscope can tell about it: the events by kind, the calendar facts its dates depend on,
and every data-quality finding.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from importlib.resources import files
from pathlib import Path

import polars as pl

import cinscope as cs


def bundled_events_path() -> Path:
    """The path of the bundled example events file."""
    return Path(str(files("cinscope") / "data" / "example_events.csv"))


def read_events(path: Path) -> pl.DataFrame:
    """Reads an events file: Parquet as is, CSV with ``date`` parsed as a date."""
    if path.suffix.lower() == ".parquet":
        return pl.read_parquet(path)
    return pl.read_csv(
        path,
        schema_overrides={"child_id": pl.String, "episode_id": pl.String, "qualifier": pl.String, "date": pl.Date},
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cinscope", description=__doc__.splitlines()[0])
    parser.add_argument("events", nargs="?", type=Path, help="events file (CSV or Parquet); default: bundled example")
    parser.add_argument(
        "--as-of",
        type=dt.date.fromisoformat,
        default=dt.date(2026, 3, 31),
        help="the extract date, YYYY-MM-DD (default: 2026-03-31, the end of the 2025-26 census year)",
    )
    args = parser.parse_args(argv)
    path = args.events or bundled_events_path()
    events = read_events(path)
    pl.Config.set_tbl_rows(40)
    pl.Config.set_fmt_str_lengths(120)
    pl.Config.set_tbl_width_chars(160)
    print(f"cinscope {cs.__version__}: {path.name}: {events.height} events, {events['child_id'].n_unique()} children")

    print("\nEvents by kind")
    print(events.group_by("event").len().sort("len", descending=True))

    dates = events["date"].drop_nulls()
    first, last = dates.min(), dates.max()
    if not isinstance(first, dt.date) or not isinstance(last, dt.date):
        print(f"{path}: no event has a date; nothing to report", file=sys.stderr)
        return 1
    print(f"\nBank holidays and closures between {first} and {last}")
    print(cs.default_calendar().holidays().filter(pl.col("date").is_between(first, last)))

    print("\nAssessments: working days from referral to authorisation")
    referrals = events.filter(pl.col("event") == "referral").select("child_id", referral="date")
    done = events.filter(pl.col("event") == "assessment_authorised").select("child_id", authorised="date")
    timing = referrals.join(done, on="child_id", how="left").with_columns(
        working_days=cs.count_working_days("referral", "authorised", nulls="propagate"),
        due_45wd=cs.add_working_days("referral", 45),
    )
    print(timing.sort("child_id"))

    findings = cs.check_events(events)
    print(f"\nData-quality findings: {findings.height}")
    print(findings.select("code", "title", "child_id", "row", "message"))

    if "authority" in events.columns:
        books = {a: a for a in events["authority"].drop_nulls().unique().sort() if a in cs.builtin_rulebooks()}
        rulebook: object = books or "national"
    else:
        rulebook = "national"
    scored = cs.score_report(events, rulebook, as_of=args.as_of)  # type: ignore[arg-type]
    obligations = scored.obligations
    # Rows set aside: null child ids (DQ000), unknown events (DQ001) and missing dates (DQ010).
    set_aside = scored.findings.filter(pl.col("code").is_in(["DQ000", "DQ001", "DQ010"])).height
    print(f"\nObligations at {args.as_of}: {obligations.height} "
          f"({scored.findings.height} data-quality findings, {set_aside} rows set aside)")
    print(cs.compliance(obligations, by=["rulebook", "rule"]).select(
        "rulebook", "rule", "met", "late", "overdue", "pending", "cancelled", "compliance"
    ))
    print("\nOverdue worklist")
    print(cs.worklist(obligations).select("child_id", "rule", "title", "due_date", "days_late", "working_days_late"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
