"""Every Polars dtype in every column argument of the calendar expressions, of ``cs.score`` and
of ``cs.check_events`` gives a result or an ``Exception`` naming the column (issue #26).

The cases run in child processes (see ``dtype_battery.py``): a dtype that aborts the
interpreter fails its own case here rather than killing pytest, and the other cases still run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import dtype_battery

BATTERY = Path(dtype_battery.__file__)
CASES = dtype_battery.cases()


def _run_battery() -> dict[str, dict[str, object]]:
    """Runs every case, starting again after the case that aborted the child process, if any."""
    results: dict[str, dict[str, object]] = {}
    first = 0
    env = {**os.environ, "POLARS_VERBOSE": "0"}
    while first < len(CASES):
        done = subprocess.run(
            [sys.executable, str(BATTERY), str(first)], capture_output=True, text=True, env=env, check=False
        )
        started = first
        for line in done.stdout.splitlines():
            if line.startswith("start "):
                started = int(line.split()[1])
            elif line.startswith("{"):
                outcome = json.loads(line)
                results[str(outcome["case"])] = outcome
        if done.returncode == 0:
            break
        crashed = CASES[started]
        results[crashed] = {
            "case": crashed,
            "outcome": "crash",
            "returncode": done.returncode,
            "stderr": done.stderr[-2000:],
        }
        first = started + 1
    return results


@pytest.fixture(scope="module")
def outcomes() -> dict[str, dict[str, object]]:
    return _run_battery()


def _column(case: str) -> str:
    call = case.split(" -> ")[1]
    if call.startswith(("score(", "check_events(")):
        return call[call.index("(") + 1 : -1]
    return dtype_battery.PROBE


@pytest.mark.parametrize("case", CASES)
def test_every_dtype_gives_a_result_or_an_error_naming_the_column(case: str, outcomes: dict[str, dict[str, object]]) -> None:
    outcome = outcomes.get(case)
    assert outcome is not None, f"{case}: no outcome (the battery stopped early)"
    if outcome["outcome"] == "ok":
        return
    assert outcome["outcome"] == "error", f"{case}: the process aborted ({outcome.get('returncode')}):\n{outcome.get('stderr')}"
    message = str(outcome["message"])
    assert outcome["is_exception"], f"{case}: {outcome['type']} is not an Exception: {message}"
    assert f"'{_column(case)}'" in message, f"{case}: the message does not name the column: {message}"
    assert "panicked" not in message and "internal error" not in message, f"{case}: {message}"


def test_the_documented_dtypes_work(outcomes: dict[str, dict[str, object]]) -> None:
    """Dates in Date columns, counts in every integer column up to 64 bits, ids as text or any
    integer, events and qualifiers as text, Categorical or Enum: these give results."""
    integers = ["Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64"]
    expected = [
        *(f"Date -> {name}" for name in ["add_working_days(date)", "due_date(date)", "count_working_days(start)",
                                         "count_working_days(end)", "is_working_day", "cin.working_days_until(end)"]),
        *(f"{t} -> {name}" for t in integers for name in ["add_working_days(n)", "add(n, weeks)", "cin.add_months(n)"]),
        *(f"{t} -> score(child_id)" for t in [*integers, "Int128", "UInt128", "String", "Categorical", "Enum"]),
        *(f"{t} -> check_events(episode_id)" for t in [*integers, "Int128", "UInt128", "String"]),
        *(f"{t} -> score(event)" for t in ["String", "Categorical", "Enum"]),
        *(f"{t} -> score(qualifier)" for t in ["String", "Categorical", "Enum", "Null"]),
        *(f"{t} -> score(team)" for t in ["String", "Categorical", "Int128", "Null"]),
    ]
    failed = {case: outcomes[case].get("message") for case in expected if outcomes[case]["outcome"] != "ok"}
    assert not failed, failed


def test_census_tables_of_any_dtype_are_read_as_text_or_refused_naming_the_column() -> None:
    import decimal

    import polars as pl

    import cinscope as cs

    tables = cs.generate_census(5, seed=1, year=2025).tables
    ids = tables["ChildIdentifiers"]
    extra = {
        "Decimal": pl.Series([decimal.Decimal("1.50")] * ids.height, dtype=pl.Decimal(10, 2)),
        "Int128": pl.Series([7] * ids.height, dtype=pl.Int128),
        "UInt128": pl.Series([7] * ids.height, dtype=pl.UInt128),
        "Float16": pl.Series([1.5] * ids.height, dtype=pl.Float32).cast(pl.Float16),
        "Int8": pl.Series([7] * ids.height, dtype=pl.Int8),
    }
    for name, series in extra.items():
        edited = {**tables, "ChildIdentifiers": ids.with_columns(series.alias("UPN"))}
        assert len(cs.census_from_tables(edited)) == ids.height, name
    for series in (
        pl.Series([[1]] * ids.height, dtype=pl.List(pl.Int64)),
        pl.Series([{"a": 1}] * ids.height, dtype=pl.Struct({"a": pl.Int64})),
        pl.Series([object()] * ids.height, dtype=pl.Object),
    ):
        edited = {**tables, "ChildIdentifiers": ids.with_columns(series.alias("UPN"))}
        with pytest.raises(cs.CensusError, match=r"table ChildIdentifiers, column 'UPN' has dtype"):
            cs.census_from_tables(edited)
