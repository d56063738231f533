"""The main job on the bundled files and as a program."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import datetime as dt

import polars as pl
import pytest

import cinscope as cs
from cinscope.cli import module_main, read_events

AS_OF = dt.date(2026, 3, 31)

EXAMPLE = Path(str(files("cinscope") / "data" / "example_events.csv"))


def test_main_job_on_the_hand_made_example(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Five children, with deliberate data problems; no authority column, so the national rulebook.
    assert module_main([str(EXAMPLE), "--out", str(tmp_path), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "example_events.csv (events): 40 events, 5 children, 44 obligations at 2026-03-31; 6 data-quality findings" in out
    assert pl.read_parquet(tmp_path / "obligations.parquet").height == 44
    assert (tmp_path / "report.html").stat().st_size > 1000


def test_main_job_on_a_parquet_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "events.parquet"
    read_events(EXAMPLE).filter(pl.col("child_id") == "C0001").write_parquet(path)
    assert module_main([str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    assert "0 data-quality findings" in capsys.readouterr().out


def test_summary_puts_drift_counts_on_each_rulebooks_total_row() -> None:
    events = cs.default_cohort(0.05).events
    books = {a: a for a in events["authority"].unique().to_list()}
    obligations = cs.score(events, books, as_of=AS_OF)
    table = cs.summary(obligations, events, as_of=AS_OF)
    totals = table.filter(pl.col("family") == "all")
    assert totals.height == len(books)
    assert table.filter(pl.col("family") != "all")["plans_over_12m", "children_stalled"].null_count().sum_horizontal().item() == 2 * (
        table.height - totals.height
    )
    # The counts on a rulebook's total row are its children's, computed independently here.
    book_of = obligations.select("child_id", "rulebook").unique("child_id")
    long = cs.long_plans(events, AS_OF).filter(pl.col("open") & pl.col("over_12_months")).join(book_of, on="child_id")
    stuck = cs.stalled(obligations).select("rulebook", "child_id").unique()
    for row in totals.iter_rows(named=True):
        assert row["plans_over_12m"] == long.filter(pl.col("rulebook") == row["rulebook"]).height
        assert row["children_stalled"] == stuck.filter(pl.col("rulebook") == row["rulebook"]).height


def test_module_and_command_run_as_programs(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "cinscope", "--help"], capture_output=True, text=True, check=True)
    assert "an events file, Annex A workbook, SSD folder or census XML" in " ".join(done.stdout.split())
    done = subprocess.run(
        [sys.executable, "-m", "cinscope", "--scale", "0.01", "--out", str(tmp_path)],
        capture_output=True, text=True, check=True,
    )
    assert "[5/5] Writing" in done.stderr and "compliance" in done.stdout
    cli = Path(sys.executable).parent / "cinscope"
    if cli.exists():  # installed with the package's entry point
        done = subprocess.run([str(cli), "--help"], capture_output=True, text=True, check=True)
        assert "rulebook" in done.stdout and "synth" in done.stdout


def _without_allocator_settings() -> dict[str, str]:
    """This environment without any mimalloc setting, so that a child process gets the package's."""
    return {k: v for k, v in os.environ.items() if not k.startswith("MIMALLOC_")}


@pytest.mark.parametrize(
    ("variable", "option", "given", "expected"),
    [
        ("MIMALLOC_ALLOW_THP", "allow_thp", None, "0"),
        ("MIMALLOC_ALLOW_THP", "allow_thp", "1", "1"),
        ("MIMALLOC_PURGE_DELAY", "purge_delay", None, "0"),
        ("MIMALLOC_PURGE_DELAY", "purge_delay", "10000", "10000"),
    ],
)
def test_the_allocator_options_are_the_package_defaults_unless_the_user_sets_them(
    variable: str, option: str, given: str | None, expected: str
) -> None:
    # mimalloc (in the compiled core) reports its options when verbose; the package turns
    # transparent huge pages off and has freed memory returned at once, before loading the core,
    # and keeps a value the user set.
    env = _without_allocator_settings()
    env["MIMALLOC_VERBOSE"] = "1"
    if given is not None:
        env[variable] = given
    done = subprocess.run([sys.executable, "-c", "import cinscope"], env=env, capture_output=True, text=True, check=True)
    assert f"option '{option}': {expected}" in done.stderr, done.stderr[-2000:]


# Scores 100,000 synthetic children (after a small first call), drops the result, and prints
# the resident growth over the size before scoring and the result's size, in MiB (Linux:
# /proc/self/statm).
_SCORE_AND_DROP = """
import datetime as dt, gc, os
import cinscope as cs
page = os.sysconf("SC_PAGE_SIZE")
def resident():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * page / 2**20
events = cs.synth("kent", children=100_000, seed=7).events
# A first call sets up what lives as long as the process (thread pools, the calendar).
cs.score(events.head(1000), "kent", as_of=dt.date(2026, 3, 31))
before = resident()
result = cs.score(events, "kent", as_of=dt.date(2026, 3, 31))
size = result.estimated_size() / 2**20
del result
gc.collect()
print(resident() - before, size)
"""


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="reads Linux's /proc")
def test_memory_freed_by_a_call_goes_back_to_the_system() -> None:
    # With mimalloc's lazy return, the memory of a result the user has dropped stayed resident:
    # here 1.6 times the result's estimated size with a delay of 10 s, 0.6 times with mimalloc's
    # default of 10 ms. With the package's default it is returned at once; what remains (about a
    # quarter of the result's size) is held elsewhere in the process, most likely by Polars' own
    # allocator, which builds the label columns.
    env = _without_allocator_settings()
    done = subprocess.run([sys.executable, "-c", _SCORE_AND_DROP], env=env, capture_output=True, text=True, check=True)
    growth, size = (float(x) for x in done.stdout.split())
    assert size > 100, "the result should be large enough for the check to mean something"
    assert growth < size / 2, f"{growth:.0f} MiB still resident after dropping a {size:.0f} MiB result"
