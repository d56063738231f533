"""Events files as analysts' tools export them, read by the command line (#26, item 19).

Each file is either read to the same events as the clean file it was made from (with a note on
standard error where something was assumed), or refused with one line naming the file, the line
or row and the column, and the fix: never a traceback.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

import cinscope as cs
from cinscope._read import read_events_file
from cinscope.cli import main, parser, read_events

D = dt.date

# Eight rows: two children, the second of team "Nörth’s" (o with umlaut and a curly apostrophe:
# both in Windows-1252, neither in ASCII).
ROWS = [
    ("C1", "referral", D(2025, 1, 6), "E1", "", "North"),
    ("C1", "assessment_start", D(2025, 1, 7), "E1", "", "North"),
    ("C1", "assessment_authorised", D(2025, 3, 12), "E1", "", "North"),
    ("C1", "cin_plan_start", D(2025, 3, 17), "E1", "assessment", "North"),
    ("C2", "referral", D(2025, 6, 2), "E2", "", "Nörth’s"),
    ("C2", "assessment_start", D(2025, 6, 3), "E2", "", "Nörth’s"),
    ("C2", "assessment_authorised", D(2025, 7, 31), "E2", "", "Nörth’s"),
    ("C2", "closure", D(2025, 12, 19), "E2", "RC1", "Nörth’s"),
]
HEADER = "child_id,event,date,episode_id,qualifier,team"
AS_OF = D(2026, 3, 31)


def csv_text(date: Callable[[dt.date], str] = dt.date.isoformat, separator: str = ",", newline: str = "\n") -> str:
    lines = [HEADER.replace(",", separator)]
    lines += [separator.join([c, e, date(d), ep, q, t]) for c, e, d, ep, q, t in ROWS]
    return newline.join(lines) + newline


EXPECTED = pl.DataFrame(
    {
        "child_id": [r[0] for r in ROWS],
        "event": [r[1] for r in ROWS],
        "date": [r[2] for r in ROWS],
        "episode_id": [r[3] for r in ROWS],
        "qualifier": [r[4] or None for r in ROWS],
        "team": [r[5] for r in ROWS],
    }
)


class Notes(list[str]):
    def __call__(self, text: str) -> None:
        self.append(text)


def read(path: Path) -> tuple[pl.DataFrame, Notes]:
    notes = Notes()
    return read_events_file(path, note=notes), notes


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def refused(path: Path, *fragments: str) -> str:
    """``cinscope score`` on the file exits with status 2 and one line naming the file and every
    fragment; reading it raises CinscopeError with the same message."""
    with pytest.raises(cs.CinscopeError) as info:
        read_events_file(path, note=Notes())
    message = str(info.value)
    assert "\n" not in message, message
    assert message.startswith(f"{path}: "), message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


def as_events() -> list[str]:
    """``--input-format events`` where the command line reads other inputs too (Annex A, SSD,
    census) and would otherwise guess from the file: these tests are about events files."""
    _, unknown = parser().parse_known_args(["score", "x.csv", "-o", "y.parquet", "--input-format", "events"])
    return [] if unknown else ["--input-format", "events"]


def run_cli(
    path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], *, say_events: bool = True
) -> tuple[int, str, str]:
    argv = ["score", str(path), "-o", str(tmp_path / "out.parquet"), "--as-of", str(AS_OF), "--rulebook", "national"]
    code = main(argv + (as_events() if say_events else []))
    out, err = capsys.readouterr()
    return code, out, err


# --- read correctly -----------------------------------------------------------------------------


def test_the_clean_file(tmp_path: Path) -> None:
    frame, notes = read(write(tmp_path, "events.csv", csv_text()))
    assert frame.equals(EXPECTED) and not notes
    # The command line's reader is the module's.
    assert read_events(tmp_path / "events.csv").equals(frame)


@pytest.mark.parametrize(
    ("encoding", "note"),
    [
        ("utf-8-sig", None),
        ("utf-16", "read as UTF-16 (it begins with a UTF-16 byte-order mark)"),
        ("utf-32", "read as UTF-32 (it begins with a UTF-32 byte-order mark)"),
        ("utf-16-le", "read as UTF-16 (little-endian; it has no byte-order mark"),
        ("utf-16-be", "read as UTF-16 (big-endian; it has no byte-order mark"),
        # The first byte that is not UTF-8 is the ö of row 4, on line 6.
        ("cp1252", "is not UTF-8 (line 6 has byte 0xF6); read as Windows-1252"),
    ],
)
def test_encodings_are_read_and_said(encoding: str, note: str | None, tmp_path: Path) -> None:
    path = write(tmp_path, "events.csv", csv_text().encode(encoding))
    frame, notes = read(path)
    assert frame.equals(EXPECTED), frame
    assert frame["team"][4] == "Nörth’s"
    if note is None:
        assert not notes
    else:
        assert len(notes) == 1 and notes[0].startswith(f"{path}: ") and note in notes[0], notes


@pytest.mark.parametrize(
    ("style", "date"),
    [
        ("datetime at midnight", lambda d: f"{d} 00:00:00"),
        ("ISO datetime at midnight, UTC", lambda d: f"{d}T00:00:00Z"),
        ("midnight with fractions", lambda d: f"{d} 00:00:00.000"),
        ("YYYYMMDD", lambda d: d.strftime("%Y%m%d")),
        ("YYYY/MM/DD", lambda d: d.strftime("%Y/%m/%d")),
        ("DD/MM/YYYY", lambda d: d.strftime("%d/%m/%Y")),
        ("D/M/YYYY", lambda d: f"{d.day}/{d.month}/{d.year}"),
        ("DD/MM/YYYY 00:00 (Excel)", lambda d: d.strftime("%d/%m/%Y 00:00")),
        ("12-hour clock at midnight", lambda d: d.strftime("%d/%m/%Y 12:00:00 AM")),
        ("DD-MM-YYYY", lambda d: d.strftime("%d-%m-%Y")),
        ("DD.MM.YYYY", lambda d: d.strftime("%d.%m.%Y")),
        ("D Mon YYYY", lambda d: f"{d.day} {d:%b %Y}"),
        ("DD-Mon-YYYY", lambda d: d.strftime("%d-%b-%Y")),
        ("D Month YYYY", lambda d: f"{d.day} {d:%B %Y}"),
        ("padded", lambda d: f"  {d}  "),
    ],
)
def test_date_styles_that_read_one_way(style: str, date: Callable[[dt.date], str], tmp_path: Path) -> None:
    frame, notes = read(write(tmp_path, "events.csv", csv_text(date)))
    assert frame.equals(EXPECTED), (style, frame["date"].to_list())
    # 12/03/2025 (row 2) can be 3 December; 31/07/2025 cannot: the column reads only day first,
    # and nothing needs saying.
    assert not notes, notes


def test_day_first_is_taken_and_said_when_no_value_decides(tmp_path: Path) -> None:
    # Every day is 12 or less: each date reads both ways. UK order is taken, and said.
    path = write(tmp_path, "events.csv", "child_id,event,date\nC1,referral,06/01/2025\nC1,assessment_start,07/01/2025\n")
    frame, notes = read(path)
    assert frame["date"].to_list() == [D(2025, 1, 6), D(2025, 1, 7)]
    assert notes == [f"{path}: column 'date' read as day/month/year (UK): line 2 '06/01/2025' is 6 January 2025"]


def test_a_column_that_reads_only_month_first_is_read_so_and_said(tmp_path: Path) -> None:
    path = write(tmp_path, "events.csv", csv_text(lambda d: d.strftime("%m/%d/%Y")))
    frame, notes = read(path)
    assert frame.equals(EXPECTED)
    # Row 2 is 03/12/2025 (also 3 December day first); row 3 is 03/17/2025, on line 5.
    assert notes == [f"{path}: column 'date' read as month/day/year (US), as line 5 '03/17/2025' can be read no other way"]


def test_semicolons_tabs_and_old_mac_line_ends(tmp_path: Path) -> None:
    for name, text, note in [
        ("semi.csv", csv_text(separator=";"), "columns are separated by semicolons"),
        ("tabs.txt", csv_text(separator="\t"), "columns are separated by tabs"),
        ("mac.csv", csv_text(newline="\r"), None),
        ("windows.csv", csv_text(newline="\r\n"), None),
    ]:
        frame, notes = read(write(tmp_path, name, text))
        assert frame.equals(EXPECTED), name
        assert notes == ([f"{tmp_path / name}: {note}"] if note else []), (name, notes)


def test_a_header_only_file_is_no_events(tmp_path: Path) -> None:
    frame, _ = read(write(tmp_path, "events.csv", HEADER + "\n"))
    assert frame.height == 0 and frame.schema["date"] == pl.Date


def test_parquet_with_text_or_midnight_dates(tmp_path: Path) -> None:
    text = EXPECTED.with_columns(pl.col("date").dt.strftime("%d/%m/%Y"))
    text.write_parquet(tmp_path / "text.parquet")
    assert read(tmp_path / "text.parquet")[0].equals(EXPECTED)
    # Midnight in London (in summer, 23:00 the day before in UTC): the date is London's.
    stamps = EXPECTED.with_columns(pl.col("date").cast(pl.Datetime("us")).dt.replace_time_zone("Europe/London"))
    stamps.write_parquet(tmp_path / "stamps.parquet")
    assert read(tmp_path / "stamps.parquet")[0].equals(EXPECTED)
    late = EXPECTED.with_columns(pl.col("date").cast(pl.Datetime("us")) + pl.duration(hours=pl.int_range(8)))
    late.write_parquet(tmp_path / "late.parquet")
    # Row 0 is at midnight; row 1 at 01:00.
    refused(tmp_path / "late.parquet", "column 'date', row 1: 2025-01-07 01:00:00 has a time of day")


# --- refused, in one line -----------------------------------------------------------------------


def with_date(row: int, value: str) -> str:
    """The clean file with data row ``row``'s date replaced (data row 0 is on line 2)."""
    lines = csv_text().splitlines()
    fields = lines[row + 1].split(",")
    fields[2] = value
    lines[row + 1] = ",".join(fields)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("name", "content", "fragments"),
    [
        ("empty.csv", b"", ["is empty", "header line"]),
        ("blank.csv", b"  \r\n\n", ["is empty"]),
        ("late-header.csv", b"\n" + csv_text().encode(), ["line 1 is blank", "remove the blank lines"]),
        ("commas.csv", b",,,\n1,2,3,4\n", ["names no column"]),
        # Data row 3 (line 5) with two fields too many.
        ("ragged.csv", csv_text().replace("E1,assessment,North", "E1,assessment,North,x,y").encode(),
         ["line 5 has 8 fields but the header has 6", "put quotes around values that hold a ','"]),
        ("quote.csv", csv_text().replace("C2,referral", '"C2,referral').encode(),
         ["line 6: a quoted value begins and is never closed", "close its quote"]),
        ("twice.csv", csv_text().replace("qualifier", "date").encode(), ["names column 'date' twice (columns 3 and 5)"]),
        ("time.csv", with_date(3, "2025-03-17 09:30:00").encode(),
         ["column 'date', line 5: '2025-03-17 09:30:00' has a time of day", "write the date alone"]),
        ("pm.csv", with_date(0, "06/01/2025 12:00:00 PM").encode(), ["line 2: '06/01/2025 12:00:00 PM' has a time of day"]),
        ("mixed.csv", with_date(5, "03/06/2025").encode(),
         ["column 'date' mixes date styles", "line 2 '2025-01-06' (YYYY-MM-DD)", "line 7 '03/06/2025' (DD/MM/YYYY)",
          "write every date one way"]),
        ("both-ways.csv", csv_text(lambda d: d.strftime("%d/%m/%Y")).replace("31/07/2025", "07/31/2025").encode(),
         ["column 'date' has dates that are day/month/year (line 5 '17/03/2025')",
          "others that are month/day/year (line 8 '07/31/2025')"]),
        ("two-digit.csv", csv_text(lambda d: d.strftime("%d/%m/%y")).encode(),
         ["column 'date', line 2: '06/01/25' has a two-digit year", "write the year in full"]),
        ("no-day.csv", with_date(6, "2025-02-30").encode(), ["column 'date', line 8: '2025-02-30' is not a date"]),
        ("words.csv", with_date(1, "last Tuesday").encode(), ["column 'date', line 3: 'last Tuesday' is not a date"]),
        ("compact.csv", csv_text(lambda d: d.strftime("%d%m%Y")).encode(), ["line 2: '06012025' is not a date (YYYYMMDD)"]),
        ("binary.csv", b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)), ["is not a text file", "is NUL"]),
        ("latin.csv", csv_text().encode("cp1252").replace(b"North", b"\x81orth"),
         ["is neither UTF-8 (line 2 has byte 0x81) nor Windows-1252 (line 2 has byte 0x81)", "save it as 'CSV UTF-8'"]),
        ("table.parquet", csv_text().encode(), ["is not a Parquet file but text (it begins 'child_id,event,date,episode_id')", "name it .csv"]),
        ("names.csv", b"Child ID,Event,Date\nC1,referral,2025-01-06\n",
         ["has no column 'child_id', 'event', 'date'", "did you mean 'Child ID' for 'child_id'?"]),
        ("events.xlsx", b"PK\x03\x04", ["expected a .csv or .parquet file (this one ends in '.xlsx')"]),
    ],
)
def test_refused_in_one_line(
    name: str, content: bytes, fragments: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, name, content)
    message = refused(path, *fragments)
    code, out, err = run_cli(path, tmp_path, capsys)
    assert code == 2 and not out
    lines = [line for line in err.splitlines() if not line.startswith("note: ")]
    assert lines == [f"cinscope score: error: {message}"], err


