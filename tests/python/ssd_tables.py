"""Synthetic Standard Safeguarding Dataset (SSD) tables with known contents, for tests and benchmarks.

Written from the SSD's published table definitions (Data to Insight, ``ssd-data-model``,
release 1.4.5: the SystemC/Liquidlogic ``CREATE TABLE`` statements, the field specification and
the cross-CMS comparison), not from cinscope's importer: the expected events and findings below
are counted from what was generated, following the mapping in docs/ssd.md.

Every child ``i`` (0-based) gets a history fixed by ``i`` (the dates are spread by a seeded
random offset, which no count depends on):

* one referral (``cine_referral_id`` 7000000+i), closed 200 days later when ``i % 3 == 0``;
  children with ``i % 10 == 3`` also have an earlier, closed referral (8000000+i);
* a single assessment per referral except when ``i % 20 == 19`` (no further action), open
  (no authorisation date) when ``i % 11 == 10``;
* a Child in Need plan 60 days after the referral when ``i % 5`` is 0 or 1 (ended after 120
  days when ``i % 5 == 0``), with a case-note visit every 10 days while it lasts (12 or 20);
* a section 47 enquiry when ``i % 5 == 2``: an initial conference held 14 days later and a
  child protection plan from that day when ``i % 10 == 2`` (three CP visits, one review held,
  a second review only due while the plan is open), a conference only scheduled when
  ``i % 10 == 7``; the CP plan ends after 180 days when ``i % 20 == 2`` and a CIN plan starts
  that same day (a step down from child protection);
* a period of care when ``i % 25 == 4`` (two episodes, a placement change then a return home,
  E4A when ``i % 50 == 4`` and E4B when ``i % 50 == 29``, three episodes when
  ``i % 100 == 54``; a CIN plan starts on the day of the return home) or ``i % 25 == 9``
  (still looked after), with two looked-after visits when ``i % 25 == 4``;
* an involvement per referral (a case worker), and a second (worker change) when ``i % 8 == 0``.

Deliberate problems (``problems=True``):

* P1 placeholder dates: the assessment authorisation of ``i % 50 == 7`` is ``1900-01-01`` and
  the end of the CIN plan of ``i % 35 == 0`` is ``1949-06-01`` (both before 1950: missing);
* P2 orphan persons: children ``i % 97 == 5`` are missing from ``ssd_person``;
* P3 orphan referrals: the assessment of ``i % 45 == 11`` names referral 9000000+i;
* P4 duplicate visits: the first CP visit of ``i % 40 == 2`` and the first looked-after visit of
  ``i % 100 == 4`` also appear in ``ssd_cin_visits`` (same case-note id and date);
* P5 local closure codes: the closure of ``i % 30 == 0`` has reason ``LOCAL``;
* P6 null seen flags: the sixth visit (k = 5) of the plans of ``i % 25 == 0``;
* P7 a date after the extract: the last visit of ``i % 500 == 1`` is 10 days after ``AS_OF``.

Column variants: ``variant="systemc"`` (SystemC/Liquidlogic names) or ``"mosaic"``
(``ssd_cin_plans.cin_plan_id``; ``ssd_cin_visits`` with ``cinv_cin_plan_id`` and no
``cinv_person_id``; ``ssd_involvements`` without ``invo_person_id``; ``ssd_cp_plans`` without
``cppl_cp_plan_ola``; extra ``ssd_cp_reviews`` columns; numeric ids). ``dates="text"`` writes
dates as SQL Server DATETIME exports (``2024-12-10 00:00:00.000``; visits with their times),
``dates="native"`` as Polars Datetime.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import polars as pl

AS_OF = dt.date(2026, 3, 31)
BASE = np.datetime64("2020-01-06", "D")

Variant = Literal["systemc", "mosaic"]
Dates = Literal["text", "native"]

#: Tables that carry a person id column, per variant (the SSD003 check applies to them).
PERSON_TABLES: dict[str, tuple[str, ...]] = {
    "systemc": (
        "ssd_cin_episodes", "ssd_cin_assessments", "ssd_cin_plans", "ssd_cin_visits", "ssd_s47_enquiry",
        "ssd_initial_cp_conference", "ssd_cp_plans", "ssd_cp_visits", "ssd_cp_reviews", "ssd_cla_episodes",
        "ssd_cla_visits", "ssd_involvements",
    ),
    "mosaic": (
        "ssd_cin_episodes", "ssd_cin_assessments", "ssd_cin_plans", "ssd_s47_enquiry",
        "ssd_initial_cp_conference", "ssd_cp_plans", "ssd_cp_visits", "ssd_cp_reviews", "ssd_cla_episodes",
        "ssd_cla_visits",
    ),
}


@dataclass
class Generated:
    """SSD tables and what an importer following the documented mapping must make of them."""

    tables: dict[str, pl.DataFrame]
    variant: str
    as_of: dt.date
    children: int
    #: Expected events per event name.
    events: Counter[str] = field(default_factory=Counter)
    #: Expected events per (event, qualifier) for closure, cin_plan_start, visit, looked_after_end.
    qualifiers: Counter[tuple[str, str | None]] = field(default_factory=Counter)
    #: Expected findings per (table, code), one per row.
    findings: Counter[tuple[str, str]] = field(default_factory=Counter)
    #: Rows per table that give no event (each named by a skipped or not_an_event finding).
    no_event_rows: Counter[str] = field(default_factory=Counter)

    def rows(self) -> dict[str, int]:
        return {name: frame.height for name, frame in self.tables.items()}

    def write_csv(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for name, frame in self.tables.items():
            _as_text(frame).write_csv(folder / f"{name}.csv")

    def write_parquet(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for name, frame in self.tables.items():
            frame.write_parquet(folder / f"{name}.parquet")

    def write_sqlite(self, path: Path) -> None:
        """Each table into an SQLite file with the stdlib driver (dates as DATETIME text)."""
        with sqlite3.connect(path) as con:
            for name, frame in self.tables.items():
                text = _as_text(frame, keep_ints=True)
                columns = ", ".join(f'"{c}"' for c in text.columns)
                con.execute(f'DROP TABLE IF EXISTS "{name}"')
                con.execute(f'CREATE TABLE "{name}" ({columns})')
                marks = ", ".join("?" for _ in text.columns)
                con.executemany(f'INSERT INTO "{name}" VALUES ({marks})', text.iter_rows())
        con.close()


def _as_text(frame: pl.DataFrame, keep_ints: bool = False) -> pl.DataFrame:
    """Datetime columns as SQL Server DATETIME text; integers as text unless ``keep_ints``."""
    exprs = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.Datetime):
            exprs.append(pl.col(name).dt.strftime("%Y-%m-%d %H:%M:%S.000"))
        elif dtype.is_integer() and not keep_ints:
            exprs.append(pl.col(name).cast(pl.String))
        else:
            exprs.append(pl.col(name))
    return frame.select(exprs)


def _days(values: np.ndarray) -> np.ndarray:
    return values.astype("timedelta64[D]")


class _Dates:
    """Turns day arrays (with a NaT for missing) into the chosen date representation."""

    def __init__(self, dates: Dates) -> None:
        self.mode = dates

    def col(self, name: str, days: np.ndarray, minutes: np.ndarray | None = None) -> pl.Series:
        stamp = days.astype("datetime64[m]")
        if minutes is not None:
            stamp = stamp + minutes.astype("timedelta64[m]")
        series = pl.Series(name, stamp.astype("datetime64[ms]"))
        if self.mode == "native":
            return series
        return series.dt.strftime("%Y-%m-%d %H:%M:%S.000")


def _ids(name: str, values: np.ndarray, variant: Variant) -> pl.Series:
    series = pl.Series(name, values.astype(np.int64))
    return series if variant == "mosaic" else series.cast(pl.String)


def _flags(name: str, values: np.ndarray, yes_no: np.ndarray) -> pl.Series:
    """1 -> Y (or Yes), 0 -> N (or No), -1 -> null."""
    short = np.where(values == 1, "Y", "N")
    long = np.where(values == 1, "Yes", "No")
    text = np.where(yes_no, long, short).astype(object)
    text[values == -1] = None
    return pl.Series(name, text, dtype=pl.String)


def generate(
    children: int,
    *,
    variant: Variant = "systemc",
    dates: Dates = "text",
    seed: int = 2026,
    problems: bool = True,
) -> Generated:
    """Generate the SSD tables of ``children`` children (see the module docstring)."""
    n = children
    i = np.arange(n, dtype=np.int64)
    rng = np.random.default_rng(seed)
    ref = BASE + _days(rng.integers(0, 1800, n))
    nat = np.datetime64("NaT", "D")
    d = _Dates(dates)
    out = Generated(tables={}, variant=variant, as_of=AS_OF, children=n)
    ev, q, fi, ne = out.events, out.qualifiers, out.findings, out.no_event_rows
    orphan_person = (i % 97 == 5) if problems else np.zeros(n, bool)

    def team(idx: np.ndarray) -> pl.Series:
        return pl.Series((1 + idx % 8).astype(str))

    def worker(idx: np.ndarray) -> pl.Series:
        return pl.Series((100 + idx % 50).astype(str))

    # ---- ssd_person
    kept = i[~orphan_person]
    out.tables["ssd_person"] = pl.DataFrame([
        pl.Series("pers_legacy_id", (kept + 500000).astype(str)),
        _ids("pers_person_id", 100000 + kept, variant),
        pl.Series("pers_forename", np.full(kept.size, "Test")),
        pl.Series("pers_sex", np.where(kept % 2 == 0, "M", "F")),
        d.col("pers_dob", ref[~orphan_person] - _days(np.full(kept.size, 3000))),
    ])

    # ---- ssd_cin_episodes: main referral of every child, an earlier one when i % 10 == 3
    closed = i % 3 == 0
    local = closed & (i % 30 == 0) if problems else np.zeros(n, bool)
    reason = np.array([f"RC{1 + (k // 3) % 9}" for k in range(9 * 3)], dtype=object)[(i % 27)]
    reason = np.where(local, "LOCAL", reason).astype(object)
    reason[~closed] = None
    close = np.where(closed, ref + _days(np.full(n, 200)), nat)
    b = i[i % 10 == 3]
    ref_b = ref[b] - _days(np.full(b.size, 400))
    close_b = ref[b] - _days(np.full(b.size, 300))
    episodes = pl.DataFrame([
        _ids("cine_referral_id", np.concatenate([7000000 + i, 8000000 + b]), variant),
        _ids("cine_person_id", np.concatenate([100000 + i, 100000 + b]), variant),
        d.col("cine_referral_date", np.concatenate([ref, ref_b])),
        pl.Series("cine_cin_primary_need_code", np.full(n + b.size, "N1")),
        pl.Series("cine_referral_source_code", np.full(n + b.size, "1A")),
        pl.Series("cine_referral_nfa", np.full(n + b.size, "N")),
        pl.Series("cine_close_reason", np.concatenate([reason, np.full(b.size, "RC8", dtype=object)]), dtype=pl.String),
        d.col("cine_close_date", np.concatenate([close, close_b])),
        pl.concat([team(i), team(b)]).alias("cine_referral_team"),
        pl.concat([worker(i), worker(b)]).alias("cine_referral_worker_id"),
    ])
    out.tables["ssd_cin_episodes"] = episodes
    ev["referral"] += n + b.size
    ev["closure"] += int(closed.sum()) + b.size
    q[("closure", None)] += int(local.sum())
    for code in range(1, 10):
        q[("closure", f"RC{code}")] += int((closed & ~local & (reason == f"RC{code}")).sum())
    q[("closure", "RC8")] += b.size
    fi[("ssd_cin_episodes", "DQ002")] += int(local.sum())

    # ---- ssd_cin_assessments
    a = i[i % 20 != 19]
    a_start = ref[a] + _days(np.full(a.size, 2))
    a_open = a % 11 == 10
    a_sentinel = (a % 50 == 7) & ~a_open if problems else np.zeros(a.size, bool)
    a_auth = np.where(a_open, nat, a_start + _days(5 + a % 50))
    a_auth = np.where(a_sentinel, np.datetime64("1900-01-01", "D"), a_auth)
    a_ref = np.where((a % 45 == 11) & problems, 9000000 + a, 7000000 + a)
    assessments = pl.DataFrame([
        _ids("cina_assessment_id", np.concatenate([3000000 + a, 3500000 + b]), variant),
        _ids("cina_person_id", np.concatenate([100000 + a, 100000 + b]), variant),
        _ids("cina_referral_id", np.concatenate([a_ref, 8000000 + b]), variant),
        d.col("cina_assessment_start_date", np.concatenate([a_start, ref_b + _days(np.ones(b.size, np.int64))])),
        pl.Series("cina_assessment_child_seen", np.full(a.size + b.size, "Y")),
        d.col("cina_assessment_auth_date", np.concatenate([a_auth, ref_b + _days(np.full(b.size, 20))])),
        pl.concat([team(a), team(b)]).alias("cina_assessment_team"),
        pl.concat([worker(a), worker(b)]).alias("cina_assessment_worker_id"),
    ])
    out.tables["ssd_cin_assessments"] = assessments
    ev["assessment_start"] += a.size + b.size
    ev["assessment_authorised"] += int((~a_open & ~a_sentinel).sum()) + b.size
    fi[("ssd_cin_assessments", "SSD001")] += int(a_sentinel.sum())
    fi[("ssd_cin_assessments", "SSD004")] += int(((a % 45 == 11) & problems).sum())

    # ---- child protection: s47 (i % 5 == 2), ICPC held (i % 10 == 2) or scheduled (i % 10 == 7)
    s = i[i % 5 == 2]
    s_start = ref[s] + _days(np.ones(s.size, np.int64))
    s_end = np.where(s % 10 == 2, s_start + _days(np.full(s.size, 10)), nat)
    out.tables["ssd_s47_enquiry"] = pl.DataFrame([
        _ids("s47e_s47_enquiry_id", 2000000 + s, variant),
        _ids("s47e_referral_id", 7000000 + s, variant),
        _ids("s47e_person_id", 100000 + s, variant),
        d.col("s47e_s47_start_date", s_start),
        d.col("s47e_s47_end_date", s_end),
        pl.Series("s47e_s47_nfa", np.where(s % 10 == 2, "N", "Y")),
        pl.Series("s47e_s47_outcome_json", np.full(s.size, '{"OUTCOME_COMMENTS": ""}')),
        team(s).alias("s47e_s47_completed_by_team"),
        worker(s).alias("s47e_s47_completed_by_worker_id"),
    ])
    ev["s47_start"] += s.size
    ev["s47_end"] += int((s % 10 == 2).sum())
    held = s % 10 == 2
    icpc_date = np.where(held, s_start + _days(np.full(s.size, 14)), nat)
    out.tables["ssd_initial_cp_conference"] = pl.DataFrame([
        _ids("icpc_icpc_id", 2500000 + s, variant),
        _ids("icpc_icpc_meeting_id", 2600000 + s, variant),
        _ids("icpc_s47_enquiry_id", 2000000 + s, variant),
        _ids("icpc_person_id", 100000 + s, variant),
        _ids("icpc_cp_plan_id", 2700000 + s, variant),
        _ids("icpc_referral_id", 7000000 + s, variant),
        pl.Series("icpc_icpc_transfer_in", np.full(s.size, "N")),
        d.col("icpc_icpc_target_date", s_start + _days(np.full(s.size, 21))),
        d.col("icpc_icpc_date", icpc_date),
        pl.Series("icpc_icpc_outcome_cp_flag", np.where(held, "Y", "N")),
        team(s).alias("icpc_icpc_team"),
        worker(s).alias("icpc_icpc_worker_id"),
    ])
    ev["icpc"] += int(held.sum())
    fi[("ssd_initial_cp_conference", "SSD007")] += int((~held).sum())
    ne["ssd_initial_cp_conference"] += int((~held).sum())

    c = i[i % 10 == 2]
    c_start = ref[c] + _days(np.full(c.size, 15))  # the ICPC: s47 start (ref + 1) + 14
    c_ends = c % 20 == 2
    c_end = np.where(c_ends, c_start + _days(np.full(c.size, 180)), nat)
    cp_cols = [
        _ids("cppl_cp_plan_id", 2700000 + c, variant),
        _ids("cppl_referral_id", 7000000 + c, variant),
        _ids("cppl_icpc_id", 2500000 + c, variant),
        _ids("cppl_person_id", 100000 + c, variant),
        d.col("cppl_cp_plan_start_date", c_start),
        d.col("cppl_cp_plan_end_date", c_end),
        pl.Series("cppl_cp_plan_initial_category", np.full(c.size, "Neglect")),
        pl.Series("cppl_cp_plan_latest_category", np.full(c.size, "Neglect")),
    ]
    if variant == "systemc":
        cp_cols.insert(6, pl.Series("cppl_cp_plan_ola", np.full(c.size, "N")))
    out.tables["ssd_cp_plans"] = pl.DataFrame(cp_cols)
    ev["cp_plan_start"] += c.size
    ev["cp_plan_end"] += int(c_ends.sum())

    # CP visits: three per plan, at 10, 20 and 30 days, 10:30.
    cv_i = np.repeat(c, 3)
    cv_k = np.tile(np.arange(3), c.size)
    cv_date = np.repeat(c_start, 3) + _days(10 * (cv_k + 1))
    cv_minutes = np.full(cv_i.size, 630)
    cv_seen = np.ones(cv_i.size, np.int64)
    cv_alone = (cv_k == 0).astype(np.int64)
    out.tables["ssd_cp_visits"] = pl.DataFrame([
        _ids("cppv_cp_visit_id", 50000000 + 10 * cv_i + cv_k, variant),
        _ids("cppv_person_id", 100000 + cv_i, variant),
        _ids("cppv_cp_plan_id", 2700000 + cv_i, variant),
        d.col("cppv_cp_visit_date", cv_date, cv_minutes),
        _flags("cppv_cp_visit_seen", cv_seen, cv_i % 4 == 1),
        _flags("cppv_cp_visit_seen_alone", cv_alone, cv_i % 4 == 1),
        _flags("cppv_cp_visit_bedroom", np.zeros(cv_i.size, np.int64), cv_i % 4 == 1),
    ])
    cv_dup = (cv_i % 40 == 2) & (cv_k == 0) if problems else np.zeros(cv_i.size, bool)

    # CP reviews: one held at 90 days; a second only due (no date) while the plan is open.
    open_cp = c[~c_ends]
    r_i = np.concatenate([c, open_cp])
    r_held = np.concatenate([np.ones(c.size, bool), np.zeros(open_cp.size, bool)])
    r_start = np.concatenate([c_start, c_start[~c_ends]])
    r_due = r_start + _days(np.where(r_held, 90, 270))
    review_cols = [
        _ids("cppr_cp_review_id", np.where(r_held, 2800000, 2900000) + r_i, variant),
        _ids("cppr_person_id", 100000 + r_i, variant),
        _ids("cppr_cp_plan_id", 2700000 + r_i, variant),
        d.col("cppr_cp_review_due", r_due),
        d.col("cppr_cp_review_date", np.where(r_held, r_due, nat)),
        _ids("cppr_cp_review_meeting_id", 2950000 + r_i, variant),
        pl.Series("cppr_cp_review_outcome_continue_cp", np.full(r_i.size, "Y")),
    ]
    if variant == "mosaic":
        review_cols += [
            pl.Series("workflow_step_id", (r_i + 11).astype(str)),
            pl.Series("registration_id", (r_i + 12).astype(str)),
            d.col("due_date", r_due),
            d.col("actual_date", np.where(r_held, r_due, nat)),
        ]
    out.tables["ssd_cp_reviews"] = pl.DataFrame(review_cols)
    ev["cp_review"] += int(r_held.sum())
    fi[("ssd_cp_reviews", "SSD007")] += int((~r_held).sum())
    ne["ssd_cp_reviews"] += int((~r_held).sum())

    # ---- looked after: i % 25 == 4 (return home), i % 25 == 9 (still looked after)
    home = i[i % 25 == 4]
    three = home % 100 == 54
    stay = i[i % 25 == 9]
    la_rows: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    # (child, episode id, start, start reason, ceased, ceased reason)
    home_reason = np.where(home % 50 == 4, "E4A", "E4B")
    la_rows.append((home, 4100000 + home, ref[home] + _days(np.full(home.size, 30)), np.full(home.size, "S"),
                    ref[home] + _days(np.full(home.size, 60)), np.full(home.size, "X1")))
    h3 = home[three]
    la_rows.append((h3, 4150000 + h3, ref[h3] + _days(np.full(h3.size, 60)), np.full(h3.size, "P"),
                    ref[h3] + _days(np.full(h3.size, 100)), np.full(h3.size, "X1")))
    last_start = ref[home] + _days(np.where(three, 100, 60))
    la_rows.append((home, 4200000 + home, last_start, np.where(three, "T", "P"),
                    ref[home] + _days(np.full(home.size, 150)), home_reason))
    la_rows.append((stay, 4100000 + stay, ref[stay] + _days(np.full(stay.size, 30)), np.full(stay.size, "S"),
                    np.full(stay.size, nat), np.full(stay.size, None, dtype=object)))
    la_child = np.concatenate([r[0] for r in la_rows])
    out.tables["ssd_cla_episodes"] = pl.DataFrame([
        _ids("clae_cla_episode_id", np.concatenate([r[1] for r in la_rows]), variant),
        _ids("clae_person_id", 100000 + la_child, variant),
        _ids("clae_cla_placement_id", 4300000 + np.arange(la_child.size), variant),
        d.col("clae_cla_episode_start_date", np.concatenate([r[2] for r in la_rows])),
        pl.Series("clae_cla_episode_start_reason", np.concatenate([r[3] for r in la_rows]).astype(object), dtype=pl.String),
        pl.Series("clae_cla_primary_need_code", np.full(la_child.size, "N1")),
        d.col("clae_cla_episode_ceased_date", np.concatenate([r[4] for r in la_rows])),
        pl.Series("clae_cla_episode_ceased_reason", np.concatenate([r[5] for r in la_rows]).astype(object), dtype=pl.String),
        _ids("clae_cla_id", 4000000 + la_child, variant),
        _ids("clae_referral_id", 7000000 + la_child, variant),
        d.col("clae_cla_last_iro_contact_date", np.full(la_child.size, nat)),
        d.col("clae_entered_care_date", np.full(la_child.size, nat)),
    ])
    ev["looked_after_start"] += home.size + stay.size
    ev["looked_after_end"] += home.size
    q[("looked_after_end", "return_home_planned")] += int((home % 50 == 4).sum())
    q[("looked_after_end", "return_home_unplanned")] += int((home % 50 == 29).sum())
    fi[("ssd_cla_episodes", "SSD007")] += int(three.sum())
    ne["ssd_cla_episodes"] += int(three.sum())

    lv_i = np.repeat(home, 2)
    lv_k = np.tile(np.arange(2), home.size)
    lv_date = np.repeat(ref[home], 2) + _days(50 + 20 * lv_k)
    lv_minutes = np.full(lv_i.size, 840)
    out.tables["ssd_cla_visits"] = pl.DataFrame([
        _ids("clav_cla_visit_id", 60000000 + 10 * lv_i + lv_k, variant),
        _ids("clav_cla_id", 4000000 + lv_i, variant),
        _ids("clav_person_id", 100000 + lv_i, variant),
        d.col("clav_cla_visit_date", lv_date, lv_minutes),
        _flags("clav_cla_visit_seen", np.ones(lv_i.size, np.int64), lv_i % 4 == 1),
        _flags("clav_cla_visit_seen_alone", np.zeros(lv_i.size, np.int64), lv_i % 4 == 1),
    ])
    lv_dup = (lv_i % 100 == 4) & (lv_k == 0) if problems else np.zeros(lv_i.size, bool)

    # ---- ssd_cin_plans: main plans, step-down plans, return-home plans
    p = i[(i % 5 == 0) | (i % 5 == 1)]
    p_start = ref[p] + _days(np.full(p.size, 60))
    p_ends = p % 5 == 0
    p_early = p_ends & (p % 35 == 0) if problems else np.zeros(p.size, bool)
    p_end = np.where(p_ends, p_start + _days(np.full(p.size, 120)), nat)
    p_end = np.where(p_early, np.datetime64("1949-06-01", "D"), p_end)
    sd = c[c_ends]
    sd_start = c_end[c_ends]
    rh = home
    rh_start = ref[home] + _days(np.full(home.size, 150))
    plan_child = np.concatenate([p, sd, rh])
    plan_id = np.concatenate([6000000 + p, 6500000 + sd, 6700000 + rh])
    out.tables["ssd_cin_plans"] = pl.DataFrame([
        _ids("cin_plan_id" if variant == "mosaic" else "cinp_cin_plan_id", plan_id, variant),
        _ids("cinp_referral_id", 7000000 + plan_child, variant),
        _ids("cinp_person_id", 100000 + plan_child, variant),
        d.col("cinp_cin_plan_start_date", np.concatenate([p_start, sd_start, rh_start])),
        d.col("cinp_cin_plan_end_date", np.concatenate([p_end, np.full(sd.size + rh.size, nat)])),
        pl.concat([team(p), team(sd), team(rh)]).alias("cinp_cin_plan_team"),
        pl.concat([worker(p), worker(sd), worker(rh)]).alias("cinp_cin_plan_worker_id"),
    ])
    ev["cin_plan_start"] += plan_child.size
    ev["cin_plan_end"] += int((p_ends & ~p_early).sum())
    q[("cin_plan_start", "assessment")] += p.size
    q[("cin_plan_start", "step_down_cp")] += sd.size
    q[("cin_plan_start", "return_home_planned")] += int((rh % 50 == 4).sum())
    q[("cin_plan_start", "return_home_unplanned")] += int((rh % 50 == 29).sum())
    fi[("ssd_cin_plans", "SSD001")] += int(p_early.sum())

    # ---- ssd_cin_visits: every 10 days of a main plan (12 for the ended plans, 20 otherwise)
    per_plan = np.where(p_ends, 12, 20)
    v_i = np.repeat(p, per_plan)
    v_plan = np.repeat(6000000 + p, per_plan)
    starts = np.cumsum(per_plan) - per_plan
    v_k = np.arange(v_i.size) - np.repeat(starts, per_plan)
    v_date = np.repeat(p_start, per_plan) + _days(10 * v_k)
    last = v_k == np.repeat(per_plan - 1, per_plan)
    late = (v_i % 500 == 1) & last if problems else np.zeros(v_i.size, bool)
    v_date = np.where(late, np.datetime64(AS_OF, "D") + np.timedelta64(10, "D"), v_date)
    v_minutes = 540 + (v_k * 7) % 480
    v_seen = np.where(v_k % 7 == 3, 0, 1)
    v_null = (v_k == 5) & (v_i % 25 == 0) if problems else np.zeros(v_i.size, bool)
    v_alone = np.where((v_k % 3 == 0) & (v_seen == 1), 1, 0)
    v_seen = np.where(v_null, -1, v_seen)
    v_id = 70000000 + 100 * v_i + v_k
    # The copies (P4): a CP visit and a looked-after visit also recorded as case notes here.
    cp_copy = cv_dup
    la_copy = lv_dup
    copy_i = np.concatenate([cv_i[cp_copy], lv_i[la_copy]])
    copy_id = np.concatenate([50000000 + 10 * cv_i[cp_copy] + cv_k[cp_copy], 60000000 + 10 * lv_i[la_copy] + lv_k[la_copy]])
    copy_date = np.concatenate([cv_date[cp_copy], lv_date[la_copy]])
    copy_minutes = np.concatenate([cv_minutes[cp_copy], lv_minutes[la_copy]])
    copy_seen = np.concatenate([cv_seen[cp_copy], np.ones(int(la_copy.sum()), np.int64)])
    copy_alone = np.concatenate([cv_alone[cp_copy], np.zeros(int(la_copy.sum()), np.int64)])
    copy_plan = np.concatenate([6500000 + cv_i[cp_copy], 6700000 + lv_i[la_copy]])
    all_i = np.concatenate([v_i, copy_i])
    visit_cols = [
        _ids("cinv_cin_visit_id", np.concatenate([v_id, copy_id]), variant),
        _ids("cinv_person_id", 100000 + all_i, variant),
        d.col("cinv_cin_visit_date", np.concatenate([v_date, copy_date]), np.concatenate([v_minutes, copy_minutes])),
        _flags("cinv_cin_visit_seen", np.concatenate([v_seen, copy_seen]), all_i % 4 == 1),
        _flags("cinv_cin_visit_seen_alone", np.concatenate([v_alone, copy_alone]), all_i % 4 == 1),
        _flags("cinv_cin_visit_bedroom", np.zeros(all_i.size, np.int64), all_i % 4 == 1),
    ]
    if variant == "mosaic":
        visit_cols[1] = _ids("cinv_cin_plan_id", np.concatenate([v_plan, copy_plan]), variant)
    out.tables["ssd_cin_visits"] = pl.DataFrame(visit_cols)
    fi[("ssd_cin_visits", "DQ015")] += int(late.sum())
    fi[("ssd_cin_visits", "DQ016")] += int(v_null.sum())
    fi[("ssd_cp_visits", "DQ003")] += int(cv_dup.sum())
    fi[("ssd_cla_visits", "DQ003")] += int(lv_dup.sum())
    ne["ssd_cp_visits"] += int(cv_dup.sum())
    ne["ssd_cla_visits"] += int(lv_dup.sum())
    # Visits: every case-note visit (the copies included), the CP and looked-after visits that
    # are not copies.
    ev["visit"] += v_i.size + copy_i.size + int((~cv_dup).sum()) + int((~lv_dup).sum())
    seen_all = np.concatenate([v_seen, copy_seen, cv_seen[~cv_dup], np.ones(int((~lv_dup).sum()), np.int64)])
    alone_all = np.concatenate([v_alone, copy_alone, cv_alone[~cv_dup], np.zeros(int((~lv_dup).sum()), np.int64)])
    q[("visit", "seen_alone")] += int(((seen_all == 1) & (alone_all == 1)).sum())
    q[("visit", "seen")] += int(((seen_all == 1) & (alone_all == 0)).sum())
    q[("visit", "not_seen")] += int((seen_all == 0).sum())
    q[("visit", None)] += int((seen_all == -1).sum())

    # ---- ssd_involvements: one per referral, a second (worker change) when i % 8 == 0
    w = i[i % 8 == 0]
    inv_child = np.concatenate([i, b, w])
    first_end = np.where(i % 8 == 0, ref + _days(np.full(n, 99)), close)
    inv_cols = [
        _ids("invo_involvements_id", np.concatenate([1000000 + i, 1100000 + b, 1200000 + w]), variant),
        pl.concat([worker(i), worker(b), worker(w + 1)]).alias("invo_professional_id"),
        pl.Series("invo_professional_role_id", np.full(inv_child.size, "CW")),
        pl.concat([team(i), team(b), team(w)]).alias("invo_professional_team"),
        _ids("invo_person_id", 100000 + inv_child, variant),
        d.col("invo_involvement_start_date", np.concatenate([ref, ref_b, ref[w] + _days(np.full(w.size, 100))])),
        d.col("invo_involvement_end_date", np.concatenate([first_end, close_b, close[w]])),
        pl.Series("invo_worker_change_reason", np.full(inv_child.size, None, dtype=object), dtype=pl.String),
        _ids("invo_referral_id", np.concatenate([7000000 + i, 8000000 + b, 7000000 + w]), variant),
    ]
    if variant == "mosaic":
        del inv_cols[4]
    out.tables["ssd_involvements"] = pl.DataFrame(inv_cols)
    ev["allocated"] += inv_child.size

    out.tables["ssd_department"] = pl.DataFrame({
        "dept_team_id": [str(k) for k in range(1, 9)],
        "dept_team_name": [f"Team {name}" for name in ("North", "South", "East", "West", "Central", "Coast", "Hills", "City")],
        "dept_team_parent_id": ["0"] * 8,
        "dept_team_parent_name": ["Children's Services"] * 8,
    })
    out.tables["ssd_professionals"] = pl.DataFrame({
        "prof_professional_id": [str(k) for k in range(100, 150)],
        "prof_staff_id": [f"S{k}" for k in range(100, 150)],
        "prof_professional_name": [f"Worker {k}" for k in range(100, 150)],
        "prof_agency_worker_flag": ["N"] * 50,
    })
    # ssd_contacts is not read by the importer (no event); it is here to show it is ignored.
    contact_cols = [
        _ids("cont_contact_id", 9500000 + i, variant),
        _ids("cont_person_id", 100000 + i, variant),
        d.col("cont_contact_date", ref - _days(np.ones(n, np.int64))),
        pl.Series("cont_contact_source_desc", np.full(n, "Police")),
    ]
    if variant == "systemc":
        contact_cols.insert(3, pl.Series("cont_contact_source_code", np.full(n, "5A")))
    out.tables["ssd_contacts"] = pl.DataFrame(contact_cols)

    # SSD003: every row of an orphan child in a table with a person id column.
    if problems:
        for name in PERSON_TABLES[variant]:
            frame = out.tables[name]
            person = [col for col in frame.columns if col.endswith("_person_id")][0]
            orphans = (100000 + i[orphan_person]).astype(np.int64)
            fi[(name, "SSD003")] += frame.filter(pl.col(person).cast(pl.Int64).is_in(orphans.tolist())).height
    return out
