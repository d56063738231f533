"""Nothing lost, nothing leaks: atomic writes, no overwriting of inputs, CSV safe for spreadsheets."""

from __future__ import annotations

import datetime as dt
import os
import stat
import sys
import threading
from importlib.resources import files
from pathlib import Path

import polars as pl
import pytest

import cinscope as cs
from cinscope import _files
from cinscope.cli import main, read_events, write_frame

EXAMPLE = Path(str(files("cinscope") / "data" / "example_events.csv"))

FORMULAS = ["=HYPERLINK(\"http://example.org\",\"x\")", "+1+1", "-2", "@SUM(A1:A2)", "\tTAB", "\rCR"]


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- Atomic writes -----------------------------------------------------------------------------


def test_failed_census_write_leaves_the_previous_file_byte_for_byte(tmp_path: Path) -> None:
    census = cs.generate_census(200, seed=3, year=2025)
    path = tmp_path / "r.xml"
    census.write(path)
    before = path.read_bytes()
    assert len(before) > 1000
    with pytest.raises(cs.CensusError):
        census.write(path, year=2017)  # CIN plan dates: the 2017 schema has no place for them
    assert path.read_bytes() == before
    assert listing(tmp_path) == ["r.xml"]


def test_failed_census_write_to_a_new_path_leaves_nothing(tmp_path: Path) -> None:
    census = cs.generate_census(200, seed=3, year=2025)
    with pytest.raises(cs.CensusError):
        census.write(tmp_path / "new.xml", year=2017)
    assert listing(tmp_path) == []


