"""Python benchmark of scoring: throughput (events per second) and peak memory.

    python benches/bench_scoring.py --children 1000000

Builds a realistic synthetic cohort in memory (numpy, seeded): each child has a referral, an
assessment, and for most a CIN plan with an initial meeting, visits, reviews, minutes and an
end; some episodes close. It then measures, each in a fresh process so that peak memory is the
step's own:

* scoring under one rulebook (``kent``), with rows in random order and with each child's rows
  together (as many extracts come), with only the four columns a worklist needs (``columns=``),
  and under all six built-in rulebooks, one call each;
* the comparison table of all six rulebooks (``compare_rulebooks``), which scores every child
  under each of them in one call; its row count is the obligations the table counts;
* a baseline: three rules written directly as Polars expressions (assessment within 45 working
  days of the referral, reviews every 12 weeks, visits at most 4 weeks apart), against cinscope
  scoring a rulebook of the same three rules; the ratio is baseline time / cinscope time;
* a reference for the throughput target: Polars grouping the same rows by child and counting
  them (``group_by("child_id").len()``), the first thing any scoring by child must do, and
  nothing else. Its rows are the number of children.

The cohort is built once and written to a temporary Parquet file; each measuring process reads
it. Just before the step the process's peak resident set size is reset to its current size
(Linux ``/proc/self/clear_refs``), so the peak afterwards is the step's own, not the Parquet
read's. Peak memory is reported as that peak minus the size before the step, and as a multiple
of the input frame's size: by ``DataFrame.estimated_size`` (which counts the bytes of strings
but not their 16-byte views) and by the resident growth over reading it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

AS_OF = dt.date(2026, 3, 31)
# Each step, in the order they run, with the label its line of the report starts with.
STEPS = {
    "one": "kent",
    "grouped": "kent, rows grouped by child",
    "narrow": "kent, four columns",
    "all": "all six rulebooks",
    "compare": "all six, compare_rulebooks",
    "three": "three rules (cinscope)",
    "baseline": "three rules (plain Polars)",
    "group": "grouping by child (Polars)",
}
# The columns a worklist needs: who, what, when, and where it stands.
NARROW = ["child_id", "rule", "due_date", "status"]

THREE_RULES = """
id = "three"
name = "Three rules"
authority = "benchmark"
document = "benchmark"

[[rules]]
code = "B-ASMT"
kind = "deadline"
title = "assessment within 45 working days"
severity = "should"
anchor = "referral"
target = "assessment_authorised"
within = "45 working days"
citation = { section = "-", text = "-" }

[[rules]]
code = "B-REV"
kind = "recurring"
title = "reviews every 12 weeks"
severity = "should"
scope = "cin_plan"
anchor = "cin_initial_meeting"
target = "cin_review"
every = "12 weeks"
citation = { section = "-", text = "-" }

[[rules]]
code = "B-VIS"
kind = "max_gap"
title = "visits at most 4 weeks apart"
severity = "should"
anchor = "cin_plan_start"
target = "visit"
every = "4 weeks"
citation = { section = "-", text = "-" }
"""


def build_events(children: int, seed: int = 20261123) -> pl.DataFrame:
    """A synthetic cohort: up to 17 events per child, about 12 on average by the as-of date."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2022-04-01") + rng.integers(0, 1300, children).astype("timedelta64[D]")
    ids = np.char.add("C", np.arange(children).astype(str))
    columns: dict[str, list[np.ndarray]] = {"child_id": [], "event": [], "date": [], "qualifier": []}

    def add(mask: np.ndarray, event: str, when: np.ndarray, qualifier: str | None = None) -> None:
        n = int(mask.sum())
        columns["child_id"].append(ids[mask])
        columns["event"].append(np.full(n, event, dtype="U24"))
        columns["date"].append(when[mask])
        columns["qualifier"].append(np.full(n, qualifier or "", dtype="U12"))

    everyone = np.ones(children, dtype=bool)
    add(everyone, "referral", start)
    add(everyone, "assessment_start", start + 1)
    authorised = start + rng.integers(10, 80, children).astype("timedelta64[D]")
    add(everyone, "assessment_authorised", authorised)
    planned = rng.random(children) < 0.75
    plan = authorised + rng.integers(1, 15, children).astype("timedelta64[D]")
    add(planned, "cin_plan_start", plan, "assessment")
    meeting = plan + rng.integers(0, 20, children).astype("timedelta64[D]")
    add(planned, "cin_initial_meeting", meeting)
    add(planned, "minutes_distributed", meeting + rng.integers(3, 20, children).astype("timedelta64[D]"))
    visit = plan.copy()
    for _ in range(6):
        visit = visit + rng.integers(14, 40, children).astype("timedelta64[D]")
        add(planned, "visit", visit, "seen")
    # Which plans end is drawn before the reviews, so that no review is dated after its plan
    # has ended and the case closed (a real extract has no such rows; the data-quality check
    # for events after a closure would otherwise fire for most children).
    ended = planned & (rng.random(children) < 0.6)
    plan_end = visit + 10
    review = meeting.copy()
    for _ in range(3):
        review = review + rng.integers(70, 100, children).astype("timedelta64[D]")
        add(planned & ~(ended & (review > plan_end)), "cin_review", review)
    add(ended, "cin_plan_end", plan_end)
    closed = ended | (~planned & (rng.random(children) < 0.8))
    add(closed, "closure", np.where(planned, plan_end, authorised + 5), "RC1")
    frame = pl.DataFrame(
        {
            "child_id": np.concatenate(columns["child_id"]),
            "event": np.concatenate(columns["event"]),
            "date": np.concatenate(columns["date"]),
            "qualifier": np.concatenate(columns["qualifier"]),
        }
    ).with_columns(pl.col("date").cast(pl.Date), pl.col("qualifier").replace("", None))
    return frame.filter(pl.col("date") <= AS_OF).sample(fraction=1.0, shuffle=True, seed=seed)


