"""cs.read_ssd: the Standard Safeguarding Dataset importer.

The expected events and findings come from the generator (tests/python/ssd_tables.py), which
counts what it generated following the mapping in docs/ssd.md, and from small tables built
here by hand; none is read back from the importer.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter
from pathlib import Path

import polars as pl
import pytest

import cinscope as cs
import ssd_tables
from cinscope._core import CinscopeError, DataError, SchemaError
from cinscope._imported import Imported

AS_OF = ssd_tables.AS_OF
#: Enough children for every deliberate problem of the generator to occur (the rarest,
#: i % 500 == 1, at child 1; three-episode periods of care at child 54).
CHILDREN = 600
LOOKUPS = ("ssd_person", "ssd_department", "ssd_professionals")
#: The table a ``source`` column names (a file name or a table name).
TABLE = pl.col("source").str.replace(r"\.(csv|parquet)$", "")


# ---------------------------------------------------------------------------------------------
# Helpers


def table_of(label: str) -> str:
    """The SSD table a findings or provenance source names (a file name or a table name)."""
    name = label.rsplit(".", 1)[0] if label.endswith((".csv", ".parquet")) else label
    return name.split(".")[-1]


def assert_accounting(imported: Imported, generated: ssd_tables.Generated, offset: int) -> None:
    """Rows in = rows giving events + rows giving none, each of those named by a finding; the
    events, qualifiers and findings are those the generator expects."""
    events, findings = imported.events, imported.findings
    read = {name: frame.height for name, frame in generated.tables.items() if name != "ssd_contacts"}
    assert imported.counts == read
    assert "ssd_contacts" not in imported.counts  # not a table the mapping needs
    assert imported.source_format == "ssd"

    assert Counter(events["event"].to_list()) == +generated.events
    qualified = events.filter(pl.col("event").is_in(["closure", "cin_plan_start", "visit", "looked_after_end"]))
    assert Counter(qualified.select("event", "qualifier").rows()) == +generated.qualifiers

    got = Counter((table_of(source), code) for source, code in findings.select("source", "code").rows())
    assert got == +generated.findings

    assert findings["row"].null_count() == 0  # every finding names its row
    for table, rows in read.items():
        if table in LOOKUPS:
            continue
        mine = events.filter(TABLE == table)
        with_events = set(mine["source_row"].to_list())
        no_event = set(
            findings.filter(
                (TABLE == table)
                & pl.col("action").is_in(["skipped", "not_an_event"])
            )["row"].to_list()
        )
        assert not with_events & no_event, table
        assert with_events | no_event == set(range(offset, offset + rows)), table
        assert len(no_event) == generated.no_event_rows[table], table
    assert events.schema["child_id"] == pl.String and events.schema["episode_id"] == pl.String
    assert events.schema["date"] == pl.Date
    assert events["child_id"].null_count() == 0 and events["date"].null_count() == 0


@pytest.fixture(scope="module")
def systemc() -> ssd_tables.Generated:
    return ssd_tables.generate(CHILDREN, variant="systemc", dates="text")


@pytest.fixture(scope="module")
def mosaic() -> ssd_tables.Generated:
    return ssd_tables.generate(CHILDREN, variant="mosaic", dates="native")


# ---------------------------------------------------------------------------------------------
# End-to-end row accounting, one test per kind of source


def test_folder_of_csv(tmp_path: Path, systemc: ssd_tables.Generated) -> None:
    systemc.write_csv(tmp_path)
    imported = cs.read_ssd(tmp_path, as_of=AS_OF, provenance=True)
    assert_accounting(imported, systemc, offset=2)  # a CSV's first record is line 2
    assert set(imported.findings["source"]) <= {f"{t}.csv" for t in systemc.tables}


def test_folder_of_parquet(tmp_path: Path) -> None:
    generated = ssd_tables.generate(CHILDREN, variant="systemc", dates="native")
    generated.write_parquet(tmp_path)
    imported = cs.read_ssd(tmp_path, as_of=AS_OF, provenance=True)
    assert_accounting(imported, generated, offset=1)
    assert set(imported.findings["source"]) <= {f"{t}.parquet" for t in generated.tables}


def test_mapping_of_frames_eager_and_lazy(systemc: ssd_tables.Generated) -> None:
    imported = cs.read_ssd(systemc.tables, as_of=AS_OF, provenance=True)
    assert_accounting(imported, systemc, offset=1)
    lazy = {name: frame.lazy() for name, frame in systemc.tables.items()}
    again = cs.read_ssd(lazy, as_of=AS_OF, provenance=True)
    assert again.events.equals(imported.events)
    assert again.findings.equals(imported.findings)


def test_sqlite_through_a_connection(tmp_path: Path, systemc: ssd_tables.Generated) -> None:
    path = tmp_path / "ssd.db"
    systemc.write_sqlite(path)
    with sqlite3.connect(path) as connection:
        imported = cs.read_ssd(connection, as_of=AS_OF, provenance=True)
    connection.close()
    assert_accounting(imported, systemc, offset=1)


def test_sqlite_through_a_uri(tmp_path: Path, systemc: ssd_tables.Generated) -> None:
    pytest.importorskip("adbc_driver_sqlite")
    path = tmp_path / "ssd.db"
    systemc.write_sqlite(path)
    imported = cs.read_ssd(f"sqlite:///{path}", as_of=AS_OF, provenance=True)
    assert_accounting(imported, systemc, offset=1)
    # The same events as the frames give, whatever the route.
    frames = cs.read_ssd(systemc.tables, as_of=AS_OF, provenance=True)
    assert imported.events.sort(pl.all()).equals(frames.events.sort(pl.all()))


def test_sqlite_schema_and_renamed_tables(tmp_path: Path, systemc: ssd_tables.Generated) -> None:
    path = tmp_path / "ssd.db"
    systemc.write_sqlite(path)
    with sqlite3.connect(path) as connection:
        connection.execute('ALTER TABLE "ssd_cin_episodes" RENAME TO "episodes_2026"')
        connection.commit()
        names = {t: t for t in ssd_tables.PERSON_TABLES["systemc"]} | {"ssd_cin_episodes": "episodes_2026"}
        imported = cs.read_ssd(connection, as_of=AS_OF, schema="main", tables=names)
    connection.close()
    assert imported.counts["ssd_cin_episodes"] == systemc.tables["ssd_cin_episodes"].height
    assert "ssd_person" not in imported.counts  # not named: not read
    assert imported.events.filter(pl.col("event") == "referral").height == systemc.events["referral"]


@pytest.mark.parametrize("route", ["csv", "parquet", "frames", "sqlite"])
def test_mosaic_variant(tmp_path: Path, mosaic: ssd_tables.Generated, route: str) -> None:
    """Mosaic column names: cin_plan_id; visits through their plan (no cinv_person_id);
    involvements through their referral (no invo_person_id); numeric ids."""
    assert "cinv_person_id" not in mosaic.tables["ssd_cin_visits"].columns
    assert "cin_plan_id" in mosaic.tables["ssd_cin_plans"].columns
    assert mosaic.tables["ssd_cin_plans"].schema["cin_plan_id"] == pl.Int64
    offset = 1
    if route == "csv":
        mosaic.write_csv(tmp_path)
        source: object = tmp_path
        offset = 2
    elif route == "parquet":
        mosaic.write_parquet(tmp_path)
        source = tmp_path
    elif route == "sqlite":
        mosaic.write_sqlite(tmp_path / "ssd.db")
        source = sqlite3.connect(tmp_path / "ssd.db")
    else:
        source = mosaic.tables
    imported = cs.read_ssd(source, as_of=AS_OF, provenance=True)
    if isinstance(source, sqlite3.Connection):
        source.close()
    assert_accounting(imported, mosaic, offset=offset)
    # Ids are text, as SSD NVARCHAR ids are, even when the build gives numbers.
    assert imported.events["child_id"].str.contains(r"^1\d{5}$").all()


def test_systemc_and_mosaic_give_the_same_events(systemc: ssd_tables.Generated) -> None:
    mosaic_text = ssd_tables.generate(CHILDREN, variant="mosaic", dates="text")
    columns = ["child_id", "event", "date", "episode_id", "qualifier", "team", "worker"]
    a = cs.read_ssd(systemc.tables, as_of=AS_OF).events.select(columns).sort(columns)
    b = cs.read_ssd(mosaic_text.tables, as_of=AS_OF).events.select(columns).sort(columns)
    assert a.equals(b)


# ---------------------------------------------------------------------------------------------
# Each deliberate problem gives its finding, naming table, row and column


@pytest.fixture(scope="module")
def csv_import(tmp_path_factory: pytest.TempPathFactory, systemc: ssd_tables.Generated) -> Imported:
    folder = tmp_path_factory.mktemp("ssd_csv")
    systemc.write_csv(folder)
    return cs.read_ssd(folder, as_of=AS_OF, provenance=True)


def line_of(generated: ssd_tables.Generated, table: str, column: str, value: str) -> int:
    """The CSV line of the first row of ``table`` whose ``column`` is ``value``."""
    index = generated.tables[table].with_row_index().filter(pl.col(column).cast(pl.String) == value)["index"][0]
    return int(index) + 2


def finding(imported: Imported, source: str, row: int, code: str) -> dict[str, object]:
    found = imported.findings.filter((pl.col("source") == source) & (pl.col("row") == row) & (pl.col("code") == code))
    assert found.height == 1, (source, row, code, imported.findings.filter(pl.col("row") == row))
    return found.row(0, named=True)


def test_sentinel_date_is_missing(csv_import: Imported, systemc: ssd_tables.Generated) -> None:
    # Child 7: i % 50 == 7, its assessment (3000007) authorised "1900-01-01 00:00:00.000".
    line = line_of(systemc, "ssd_cin_assessments", "cina_assessment_id", "3000007")
    f = finding(csv_import, "ssd_cin_assessments.csv", line, "SSD001")
    assert f["column"] == "cina_assessment_auth_date" and f["action"] == "repaired"
    assert "1900-01-01" in str(f["message"])
    from_row = csv_import.events.filter(
        (pl.col("source") == "ssd_cin_assessments.csv") & (pl.col("source_row") == line)
    )
    assert from_row["event"].to_list() == ["assessment_start"]  # no authorisation in 1900
    # Child 0: i % 35 == 0, its CIN plan ended "1949-06-01": before 1950, also missing.
    line = line_of(systemc, "ssd_cin_plans", "cinp_cin_plan_id", "6000000")
    assert finding(csv_import, "ssd_cin_plans.csv", line, "SSD001")["column"] == "cinp_cin_plan_end_date"


def test_orphan_person_and_referral(csv_import: Imported, systemc: ssd_tables.Generated) -> None:
    # Child 5 (i % 97 == 5) is not in ssd_person: every row of it is reported and kept.
    line = line_of(systemc, "ssd_cin_episodes", "cine_person_id", "100005")
    f = finding(csv_import, "ssd_cin_episodes.csv", line, "SSD003")
    assert f["column"] == "cine_person_id" and f["action"] == "kept" and "100005" in str(f["message"])
    assert csv_import.events.filter(pl.col("child_id") == "100005").height > 0
    # Child 11 (i % 45 == 11): its assessment names referral 9000011, not in ssd_cin_episodes.
    line = line_of(systemc, "ssd_cin_assessments", "cina_referral_id", "9000011")
    f = finding(csv_import, "ssd_cin_assessments.csv", line, "SSD004")
    assert f["column"] == "cina_referral_id" and f["action"] == "kept"
    kept = csv_import.events.filter((pl.col("child_id") == "100011") & (pl.col("event") == "assessment_start"))
    assert kept["episode_id"].to_list() == ["9000011"]


def test_duplicate_visits_across_tables(csv_import: Imported, systemc: ssd_tables.Generated) -> None:
    # Child 2 (i % 40 == 2): its first CP visit, case note 50000020, is also in ssd_cin_visits.
    cp_line = line_of(systemc, "ssd_cp_visits", "cppv_cp_visit_id", "50000020")
    cin_line = line_of(systemc, "ssd_cin_visits", "cinv_cin_visit_id", "50000020")
    f = finding(csv_import, "ssd_cp_visits.csv", cp_line, "DQ003")
    assert f["action"] == "skipped" and f["column"] == "cppv_cp_visit_id"
    assert f"ssd_cin_visits.csv row {cin_line}" in str(f["message"])
    visits = csv_import.events.filter((pl.col("child_id") == "100002") & (pl.col("event") == "visit"))
    assert visits["date"].n_unique() == visits.height  # one event for the two rows
    # Child 4 (i % 100 == 4): its first looked-after visit, 60000040, likewise.
    la_line = line_of(systemc, "ssd_cla_visits", "clav_cla_visit_id", "60000040")
    assert finding(csv_import, "ssd_cla_visits.csv", la_line, "DQ003")["action"] == "skipped"


def test_local_closure_code(csv_import: Imported, systemc: ssd_tables.Generated) -> None:
    # Child 30 (i % 30 == 0, closed): reason LOCAL.
    line = line_of(systemc, "ssd_cin_episodes", "cine_referral_id", "7000030")
    f = finding(csv_import, "ssd_cin_episodes.csv", line, "DQ002")
    assert f["column"] == "cine_close_reason" and f["action"] == "repaired" and "LOCAL" in str(f["message"])
    closure = csv_import.events.filter((pl.col("child_id") == "100030") & (pl.col("event") == "closure"))
    assert closure["qualifier"].to_list() == [None]
    # Child 3 (closed, i % 27 == 3): RC2, kept as the qualifier.
    other = csv_import.events.filter((pl.col("child_id") == "100003") & (pl.col("event") == "closure"))
    assert sorted(other["qualifier"].to_list()) == ["RC2", "RC8"]  # and the earlier referral's RC8


def test_null_seen_flag(csv_import: Imported, systemc: ssd_tables.Generated) -> None:
    # Child 25's plan (i % 25 == 0): its sixth visit (k = 5), id 70002505, has no seen flag.
    line = line_of(systemc, "ssd_cin_visits", "cinv_cin_visit_id", "70002505")
    f = finding(csv_import, "ssd_cin_visits.csv", line, "DQ016")
    assert f["column"] == "cinv_cin_visit_seen" and f["action"] == "kept"
    visit = csv_import.events.filter((pl.col("source") == "ssd_cin_visits.csv") & (pl.col("source_row") == line))
    assert visit["qualifier"].to_list() == [None]


def test_date_after_the_extract(csv_import: Imported, systemc: ssd_tables.Generated) -> None:
    # Child 1 (i % 500 == 1): its last visit (k = 19, id 70000119) is 10 days after AS_OF.
    line = line_of(systemc, "ssd_cin_visits", "cinv_cin_visit_id", "70000119")
    f = finding(csv_import, "ssd_cin_visits.csv", line, "DQ015")
    assert f["action"] == "kept" and f["column"] == "cinv_cin_visit_date"
    late = csv_import.events.filter((pl.col("source") == "ssd_cin_visits.csv") & (pl.col("source_row") == line))
    assert late["date"].to_list() == [AS_OF + dt.timedelta(days=10)]


def test_documented_non_events(csv_import: Imported, systemc: ssd_tables.Generated) -> None:
    # Child 7 (i % 10 == 7): a conference scheduled, no date.
    line = line_of(systemc, "ssd_initial_cp_conference", "icpc_icpc_id", "2500007")
    assert finding(csv_import, "ssd_initial_cp_conference.csv", line, "SSD007")["action"] == "not_an_event"
    # Child 12 (i % 20 == 12, CP plan open): its second review only due.
    line = line_of(systemc, "ssd_cp_reviews", "cppr_cp_review_id", "2900012")
    assert finding(csv_import, "ssd_cp_reviews.csv", line, "SSD007")["action"] == "not_an_event"
    # Child 54 (i % 100 == 54): the middle episode of three, a change within the period.
    line = line_of(systemc, "ssd_cla_episodes", "clae_cla_episode_id", "4150054")
    f = finding(csv_import, "ssd_cla_episodes.csv", line, "SSD007")
    assert f["action"] == "not_an_event" and "4000054" in str(f["message"])


# ---------------------------------------------------------------------------------------------
# The mapping on small tables built by hand


def episode(ref: str, person: str, date: str, close: str | None = None, reason: str | None = None) -> dict[str, object]:
    return {
        "cine_referral_id": ref, "cine_person_id": person, "cine_referral_date": date,
        "cine_close_date": close, "cine_close_reason": reason, "cine_referral_team": "T1",
        "cine_referral_worker_id": "W1",
    }


def frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={k: pl.String for k in rows[0]})


def test_plan_origin_step_down_and_return_home() -> None:
    """Step down: a CP plan ended within one working day of the CIN plan's start (England bank
    holidays); return home: a period of care ended E4A/E4B that same day."""
    people = ["P1", "P2", "P3", "P4", "P5", "P6"]
    tables = {
        "ssd_person": pl.DataFrame({"pers_person_id": people}),
        "ssd_cin_episodes": frame([episode(f"R{p}", p, "2025-01-06") for p in people]),
        "ssd_cp_plans": frame([
            # P1: CP plan ends Fri 2 May 2025; the CIN plan starts Tue 6 May. Mon 5 May is the
            # Early May bank holiday, so (Fri, Tue] holds one working day (Tue): a step down.
            {"cppl_cp_plan_id": "C1", "cppl_referral_id": "RP1", "cppl_person_id": "P1",
             "cppl_cp_plan_start_date": "2025-02-03", "cppl_cp_plan_end_date": "2025-05-02"},
            # P2: the same end, the CIN plan on Wed 7 May: (Fri, Wed] holds Tue and Wed, two
            # working days: not a step down.
            {"cppl_cp_plan_id": "C2", "cppl_referral_id": "RP2", "cppl_person_id": "P2",
             "cppl_cp_plan_start_date": "2025-02-03", "cppl_cp_plan_end_date": "2025-05-02"},
            # P3: a CP plan ends the day after the CIN plan starts (Thu 10 -> Fri 11 July).
            {"cppl_cp_plan_id": "C3", "cppl_referral_id": "RP3", "cppl_person_id": "P3",
             "cppl_cp_plan_start_date": "2025-02-03", "cppl_cp_plan_end_date": "2025-07-11"},
        ]),
        "ssd_cla_episodes": frame([
            {"clae_cla_episode_id": "E4", "clae_person_id": "P4", "clae_cla_episode_start_date": "2025-02-01",
             "clae_cla_episode_start_reason": "S", "clae_cla_episode_ceased_date": "2025-06-02",
             "clae_cla_episode_ceased_reason": "E4A", "clae_cla_id": "L4", "clae_referral_id": "RP4"},
            {"clae_cla_episode_id": "E5", "clae_person_id": "P5", "clae_cla_episode_start_date": "2025-02-01",
             "clae_cla_episode_start_reason": "S", "clae_cla_episode_ceased_date": "2025-06-02",
             "clae_cla_episode_ceased_reason": "E4B", "clae_cla_id": "L5", "clae_referral_id": "RP5"},
            # P6: returned home (E4A) a day before the CIN plan: not the same day.
            {"clae_cla_episode_id": "E6", "clae_person_id": "P6", "clae_cla_episode_start_date": "2025-02-01",
             "clae_cla_episode_start_reason": "S", "clae_cla_episode_ceased_date": "2025-06-01",
             "clae_cla_episode_ceased_reason": "E4A", "clae_cla_id": "L6", "clae_referral_id": "RP6"},
        ]),
        "ssd_cin_plans": frame([
            {"cinp_cin_plan_id": f"N{p}", "cinp_referral_id": f"R{p}", "cinp_person_id": p, "cinp_cin_plan_start_date": d}
            for p, d in [("P1", "2025-05-06"), ("P2", "2025-05-07"), ("P3", "2025-07-10"), ("P4", "2025-06-02"),
                         ("P5", "2025-06-02 00:00:00.000"), ("P6", "2025-06-02")]
        ]),
    }
    imported = cs.read_ssd(tables, tables=list(tables))
    starts = dict(imported.events.filter(pl.col("event") == "cin_plan_start").select("child_id", "qualifier").rows())
    assert starts == {
        "P1": "step_down_cp", "P2": "assessment", "P3": "step_down_cp",
        "P4": "return_home_planned", "P5": "return_home_unplanned", "P6": "assessment",
    }
    ends = dict(imported.events.filter(pl.col("event") == "looked_after_end").select("child_id", "qualifier").rows())
    assert ends == {"P4": "return_home_planned", "P5": "return_home_unplanned", "P6": "return_home_planned"}


#: Child ids as text, and as numbers (held as integers inside the importer: another code path).
CHILD_IDS = pytest.mark.parametrize("child", ["P1", "101"])


@CHILD_IDS
def test_visit_qualifiers_flags_and_labels(child: str) -> None:
    tables = {
        "ssd_person": pl.DataFrame({"pers_person_id": [child, "999"]}),
        # Another child, with an involvement of its own, between the first child's dates.
        "ssd_cin_episodes": frame([episode("R1", child, "2025-01-06"), episode("R0", "999", "2025-02-10")]),
        "ssd_cin_visits": frame([
            {"cinv_cin_visit_id": "V1", "cinv_person_id": child, "cinv_cin_visit_date": "2025-02-03 10:15:00.000",
             "cinv_cin_visit_seen": "Y", "cinv_cin_visit_seen_alone": "Y"},
            {"cinv_cin_visit_id": "V2", "cinv_person_id": child, "cinv_cin_visit_date": "2025-02-10 16:00:00.000",
             "cinv_cin_visit_seen": "Yes", "cinv_cin_visit_seen_alone": "No"},
            {"cinv_cin_visit_id": "V3", "cinv_person_id": child, "cinv_cin_visit_date": "2025-02-17",
             "cinv_cin_visit_seen": "N", "cinv_cin_visit_seen_alone": None},
            {"cinv_cin_visit_id": "V4", "cinv_person_id": child, "cinv_cin_visit_date": "2025-02-24",
             "cinv_cin_visit_seen": None, "cinv_cin_visit_seen_alone": None},
            {"cinv_cin_visit_id": "V5", "cinv_person_id": child, "cinv_cin_visit_date": "2025-03-03",
             "cinv_cin_visit_seen": " yes ", "cinv_cin_visit_seen_alone": "maybe"},
            {"cinv_cin_visit_id": "V6", "cinv_person_id": child, "cinv_cin_visit_date": "2025-03-10",
             "cinv_cin_visit_seen": "X", "cinv_cin_visit_seen_alone": "N"},
        ]),
        "ssd_involvements": frame([
            # Worker W2 of team T2 from 1 Feb to 21 Feb; W3 of team T3 from 1 March.
            {"invo_involvements_id": "I1", "invo_professional_id": "W2", "invo_professional_team": "T2",
             "invo_person_id": child, "invo_involvement_start_date": "2025-02-01",
             "invo_involvement_end_date": "2025-02-21", "invo_referral_id": "R1"},
            {"invo_involvements_id": "I2", "invo_professional_id": "W3", "invo_professional_team": "T3",
             "invo_person_id": child, "invo_involvement_start_date": "2025-03-01",
             "invo_involvement_end_date": None, "invo_referral_id": "R1"},
            {"invo_involvements_id": "I9", "invo_professional_id": "W1", "invo_professional_team": "T1",
             "invo_person_id": "999", "invo_involvement_start_date": "2025-02-10",
             "invo_involvement_end_date": None, "invo_referral_id": "R0"},
        ]),
        "ssd_department": pl.DataFrame({"dept_team_id": ["T1", "T2"], "dept_team_name": ["Front Door", "Family Support"]}),
        "ssd_professionals": pl.DataFrame({"prof_professional_id": ["W1", "W2"], "prof_professional_name": ["A Smith", "B Jones"]}),
    }
    imported = cs.read_ssd(tables, tables=list(tables), provenance=True)
    visits = imported.events.filter(pl.col("event") == "visit").sort("date")
    assert visits["qualifier"].to_list() == ["seen_alone", "seen", "not_seen", None, "seen", None]
    # Visits have no team of their own: the involvement open on the day, named where
    # ssd_department and ssd_professionals name it (T3 and W3 have no name: their ids). On
    # 24 Feb no involvement is open (W2's ended on the 21st, W3's starts on 1 March).
    assert visits.select("team", "worker").rows() == (
        [("Family Support", "B Jones")] * 3 + [(None, None)] + [("T3", "W3")] * 2
    )
    assert visits["episode_id"].to_list() == ["R1"] * 6  # the referral open on the date
    referral = imported.events.filter((pl.col("event") == "referral") & (pl.col("child_id") == child))
    assert referral.select("team", "worker").row(0) == ("Front Door", "A Smith")
    allocated = imported.events.filter((pl.col("event") == "allocated") & (pl.col("child_id") == child)).sort("date")
    assert allocated.select("date", "episode_id", "team", "worker").rows() == [
        (dt.date(2025, 2, 1), "R1", "Family Support", "B Jones"),
        (dt.date(2025, 3, 1), "R1", "T3", "W3"),
    ]
    codes = imported.findings.sort("row", "code").select("row", "column", "code").rows()
    assert codes == [
        (4, "cinv_cin_visit_seen", "DQ016"),           # V4: no seen flag
        (5, "cinv_cin_visit_seen_alone", "SSD009"),    # V5: 'maybe'
        (6, "cinv_cin_visit_seen", "DQ016"),           # V6: 'X' is not a flag, so no qualifier
        (6, "cinv_cin_visit_seen", "SSD009"),
    ]
    # allocations=False: no allocated events, the involvements still label the visits.
    without = cs.read_ssd(tables, tables=list(tables), allocations=False)
    assert "allocated" not in without.events["event"].to_list()
    assert without.events.filter(pl.col("event") == "visit")["team"].to_list()[0] == "Family Support"
    assert without.findings.filter(pl.col("source") == "ssd_involvements")["action"].to_list() == ["not_an_event"]


def test_dates_of_every_form() -> None:
    """DATETIME text, ISO text, dd/mm/yyyy, native Date and Datetime; placeholders and text."""
    dates = [
        ("R1", "2024-12-10 00:00:00.000", dt.date(2024, 12, 10)),
        ("R2", "2024-12-10 23:59:59.997", dt.date(2024, 12, 10)),
        ("R3", "2024-12-10T08:30:00", dt.date(2024, 12, 10)),
        ("R4", "2024-12-10", dt.date(2024, 12, 10)),
        ("R5", "10/12/2024", dt.date(2024, 12, 10)),
        ("R6", "1900-01-01 00:00:00.000", None),   # SSD001
        ("R7", "1949-12-31", None),                # SSD001
        ("R8", "1950-01-01", dt.date(1950, 1, 1)),
        ("R9", "unknown", None),                   # SSD002
        ("R10", "2024-02-30", None),               # SSD002
        ("R11", "NULL", None),                     # an export's null: no finding
    ]
    episodes = pl.DataFrame({
        "cine_referral_id": [r for r, _, _ in dates],
        "cine_person_id": [f"P{r}" for r, _, _ in dates],
        "cine_referral_date": [d for _, d, _ in dates],
    })
    imported = cs.read_ssd({"ssd_cin_episodes": episodes}, tables=["ssd_cin_episodes"])
    got = dict(imported.events.select("episode_id", "date").rows())
    assert got == {r: d for r, _, d in dates if d is not None}
    by_row = {row: code for row, code in imported.findings.filter(pl.col("code").str.starts_with("SSD00")
              & (pl.col("code") != "SSD006")).select("row", "code").rows()}
    assert by_row == {6: "SSD001", 7: "SSD001", 9: "SSD002", 10: "SSD002"}
    # Every row without a date is accounted for: R6, R7, R9, R10 and R11, skipped (SSD006).
    skipped = imported.findings.filter(pl.col("code") == "SSD006")["row"].to_list()
    assert sorted(skipped) == [6, 7, 9, 10, 11]
    message = imported.findings.filter((pl.col("row") == 9) & (pl.col("code") == "SSD002"))["message"].item()
    assert "'unknown' is not a date" in message
    # Native dtypes.
    native = episodes.head(1).with_columns(cine_referral_date=pl.lit(dt.datetime(2024, 12, 10, 14, 5)))
    assert cs.read_ssd({"ssd_cin_episodes": native}, tables=["ssd_cin_episodes"]).events["date"].to_list() == [
        dt.date(2024, 12, 10)
    ]
    native = episodes.head(1).with_columns(cine_referral_date=pl.lit(dt.date(1900, 1, 1)))
    assert cs.read_ssd({"ssd_cin_episodes": native}, tables=["ssd_cin_episodes"]).findings["code"].to_list() == [
        "SSD001", "SSD006"
    ]


def test_ids_are_text() -> None:
    episodes = pl.DataFrame({
        "cine_referral_id": [7001.0, 7002.0, None],
        "cine_person_id": [" 0042 ", "42", "43"],
        "cine_referral_date": ["2025-01-06", "2025-01-07", "2025-01-08"],
    })
    imported = cs.read_ssd({"ssd_cin_episodes": episodes}, tables=["ssd_cin_episodes"])
    # Surrounding spaces go; leading zeros stay: '0042' and '42' are two children.
    assert imported.events.select("child_id", "episode_id").rows() == [("0042", "7001"), ("42", "7002"), ("43", None)]


def test_strategy_discussions_and_s47_end() -> None:
    tables = {
        "ssd_cin_episodes": frame([episode("R1", "P1", "2025-01-06")]),
        "ssd_s47_enquiry": frame([{
            "s47e_s47_enquiry_id": "S1", "s47e_referral_id": "R1", "s47e_person_id": "P1",
            "s47e_s47_start_date": "2025-01-07", "s47e_s47_end_date": "2025-01-20",
        }]),
        "ssd_cp_reviews": frame([{
            "cppr_cp_review_id": "V1", "cppr_person_id": "P1", "cppr_cp_plan_id": "C1",
            "cppr_cp_review_date": "2025-04-01",
        }]),
    }
    plain = cs.read_ssd(tables, tables=list(tables))
    assert sorted(plain.events.select("event", "date").rows()) == [
        ("cp_review", dt.date(2025, 4, 1)), ("referral", dt.date(2025, 1, 6)),
        ("s47_end", dt.date(2025, 1, 20)), ("s47_start", dt.date(2025, 1, 7)),
    ]
    both = cs.read_ssd(tables, tables=list(tables), strategy_discussions=True)
    assert both.events.filter(pl.col("event") == "strategy_discussion")["date"].to_list() == [dt.date(2025, 1, 7)]


@CHILD_IDS
def test_episode_of_a_visit_without_a_referral_id(child: str) -> None:
    """SystemC visits name no plan or referral: they take the referral open on their date."""
    tables = {
        "ssd_cin_episodes": frame([
            episode("R1", child, "2024-01-08", "2024-06-03", "RC1"),
            episode("R2", child, "2025-01-06"),
            # Another child, referred in between: never the first child's episode.
            episode("R3", "555", "2024-09-02"),
        ]),
        "ssd_cin_visits": frame([
            {"cinv_cin_visit_id": v, "cinv_person_id": p, "cinv_cin_visit_date": d, "cinv_cin_visit_seen": "Y"}
            for v, p, d in [
                ("V1", child, "2023-12-01"), ("V2", child, "2024-03-01"), ("V3", child, "2025-01-06"),
                ("V4", child, "2025-02-01"), ("V5", child, "2024-10-01"), ("V6", "555", "2024-09-03"),
                ("V7", "555", "2024-08-01"),
            ]
        ]),
    }
    imported = cs.read_ssd(tables, tables=list(tables))
    visits = dict(imported.events.filter(pl.col("event") == "visit").select("date", "episode_id").rows())
    assert visits == {
        dt.date(2023, 12, 1): "R1",  # before any referral: the child's first episode (the scorer: DQ014)
        dt.date(2024, 3, 1): "R1",
        dt.date(2024, 10, 1): "R1",  # after R1 closed, before R2: R1 (the scorer: DQ005)
        dt.date(2025, 1, 6): "R2",   # the day of R2
        dt.date(2025, 2, 1): "R2",
        dt.date(2024, 9, 3): "R3",
        dt.date(2024, 8, 1): "R3",   # the other child's only episode
    }


def test_missing_optional_tables_and_columns_are_reported() -> None:
    episodes = pl.DataFrame({"cine_referral_id": ["R1"], "cine_person_id": ["P1"], "cine_referral_date": ["2025-01-06"]})
    visits = pl.DataFrame({"cinv_cin_visit_id": ["V1"], "cinv_person_id": ["P1"], "cinv_cin_visit_date": ["2025-02-03"]})
    imported = cs.read_ssd({"ssd_cin_episodes": episodes, "ssd_cin_visits": visits})
    missing = imported.findings.filter(pl.col("code") == "SSD008")
    assert set(missing["source"]) >= {"ssd_person", "ssd_cin_assessments", "ssd_cin_plans", "ssd_cla_episodes", "ssd_cin_visits"}
    assert missing.filter(pl.col("source") == "ssd_cin_visits")["column"].to_list() == ["cinv_cin_visit_seen"]
    assert imported.events.select("event", "qualifier").rows() == [("referral", None), ("visit", None)]
    assert imported.counts == {"ssd_cin_episodes": 1, "ssd_cin_visits": 1}


def test_header_case_and_bom_and_windows_1252(tmp_path: Path) -> None:
    rows = "R1,P1,2024-12-10 00:00:00.000,2025-01-06 00:00:00.000,RC4\r\n"
    header = "CINE_REFERRAL_ID,cine_person_id,cine_referral_date,cine_close_date,cine_close_reason\r\n"
    (tmp_path / "ssd_cin_episodes.csv").write_bytes(b"\xef\xbb\xbf" + (header + rows).encode("utf-8"))
    (tmp_path / "ssd_person.csv").write_bytes("pers_person_id,pers_forename\r\nP1,Zoë\r\n".encode("utf-8-sig"))
    imported = cs.read_ssd(tmp_path, tables=["ssd_cin_episodes", "ssd_person"])
    assert imported.events.select("child_id", "event", "qualifier").rows() == [
        ("P1", "referral", None), ("P1", "closure", "RC4")
    ]
    assert imported.findings.is_empty()
    # The same file saved by Excel as Windows-1252 (é is byte 0xE9 there).
    cp = tmp_path / "cp1252"
    cp.mkdir()
    (cp / "ssd_cin_episodes.csv").write_bytes((header + rows).encode("utf-8"))
    (cp / "ssd_cin_assessments.csv").write_bytes(
        "cina_assessment_id,cina_person_id,cina_referral_id,cina_assessment_start_date,cina_assessment_team\r\n"
        "A1,P1,R1,2024-12-11,Équipe Sud\r\n".encode("cp1252")
    )
    with pytest.raises(DataError) as error:
        cs.read_ssd(cp, tables=["ssd_cin_episodes", "ssd_cin_assessments"])
    message = str(error.value)
    assert "ssd_cin_assessments.csv line 2, column 21 (byte 0xC9)" in message and "encoding='cp1252'" in message
    fixed = cs.read_ssd(cp, tables=["ssd_cin_episodes", "ssd_cin_assessments"], encoding="cp1252")
    assert fixed.events.filter(pl.col("event") == "assessment_start")["team"].to_list() == ["Équipe Sud"]


# ---------------------------------------------------------------------------------------------
# Bad input: a clear CinscopeError naming table, file, row or column; never a traceback


def write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


EPISODES_CSV = "cine_referral_id,cine_person_id,cine_referral_date\nR1,P1,2025-01-06\n"


def test_missing_required_table(tmp_path: Path) -> None:
    write(tmp_path, "ssd_person.csv", "pers_person_id\nP1\n")
    with pytest.raises(SchemaError, match="required table ssd_cin_episodes not found: no file named ssd_cin_episodes"):
        cs.read_ssd(tmp_path)
    with pytest.raises(SchemaError, match="ssd_cin_episodes is required"):
        cs.read_ssd(tmp_path, tables=["ssd_person"])
    with pytest.raises(SchemaError, match="ssd_contacts is not read by read_ssd"):
        cs.read_ssd(tmp_path, tables=["ssd_cin_episodes", "ssd_contacts"])
    with pytest.raises(SchemaError, match="required table ssd_person not found"):
        cs.read_ssd({"ssd_cin_episodes": pl.DataFrame({"x": [1]})}, tables=["ssd_cin_episodes", "ssd_person"])


def test_missing_required_column(tmp_path: Path) -> None:
    write(tmp_path, "ssd_cin_episodes.csv", "cine_referral_id,cine_person_id,referral_date\nR1,P1,2025-01-06\n")
    with pytest.raises(SchemaError, match=r"ssd_cin_episodes.csv: required column cine_referral_date is missing \(columns present: cine_referral_id, cine_person_id, referral_date\)"):
        cs.read_ssd(tmp_path)
    # Mosaic visits need their plan when they have no person.
    write(tmp_path / "b", "ssd_cin_episodes.csv", EPISODES_CSV)
    write(tmp_path / "b", "ssd_cin_visits.csv", "cinv_cin_visit_id,cinv_cin_visit_date\nV1,2025-02-03\n")
    with pytest.raises(SchemaError, match="ssd_cin_visits.csv: needs one of the columns cinv_person_id, cinv_cin_plan_id"):
        cs.read_ssd(tmp_path / "b")


def test_unreadable_files(tmp_path: Path) -> None:
    write(tmp_path, "ssd_cin_episodes.parquet", "this is not parquet")
    with pytest.raises(DataError, match="ssd_cin_episodes.parquet: cannot be read as PARQUET"):
        cs.read_ssd(tmp_path)
    write(tmp_path / "b", "ssd_cin_episodes.csv", "")
    with pytest.raises(DataError, match="ssd_cin_episodes.csv: cannot be read as CSV"):
        cs.read_ssd(tmp_path / "b")
    write(tmp_path / "c", "ssd_cin_episodes.csv", EPISODES_CSV)
    write(tmp_path / "c", "ssd_cin_episodes.parquet", "x")
    with pytest.raises(SchemaError, match="table ssd_cin_episodes is there twice"):
        cs.read_ssd(tmp_path / "c")


def test_text_in_a_date_column_is_a_finding(tmp_path: Path) -> None:
    write(tmp_path, "ssd_cin_episodes.csv", "cine_referral_id,cine_person_id,cine_referral_date\nR1,P1,2025-01-06\nR2,P2,next Tuesday\n")
    imported = cs.read_ssd(tmp_path)
    f = finding(imported, "ssd_cin_episodes.csv", 3, "SSD002")
    assert f["column"] == "cine_referral_date" and "'next Tuesday' is not a date" in str(f["message"])
    assert finding(imported, "ssd_cin_episodes.csv", 3, "SSD006")["action"] == "skipped"


def test_wrong_kinds_of_source(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such folder"):
        cs.read_ssd(tmp_path / "nowhere")
    write(tmp_path, "ssd_cin_episodes.csv", EPISODES_CSV)
    with pytest.raises(DataError, match="not a folder"):
        cs.read_ssd(tmp_path / "ssd_cin_episodes.csv")
    with pytest.raises(SchemaError, match="cannot read SSD tables from a int"):
        cs.read_ssd(42)
    with pytest.raises(SchemaError, match="pass a mapping of SSD table names to frames"):
        cs.read_ssd(pl.DataFrame({"a": [1]}))
    with pytest.raises(SchemaError, match="table ssd_cin_episodes: expected a polars DataFrame or LazyFrame, got dict"):
        cs.read_ssd({"ssd_cin_episodes": {"cine_referral_id": ["R1"]}})
    with pytest.raises(SchemaError, match="as_of must be a date"):
        cs.read_ssd(tmp_path.parent, as_of="2026-03-31")  # type: ignore[arg-type]


def test_database_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()
    connection = sqlite3.connect(path)
    with pytest.raises(SchemaError, match=r"required table ssd_cin_episodes not found: no table named ssd_cin_episodes \(no such table"):
        cs.read_ssd(connection)
    connection.close()
    # Without the optional extra, a URI names it.
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec",
        lambda name, *a: None if name in ("adbc_driver_sqlite", "connectorx") else real(name, *a),
    )
    with pytest.raises(CinscopeError, match=r"pip install 'cinscope\[database\]'"):
        cs.read_ssd(f"sqlite:///{path}")


# ---------------------------------------------------------------------------------------------
# Scoring what was read: NAT-ASMT-01 on hand-computed cases


def test_score_nat_asmt_01() -> None:
    """NAT-ASMT-01: assessment authorised within 45 working days of the referral (England and
    Wales bank holidays).

    Referral Tue 10 Dec 2024. Working days after it: Dec 11-13 (3), 16-20 (8), 23-24 (10),
    25 and 26 Dec are bank holidays, 27 (11), 30-31 (13); 1 Jan is a bank holiday, Jan 2-3
    (15), 6-10 (20), 13-17 (25), 20-24 (30), 27-31 (35), Feb 3-7 (40), 10, 11, 12, 13, 14 (45):
    due Fri 14 Feb 2025.

    Referral Thu 10 Apr 2025. Apr 11 (1), 14-17 (5), Good Friday 18 and Easter Monday 21 Apr
    are bank holidays, 22-25 (9), Apr 28-May 2 (14), 5 May bank holiday, 6-9 (18), 12-16 (23),
    19-23 (28), 26 May bank holiday, 27-30 (32), Jun 2-6 (37), 9-13 (42), 16, 17, 18 (45): due
    Wed 18 Jun 2025.
    """
    cases = [
        # child, referral, assessment start, authorisation, expected status
        ("A1", "2024-12-10 00:00:00.000", "2024-12-11 00:00:00.000", "2025-02-14 00:00:00.000", "met"),
        ("A2", "2024-12-10 00:00:00.000", "2024-12-11 00:00:00.000", "2025-02-17 00:00:00.000", "late"),
        ("B1", "2025-04-10 00:00:00.000", "2025-04-10 00:00:00.000", "2025-06-18 00:00:00.000", "met"),
        ("B2", "2025-04-10 00:00:00.000", "2025-04-10 00:00:00.000", None, "overdue"),
        ("B3", "2025-04-10 00:00:00.000", "2025-04-10 00:00:00.000", "2025-06-19 00:00:00.000", "late"),
        # The 1900 placeholder is no authorisation: still open, overdue at the as-of date.
        ("B4", "2025-04-10 00:00:00.000", "2025-04-10 00:00:00.000", "1900-01-01 00:00:00.000", "overdue"),
    ]
    tables = {
        "ssd_person": pl.DataFrame({"pers_person_id": [c[0] for c in cases]}),
        "ssd_cin_episodes": pl.DataFrame({
            "cine_referral_id": [f"R{c[0]}" for c in cases],
            "cine_person_id": [c[0] for c in cases],
            "cine_referral_date": [c[1] for c in cases],
        }),
        "ssd_cin_assessments": pl.DataFrame({
            "cina_assessment_id": [f"A{c[0]}" for c in cases],
            "cina_person_id": [c[0] for c in cases],
            "cina_referral_id": [f"R{c[0]}" for c in cases],
            "cina_assessment_start_date": [c[2] for c in cases],
            "cina_assessment_auth_date": [c[3] for c in cases],
        }, schema_overrides={"cina_assessment_auth_date": pl.String}),
    }
    as_of = dt.date(2025, 7, 1)
    events, findings = cs.read_ssd(tables, as_of=as_of, tables=list(tables))
    assert findings.select("source", "row", "code").rows() == [("ssd_cin_assessments", 6, "SSD001")]
    obligations = cs.score(events, "national", as_of=as_of).filter(pl.col("rule") == "NAT-ASMT-01")
    got = {child: (due, str(status)) for child, due, status in obligations.select("child_id", "due_date", "status").rows()}
    due_a, due_b = dt.date(2025, 2, 14), dt.date(2025, 6, 18)
    assert got == {
        c[0]: (due_a if c[0].startswith("A") else due_b, c[4]) for c in cases
    }
    late = obligations.filter(pl.col("child_id") == "A2")["working_days_late"].item()
    assert late == 1  # Mon 17 Feb is the first working day after Fri 14 Feb


def test_scoring_a_generated_extract_reports_no_unknown_events(systemc: ssd_tables.Generated) -> None:
    events = cs.read_ssd(systemc.tables, as_of=AS_OF).events
    codes = set(cs.check_events(events)["code"].to_list())
    assert "DQ001" not in codes  # every event name is in the vocabulary
    assert "DQ002" not in codes  # every qualifier is allowed for its event
    obligations = cs.score(events, "national", as_of=AS_OF)
    assert obligations.filter(pl.col("rule") == "NAT-ASMT-01").height > 0


def test_exported() -> None:
    assert "read_ssd" in cs.__all__ and cs.read_ssd is cs.ssd.read_ssd