def test_a_writer_failing_midway_leaves_the_previous_file(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    path.write_bytes(b"the good file\n")

    def half_then_fail(temporary: Path) -> None:
        temporary.write_bytes(b"half a fi")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        _files.write_atomic(path, half_then_fail)
    assert path.read_bytes() == b"the good file\n"
    assert listing(tmp_path) == ["out.txt"]


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_a_frame_writer_failing_midway_leaves_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    path = tmp_path / f"obligations{suffix}"
    write_frame(pl.DataFrame({"a": [1, 2, 3]}), path)
    before = path.read_bytes()
    method = "write_parquet" if suffix == ".parquet" else "write_csv"

    def broken(self: pl.DataFrame, file: str | os.PathLike[str], *args: object, **kwargs: object) -> None:
        Path(file).write_bytes(b"PAR1 partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pl.DataFrame, method, broken)
    with pytest.raises(OSError):
        write_frame(pl.DataFrame({"a": [4, 5, 6]}), path)
    assert path.read_bytes() == before
    assert listing(tmp_path) == [path.name]


def test_an_interrupted_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "report.html"

    def interrupted(temporary: Path) -> None:
        temporary.write_text("<html>")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _files.write_atomic(path, interrupted)
    assert listing(tmp_path) == []


def test_the_html_report_is_replaced_only_by_a_complete_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    events = read_events(EXAMPLE)
    obligations = cs.score_report(events, "national", as_of=dt.date(2026, 3, 31)).obligations
    path = tmp_path / "report.html"
    cs.html_report(obligations, events, path, as_of=dt.date(2026, 3, 31))
    before = path.read_bytes()

    def full_disk(self: Path, *args: object, **kwargs: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full_disk)
    with pytest.raises(OSError):
        cs.html_report(obligations, events, path, as_of=dt.date(2026, 3, 31), title="another")
    assert path.read_bytes() == before
    assert listing(tmp_path) == ["report.html"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions and links")
def test_replacing_keeps_the_permissions_and_follows_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    real.chmod(0o640)
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    _files.write_text(link, "new\n")
    assert link.is_symlink() and real.read_text() == "new\n"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert listing(tmp_path) == ["link.csv", "real.csv"]


def test_concurrent_writers_leave_one_whole_frame(tmp_path: Path) -> None:
    frames = [
        pl.DataFrame({"writer": [i] * 20_000, "value": [f"row {j} of writer {i}" for j in range(20_000)]}) for i in range(4)
    ]
    for suffix in (".parquet", ".csv"):
        path = tmp_path / f"shared{suffix}"
        errors: list[BaseException] = []
        start = threading.Barrier(len(frames))

        def write(frame: pl.DataFrame, path: Path = path) -> None:
            try:
                start.wait()
                for _ in range(5):
                    write_frame(frame, path)
            except BaseException as error:  # reported below
                errors.append(error)

        threads = [threading.Thread(target=write, args=(frame,)) for frame in frames]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        got = pl.read_parquet(path) if suffix == ".parquet" else pl.read_csv(path)
        assert any(got.equals(frame) for frame in frames)
    assert listing(tmp_path) == ["shared.csv", "shared.parquet"]


# --- The command line never writes over its own input ------------------------------------------


@pytest.fixture()
def events_csv(tmp_path: Path) -> Path:
    path = tmp_path / "events.csv"
    path.write_bytes(EXAMPLE.read_bytes())
    return path


@pytest.mark.parametrize(
    "argv",
    [
        ["score", "{events}", "-o", "{events}"],
        ["score", "{events}", "-o", "{folder}/../{name}/events.csv"],
        ["report", "{events}", "-o", "{events}"],
        ["score", "{events}", "-o", "{folder}/obligations.csv", "--findings", "{folder}/obligations.csv"],
        ["score", "{events}", "-o", "{folder}/obligations.csv", "--findings", "{events}"],
    ],
)
def test_the_cli_refuses_to_overwrite_its_input(
    argv: list[str], events_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = events_csv.parent
    before = events_csv.read_bytes()
    args = [a.format(events=events_csv, folder=folder, name=folder.name) for a in argv]
    assert main(args) != 0
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and ("refusing" in err or "same file" in err), err
    assert err.count(str(folder)) == 2, err  # both paths named
    assert events_csv.read_bytes() == before
    assert listing(folder) == ["events.csv"]


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links")
def test_the_cli_sees_through_links_and_relative_paths(
    events_csv: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = events_csv.parent
    (folder / "alias.csv").symlink_to(events_csv)
    before = events_csv.read_bytes()
    monkeypatch.chdir(folder)
    assert main(["score", "events.csv", "-o", "alias.csv"]) == 2
    assert main(["report", str(events_csv), "-o", "events.csv"]) == 2
    assert "alias.csv" in capsys.readouterr().err
    assert events_csv.read_bytes() == before and (folder / "alias.csv").is_symlink()


def test_census_convert_onto_its_input_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "r.xml"
    assert main(["census", "generate", "-o", str(path), "--children", "50", "--year", "2025"]) == 0
    before = path.read_bytes()
    capsys.readouterr()
    assert main(["census", "convert", str(path), "-o", str(path), "--year", "2017"]) == 2
    err = capsys.readouterr().err
    assert err.count(str(path)) == 2 and len(err.strip().splitlines()) == 1
    assert main(["census", "validate", str(path), "-o", str(path)]) == 2
    assert path.read_bytes() == before
    assert listing(tmp_path) == ["r.xml"]


def test_a_failed_census_convert_leaves_no_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "r.xml"
    assert main(["census", "generate", "-o", str(path), "--children", "200", "--year", "2025"]) == 0
    assert main(["census", "convert", str(path), "-o", str(tmp_path / "old.xml"), "--year", "2017"]) == 2
    assert "error" in capsys.readouterr().err
    assert listing(tmp_path) == ["r.xml"]


def test_run_refuses_an_input_inside_its_output_folder(tmp_path: Path) -> None:
    events = tmp_path / "obligations.parquet"
    read_events(EXAMPLE).write_parquet(events)
    before = events.read_bytes()
    assert main(["run", str(events), "--out", str(tmp_path), "--quiet"]) == 2
    assert events.read_bytes() == before
    assert listing(tmp_path) == ["obligations.parquet"]


def test_synth_refuses_one_file_for_events_and_truth(tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    assert main(["synth", "-o", str(path), "--truth", str(path), "--children", "10"]) == 2
    assert listing(tmp_path) == []


# --- CSV for people ------------------------------------------------------------------------------


def formula_frame() -> pl.DataFrame:
    n = len(FORMULAS) + 1
    return pl.DataFrame(
        {
            "text": [*FORMULAS, "plain"],
            "label": pl.Series([*FORMULAS, "plain"], dtype=pl.Categorical),
            "number": list(range(-n + 1, 1)),
            "ratio": [-0.5] * n,
            "day": [dt.date(2026, 1, 1)] * n,
        }
    )


def read_raw_csv(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False)


def test_formula_cells_are_neutralised_by_default(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    write_frame(formula_frame(), path)
    got = read_raw_csv(path)
    expected = [f"'{f}" for f in FORMULAS] + ["plain"]
    assert got["text"].to_list() == expected
    assert got["label"].to_list() == expected
    # Numbers and dates are untouched, negative ones included.
    assert got["number"].to_list() == [str(i) for i in range(-len(FORMULAS), 1)]
    assert got["ratio"].to_list() == ["-0.5"] * (len(FORMULAS) + 1)
    assert got["day"].to_list() == ["2026-01-01"] * (len(FORMULAS) + 1)


def test_raw_csv_keeps_the_values(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    write_frame(formula_frame(), path, raw_csv=True)
    got = read_raw_csv(path)
    assert got["text"].to_list() == [*FORMULAS, "plain"]
    assert got["label"].to_list() == [*FORMULAS, "plain"]


def test_parquet_is_never_altered(tmp_path: Path) -> None:
    path = tmp_path / "out.parquet"
    write_frame(formula_frame(), path)
    assert pl.read_parquet(path).equals(formula_frame())


def test_neutralising_leaves_a_clean_frame_as_it_is() -> None:
    clean = pl.DataFrame({"child_id": ["C1", None, "C'3"], "n": [-1, 0, 1]})
    assert _files.neutralise_formulas(clean) is clean


def test_the_cli_neutralises_its_csv_unless_asked_not_to(tmp_path: Path) -> None:
    events = read_events(EXAMPLE).with_columns(
        child_id=pl.when(pl.col("child_id") == "C0001").then(pl.lit("=1+2")).otherwise(pl.col("child_id")),
        team=pl.lit("@team"),
    )
    source = tmp_path / "events.parquet"
    events.write_parquet(source)
    safe, raw = tmp_path / "safe.csv", tmp_path / "raw.csv"
    findings = tmp_path / "findings.csv"
    assert main(["score", str(source), "-o", str(safe), "--findings", str(findings), "--rulebook", "national"]) == 0
    assert main(["score", str(source), "-o", str(raw), "--raw-csv", "--rulebook", "national"]) == 0
    safe_ids = set(read_raw_csv(safe)["child_id"].to_list())
    raw_ids = set(read_raw_csv(raw)["child_id"].to_list())
    assert "'=1+2" in safe_ids and "=1+2" not in safe_ids
    assert "=1+2" in raw_ids and "'=1+2" not in raw_ids
    if "team" in read_raw_csv(safe).columns:
        assert set(read_raw_csv(safe)["team"].drop_nulls().to_list()) <= {"'@team"}
    # Numbers keep their sign.
    late = read_raw_csv(raw).columns
    assert "days_late" in late
    assert read_raw_csv(safe)["days_late"].to_list() == read_raw_csv(raw)["days_late"].to_list()


def test_cli_help_documents_raw_csv(capsys: pytest.CaptureFixture[str]) -> None:
    for command in (["score"], ["synth"], ["census"]):
        with pytest.raises(SystemExit):
            main([*command, "--help"])
        assert "--raw-csv" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "--raw-csv" in capsys.readouterr().out
