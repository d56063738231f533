"""The Python benchmark script: its synthetic cohort is realistic, and the script runs end to end.

The figures it prints are not checked (benchmarks, not timed tests); what is checked is that the
data it measures on is what the README says it is, and that the command the README names works.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import polars as pl
import pytest

import cinscope as cs

SCRIPT = Path(__file__).resolve().parents[2] / "benches" / "bench_scoring.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_scoring", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def cohort(bench: ModuleType) -> pl.DataFrame:
    return bench.build_events(3000)


def test_every_child_is_referred_once_and_nothing_is_dated_after_the_extract(bench: ModuleType, cohort: pl.DataFrame) -> None:
    per_child = cohort.group_by("child_id").agg(
        referrals=(pl.col("event") == "referral").sum(), events=pl.len()
    )
    assert per_child.height == 3000
    assert per_child["referrals"].to_list() == [1] * 3000
    assert per_child["events"].min() >= 3 and per_child["events"].max() <= 17
    assert cohort["date"].max() <= bench.AS_OF
    assert cohort.select("child_id", "event", "date").null_count().row(0) == (0, 0, 0)


def test_no_review_is_dated_after_its_plan_has_ended(cohort: pl.DataFrame) -> None:
    ends = cohort.filter(pl.col("event") == "cin_plan_end").select("child_id", end="date")
    reviews = cohort.filter(pl.col("event") == "cin_review").join(ends, on="child_id")
    assert reviews.height > 0
    assert reviews.filter(pl.col("date") > pl.col("end")).height == 0


def test_the_cohort_raises_no_data_quality_finding(bench: ModuleType, cohort: pl.DataFrame) -> None:
    # The generator once dated reviews after the closure for two children in three: each such
    # row raised DQ005 ("after the closure"). A realistic extract raises none here.
    report = cs.score_report(cohort, "kent", as_of=bench.AS_OF)
    assert report.findings.height == 0, report.findings.head(5)
    assert report.obligations.height > cohort.height


def test_the_script_runs_every_step_and_reports_each(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--children", "2000"],
        capture_output=True, text=True, check=False, cwd=tmp_path, timeout=600,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 11, done.stdout
    assert re.match(r"cohort: 2,000 children, [\d,]+ events", lines[0]), lines[0]
    labels = ["kent", "kent, rows grouped by child", "kent, four columns", "all six rulebooks",
              "all six, compare_rulebooks", "three rules (cinscope)", "three rules (plain Polars)",
              "grouping by child (Polars)"]
    rows = {}
    for label, line in zip(labels, lines[1:9], strict=True):
        assert line.startswith(label), line
        found = re.search(r"M events/s +([\d,]+) rows +peak \+ *[\d,]+ MiB", line)
        assert found, line
        rows[label] = int(found.group(1).replace(",", ""))
    # The same cohort under the same rulebook gives as many rows whatever the order of its rows
    # and however many columns are asked for.
    assert rows["kent"] == rows["kent, rows grouped by child"] == rows["kent, four columns"] > 0
    # The comparison table counts every obligation of the six rulebooks.
    assert rows["all six rulebooks"] == rows["all six, compare_rulebooks"] > rows["kent"]
    # The reference counts the children: 2,000 groups.
    assert rows["grouping by child (Polars)"] == 2000
    assert re.match(r"three rules: plain Polars takes [\d.]+x the time cinscope takes", lines[9]), lines[9]
    assert re.match(r"10 M events/s is [\d.]+ s for this cohort; Polars' grouping by child alone takes [\d.]+ s", lines[10]), lines[10]