def baseline(events: pl.DataFrame) -> pl.DataFrame:
    """The three rules as plain Polars expressions."""
    import cinscope as cs

    holidays = cs.default_calendar().holidays()["date"].to_list()
    firsts = events.group_by("child_id", "event").agg(pl.col("date").min())
    wide = firsts.pivot(on="event", index="child_id", values="date")
    assessment = wide.select(
        "child_id",
        late=pl.business_day_count(pl.col("referral"), pl.col("assessment_authorised"), holidays=holidays) > 45,
    )
    def gaps(kind: str, start: str, limit: int) -> pl.DataFrame:
        starts = firsts.filter(pl.col("event") == start).select("child_id", "date")
        occurrences = events.filter(pl.col("event") == kind).select("child_id", "date")
        return (
            pl.concat([starts, occurrences])
            .sort("child_id", "date")
            .with_columns(gap=pl.col("date").diff().over("child_id").dt.total_days())
            .group_by("child_id")
            .agg(late=(pl.col("gap") > limit).sum())
        )
    reviews = gaps("cin_review", "cin_initial_meeting", 84)
    visits = gaps("visit", "cin_plan_start", 28)
    return pl.concat([assessment.with_columns(pl.col("late").cast(pl.UInt32)), reviews, visits], how="vertical_relaxed")


def status_bytes(field: str) -> int:
    """A size from /proc/self/status (Linux), in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def reset_peak() -> int:
    """Resets the process's peak resident set size to its current size (Linux: clear_refs 5), so
    that the peak read afterwards is the step's own and not the Parquet read's; returns the
    current size. Falls back to the lifetime peak where the reset is not allowed."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return status_bytes("VmRSS")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def peak_rss() -> int:
    """The peak resident set size since the last reset, in bytes."""
    try:
        return status_bytes("VmHWM")
    except (OSError, RuntimeError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def measure(step: str, path: Path) -> dict[str, float]:
    import cinscope as cs

    before_read = status_bytes("VmRSS")
    events = pl.read_parquet(path)
    # What the frame holds in memory: estimated_size counts a string column's bytes but not its
    # 16-byte views, so the resident growth over the read is reported beside it.
    resident = status_bytes("VmRSS") - before_read
    size = events.estimated_size()
    rulebooks: list[object]
    columns = NARROW if step == "narrow" else None
    if step in ("one", "grouped", "narrow"):
        rulebooks = ["kent"]
    elif step in ("all", "compare"):
        rulebooks = list(cs.builtin_rulebooks())
    elif step == "three":
        rulebooks = [cs.Rulebook.from_toml(THREE_RULES)]
    else:
        rulebooks = []
    before = reset_peak()
    begin = time.perf_counter()
    obligations = 0
    if step == "baseline":
        obligations = baseline(events).height
    elif step == "group":
        obligations = events.group_by("child_id").len().height
    elif step == "compare":
        table = cs.compare_rulebooks(events, rulebooks, as_of=AS_OF)  # type: ignore[arg-type]
        obligations = int(table.select(pl.sum_horizontal(pl.col(s).sum() for s in cs.STATUSES)).item())
    else:
        for book in rulebooks:
            obligations += cs.score(events, book, as_of=AS_OF, columns=columns).height  # type: ignore[arg-type]
    seconds = time.perf_counter() - begin
    peak = peak_rss()
    scored_events = events.height * max(1, len(rulebooks))
    return {
        "events": events.height,
        "input_bytes": size,
        "input_resident_bytes": resident,
        "seconds": seconds,
        "events_per_second": scored_events / seconds,
        "obligations": obligations,
        "peak_growth_bytes": peak - before,
        "peak_over_input": (peak - before) / size,
        "peak_over_resident_input": (peak - before) / resident,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=1_000_000)
    parser.add_argument("--step", choices=list(STEPS), help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(measure(args.step, args.data)))
        return 0
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "events.parquet"
        events = build_events(args.children)
        events.write_parquet(data)
        # The same rows with each child's rows together, as many extracts come: sorted here, so
        # that the measuring process holds only the frame it scores.
        grouped = Path(tmp) / "grouped.parquet"
        events.sort("child_id", maintain_order=True).write_parquet(grouped)
        del events
        for step in STEPS:
            done = subprocess.run(
                [sys.executable, __file__, "--step", step, "--data", str(grouped if step == "grouped" else data)],
                capture_output=True, text=True, check=True,
            )
            results[step] = json.loads(done.stdout)
    one = results["one"]
    print(
        f"cohort: {args.children:,} children, {one['events']:,} events, "
        f"{one['input_bytes'] / 2**20:,.0f} MiB by estimated_size, {one['input_resident_bytes'] / 2**20:,.0f} MiB resident"
    )
    for step, label in STEPS.items():
        r = results[step]
        print(
            f"{label:28s} {r['seconds']:8.2f} s  {r['events_per_second'] / 1e6:7.2f} M events/s  "
            f"{r['obligations']:>12,} rows  peak +{r['peak_growth_bytes'] / 2**20:7,.0f} MiB "
            f"({r['peak_over_input']:.1f}x estimated, {r['peak_over_resident_input']:.1f}x resident input)"
        )
    ratio = results["baseline"]["seconds"] / results["three"]["seconds"]
    print(f"three rules: plain Polars takes {ratio:.2f}x the time cinscope takes")
    target = one["events"] / 10e6
    print(
        f"10 M events/s is {target:.2f} s for this cohort; Polars' grouping by child alone takes "
        f"{results['group']['seconds']:.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