def test_a_quoted_line_break_counts_in_line_numbers(tmp_path: Path) -> None:
    # Row 1's team spans two lines, so data row 3 starts on line 6, not 5.
    text = csv_text().replace("assessment_start,2025-01-07,E1,,North", 'assessment_start,2025-01-07,E1,,"North\nEast"')
    lines = text.splitlines()
    lines[5] = lines[5].replace("2025-03-17", "2025-03-17 10:00")
    refused(write(tmp_path, "events.csv", "\n".join(lines) + "\n"), "column 'date', line 6: '2025-03-17 10:00'")


def test_parquet_files_that_are_not(tmp_path: Path) -> None:
    EXPECTED.write_parquet(tmp_path / "good.parquet")
    data = (tmp_path / "good.parquet").read_bytes()
    refused(write(tmp_path, "cut.parquet", data[: len(data) // 2]), "is not a complete Parquet file", "write or copy it again")
    refused(write(tmp_path, "good.csv", data), "is a Parquet file, not CSV: name it .parquet")
    refused(write(tmp_path, "zero.parquet", b""), "is empty")
    refused(write(tmp_path, "noise.parquet", b"\x00\x01" * 50), "is not a Parquet file (a Parquet file begins with 'PAR1')")
    # The magic at both ends, garbage between.
    refused(write(tmp_path, "hollow.parquet", b"PAR1" + b"\x00" * 64 + b"PAR1"), "cannot be read as Parquet")


def test_paths_that_are_no_file(tmp_path: Path) -> None:
    refused(tmp_path / "missing.csv", "no such file")
    (tmp_path / "folder.csv").mkdir()
    refused(tmp_path / "folder.csv", "is a folder")
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.csv")
        refused(tmp_path / "pipe.csv", "is not a regular file")


def test_the_command_scores_what_it_reads_and_notes_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # As the command finds it (no --input-format): an events file by its header.
    clean = write(tmp_path, "clean.csv", csv_text())
    code, _, err = run_cli(clean, tmp_path, capsys, say_events=False)
    assert code == 0 and not err
    expected = pl.read_parquet(tmp_path / "out.parquet")
    excel = write(tmp_path, "excel.csv", csv_text(lambda d: d.strftime("%d/%m/%Y 00:00"), newline="\r\n").encode("utf-16"))
    code, _, err = run_cli(excel, tmp_path, capsys, say_events=False)
    assert code == 0 and err.splitlines() == [f"note: {excel}: read as UTF-16 (it begins with a UTF-16 byte-order mark)"]
    assert pl.read_parquet(tmp_path / "out.parquet").equals(expected)
