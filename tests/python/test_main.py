"""The main job runs on the bundled data and prints its sections."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from cinscope.__main__ import main


def test_main_job_on_bundled_data(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "example_events.csv: 38 events, 5 children" in out
    assert "Data-quality findings: 6" in out
    assert "Early May bank holiday" in out
    assert "Obligations at 2026-03-31: 42 (6 data-quality findings, 2 rows set aside)" in out
    assert "Overdue worklist" in out


def test_main_job_on_a_parquet_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cinscope.__main__ import bundled_events_path, read_events

    path = tmp_path / "events.parquet"
    read_events(bundled_events_path()).filter(pl.col("child_id") == "C0001").write_parquet(path)
    assert main([str(path)]) == 0
    assert "Data-quality findings: 0" in capsys.readouterr().out


def test_module_runs_as_a_program() -> None:
    done = subprocess.run([sys.executable, "-m", "cinscope", "--help"], capture_output=True, text=True, check=True)
    assert "events file (CSV or Parquet)" in done.stdout
