"""Small-number suppression cannot be undone by arithmetic (#26, item 8).

Each published table is attacked: for every hidden cell, an attacker who knows every relation the
table exposes (the sums of its groups, and each shown rate times its shown denominator) tries to
work the cell out from the shown cells. The attacker is written here, apart from the method in
``cinscope.privacy``, and checks two things:

* *Linear*: a hidden cell is determined when removing its column from the system of relations
  (restricted to the hidden cells) lowers the system's rank by one, i.e. every solution has the
  same value there (numpy's rank, on small integer and rational systems).
* *Non-negativity*: counts are never negative, so a relation (or the sum or difference of two
  relations) whose hidden cells all carry the same sign and must add up to zero gives each of
  them away (as zero).

The tests run it over many random tables (hypothesis), and check that the primary cells are all
hidden, that shown values are the true ones, and that rates and quartiles computed from a hidden
count are hidden. A control shows that the attacker does recover cells from primary suppression
alone, so that its silence means something.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from fractions import Fraction

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cinscope as cs
from cinscope.privacy import hidden_cells

Cell = tuple[object, ...]
Relation = dict[Cell, Fraction]  # sum of coefficient * cell = 0


def recovered(relations: Sequence[Relation], shown: Mapping[Cell, float], hidden: set[Cell]) -> set[Cell]:
    """The hidden cells the attacker works out from the shown ones."""
    unknown = sorted(hidden, key=repr)
    position = {cell: j for j, cell in enumerate(unknown)}
    rows: list[list[Fraction]] = []
    constants: list[Fraction] = []
    for relation in relations:
        if any(cell not in shown and cell not in hidden for cell in relation):
            continue  # a relation about a cell the table does not have
        row = [Fraction(0)] * len(unknown)
        constant = Fraction(0)
        for cell, coefficient in relation.items():
            if cell in hidden:
                row[position[cell]] += coefficient
            else:
                constant -= coefficient * Fraction(shown[cell])
        if any(row):
            rows.append(row)
            constants.append(constant)
    found: set[Cell] = set()
    if not rows:
        return found
    matrix = np.array([[float(x) for x in row] for row in rows])
    rank = np.linalg.matrix_rank(matrix)
    for j, cell in enumerate(unknown):
        if rank == np.linalg.matrix_rank(np.delete(matrix, j, axis=1)) + 1:
            found.add(cell)
    # Non-negativity: one relation, or two added or subtracted, whose hidden cells all have the
    # same sign and add up to zero.
    combined = list(zip(rows, constants))
    for (a, ca), (b, cb) in itertools.combinations(list(zip(rows, constants)), 2):
        combined.append(([x + y for x, y in zip(a, b)], ca + cb))
        combined.append(([x - y for x, y in zip(a, b)], ca - cb))
    for row, constant in combined:
        signs = {x > 0 for x in row if x != 0}
        if constant == 0 and len(signs) == 1:
            found.update(unknown[j] for j, x in enumerate(row) if x != 0)
    return found


# --- compliance tables --------------------------------------------------------------------------

STATUSES = ["met", "late", "overdue", "pending", "cancelled"]
COUNTS = [*STATUSES, "scored"]


def obligations_of(table: Sequence[Sequence[int]]) -> pl.DataFrame:
    """An obligations frame with, for group i, ``table[i][s]`` obligations of status s."""
    rule, status = [], []
    for i, counts in enumerate(table):
        for name, count in zip(STATUSES, counts):
            rule += [f"R{i:02d}"] * count
            status += [name] * count
    return pl.DataFrame({"rule": rule, "status": status}, schema={"rule": pl.String, "status": pl.String})


def compliance_relations(published: pl.DataFrame) -> list[Relation]:
    """What a compliance table exposes: scored = met + late + overdue in every row, and met =
    compliance x scored where the rate is shown (as the exact fraction it prints)."""
    relations: list[Relation] = []
    for row in published.iter_rows(named=True):
        key = row["rule"]
        relations.append({(key, "scored"): Fraction(1), (key, "met"): Fraction(-1), (key, "late"): Fraction(-1), (key, "overdue"): Fraction(-1)})
        if row["compliance"] is not None:
            rate = Fraction(row["compliance"]).limit_denominator(100_000)
            relations.append({(key, "met"): Fraction(1), (key, "scored"): -rate})
    return relations


def attack_compliance(true: pl.DataFrame, published: pl.DataFrame, below: int) -> None:
    assert published.select("rule").equals(true.select("rule"))
    shown: dict[Cell, float] = {}
    hidden: set[Cell] = set()
    for t, p in zip(true.iter_rows(named=True), published.iter_rows(named=True)):
        for c in COUNTS:
            if p[c] is None:
                hidden.add((t["rule"], c))
            else:
                assert p[c] == t[c], (t, p)
                shown[(t["rule"], c)] = p[c]
            if 1 <= t[c] < below:
                assert p[c] is None, f"{t['rule']} {c} = {t[c]} is small and shown"
        # The rate is hidden when a count it is computed from is.
        if p["met"] is None or p["scored"] is None:
            assert p["compliance"] is None, (t, p)
        else:
            assert p["compliance"] == t["compliance"]
    exposed = recovered(compliance_relations(published), shown, hidden)
    assert not exposed, f"recovered {sorted(exposed, key=repr)} from {published.rows()}"


status_counts = st.lists(st.integers(0, 14), min_size=5, max_size=5)


@settings(max_examples=150, deadline=None)
@given(table=st.lists(status_counts, min_size=1, max_size=6), below=st.integers(2, 9))
def test_no_hidden_compliance_count_can_be_worked_out(table: list[list[int]], below: int) -> None:
    obligations = obligations_of(table)
    true = cs.compliance(obligations)
    published = cs.compliance(obligations, suppress_below=below)
    attack_compliance(true, published, below)
    # The lazy path gives the same table.
    assert cs.compliance(obligations.lazy(), suppress_below=below).collect().equals(published)


def test_one_small_cell_beside_a_shown_total_is_not_left_alone() -> None:
    # 20 scored = 17 met + 3 late + 0 overdue, hiding below 5. Hiding only the 3 leaves
    # late = 20 - 17 - 0; the next smallest cell, the 0 overdue, is hidden with it. Met, scored
    # and the rate (17 / 20) do not involve a hidden count and stay.
    obligations = obligations_of([[17, 3, 0, 2, 0]])
    row = cs.compliance(obligations, suppress_below=5).row(0, named=True)
    assert (row["met"], row["late"], row["overdue"], row["scored"], row["compliance"]) == (17, None, None, 20, 0.85)
    # Pending (2) and cancelled (0) belong to no sum: the 2 is hidden, the zero shown.
    assert (row["pending"], row["cancelled"]) == (None, 0)


def test_a_rate_of_a_hidden_count_is_hidden() -> None:
    # 3 met of 12 scored: the rate 0.25 times the shown 12 would give the hidden 3 back. Before,
    # the rate was hidden only when scored itself was small.
    row = cs.compliance(obligations_of([[3, 5, 4, 0, 0]]), suppress_below=5).row(0, named=True)
    assert row["met"] is None and row["scored"] == 12 and row["compliance"] is None
    # Overdue (4) is small too: two hidden cells of the sum (met + overdue = 12 - 5 = 7), so the
    # late count stays.
    assert (row["late"], row["overdue"]) == (5, None)


def test_a_small_total_hides_its_breakdown() -> None:
    # 3 scored, all met: showing late = 0 and overdue = 0 would say every one was met.
    row = cs.compliance(obligations_of([[3, 0, 0, 9, 0]]), suppress_below=5).row(0, named=True)
    assert [row[c] for c in ("met", "late", "overdue", "scored", "compliance")] == [None] * 5
    assert row["pending"] == 9


def test_the_attacker_recovers_cells_from_primary_suppression_alone() -> None:
    # Control: the old method hid each count below the threshold and the rate of a small
    # total only. The attacker must get the late count back by subtraction, and met from the rate.
    obligations = obligations_of([[17, 3, 6, 0, 0], [3, 5, 6, 0, 0]])
    true = cs.compliance(obligations)
    below = 5
    old = true.with_columns(
        compliance=pl.when(pl.col("scored") < below).then(None).otherwise(pl.col("compliance")),
        *[pl.when(pl.col(c) < below).then(None).otherwise(pl.col(c)).alias(c) for c in COUNTS],
    )
    shown = {(r["rule"], c): r[c] for r in old.iter_rows(named=True) for c in COUNTS if r[c] is not None}
    hidden = {(r["rule"], c) for r in old.iter_rows(named=True) for c in COUNTS if r[c] is None}
    found = recovered(compliance_relations(old), shown, hidden)
    assert ("R00", "late") in found  # 26 - 17 - 6
    assert ("R01", "met") in found  # 0.2143 x 14


def test_compare_rulebooks_suppresses_the_same_way() -> None:
    events = cs.synth("kent", children=40, seed=5).events
    books = ["national", "kent"]
    as_of = dt.date(2026, 3, 31)
    table = cs.compare_rulebooks(events, books, as_of=as_of, by=["rulebook", "rule"], suppress_below=7)
    whole = pl.concat([cs.score(events, b, as_of=as_of) for b in books])
    assert table.equals(cs.compliance(whole, by=["rulebook", "rule"], suppress_below=7))
    true = cs.compliance(whole, by=["rulebook", "rule"]).with_columns(rule=pl.format("{}/{}", "rulebook", "rule"))
    attack_compliance(true, table.with_columns(rule=pl.format("{}/{}", "rulebook", "rule")), 7)


# --- census measures ----------------------------------------------------------------------------

QUARTILES = ("lower quartile", "median", "upper quartile")
WITHIN_45 = ("same day", "1-10", "11-20", "21-30", "31-40", "41-45")
# The sums a reader of the published measures knows (DfE definitions): total, and the measure
# whose breakdowns add up to it.
SUMS = [
    (("referrals", "all"), "referrals_by_source"),
    (("assessments_completed", "all"), "assessment_duration_wd"),
    (("icpcs", "all"), "s47_to_icpc_wd"),
    (("children_in_need_at_31_march", "all"), "children_in_need_by_primary_need"),
    (("episodes_ended", "all"), "episode_duration_days"),
    (("episodes_ended", "all"), "episodes_ended_by_reason"),
    (("cin_plans", "ended"), "cin_plan_duration_days"),
    (("cp_plans", "ended"), "cp_plan_duration_days"),
]


def measure_relations(published: pl.DataFrame) -> list[Relation]:
    keys = list(zip(published["measure"], published["breakdown"]))
    value = dict(zip(keys, published["value"]))
    relations: list[Relation] = []
    for total, measure in SUMS:
        relation: Relation = {total: Fraction(1)}
        for key in keys:
            if key[0] == measure and key[1] not in QUARTILES:
                relation[key] = Fraction(-1)
        relations.append(relation)
    # Percentages times their shown denominators.
    rate = value.get(("rereferral_rate_pct", "all"))
    if rate is not None:
        relations.append({("rereferrals_12_months", "all"): Fraction(100), ("referrals", "all"): -Fraction(rate).limit_denominator(100_000)})
    rate = value.get(("assessments_within_45_wd_pct", "all"))
    if rate is not None:
        relation = {("assessment_duration_wd", band): Fraction(100) for band in WITHIN_45}
        relation[("assessments_completed", "all")] = -Fraction(rate).limit_denominator(100_000)
        relations.append(relation)
    return relations


def attack_measures(true: pl.DataFrame, published: pl.DataFrame, below: int) -> None:
    assert published.select("measure", "breakdown").equals(true.select("measure", "breakdown"))
    shown: dict[Cell, float] = {}
    hidden: set[Cell] = set()
    flags = dict(zip(zip(published["measure"], published["breakdown"]), published["suppressed"]))
    for (m, b, t), p in zip(true.iter_rows(), published["value"]):
        assert flags[(m, b)] == (p is None)
        if p is None:
            hidden.add((m, b))
        else:
            assert p == t
            shown[(m, b)] = p
        if not m.endswith("_pct") and b not in QUARTILES and 1 <= t < below:
            assert p is None, f"{m} {b} = {t} is small and shown"
    for m, b in hidden:
        if b in QUARTILES:
            continue
        # A rate from a hidden count is hidden; so are the quartiles of a hidden count.
        for rate, inputs in (("rereferral_rate_pct", {"rereferrals_12_months", "referrals"}),
                             ("assessments_within_45_wd_pct", {"assessments_completed", "assessment_duration_wd"})):
            if m in inputs and (m != "assessment_duration_wd" or b in WITHIN_45):
                assert (rate, "all") not in shown, (m, b, rate)
    for total, measure in SUMS:
        if total in hidden:
            assert all((measure, q) not in shown for q in QUARTILES), (total, measure)
    exposed = {cell for cell in recovered(measure_relations(published), shown, hidden) if cell[1] not in QUARTILES}
    assert not exposed, f"recovered {sorted(exposed, key=repr)}"


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(children=st.integers(3, 160), seed=st.integers(0, 10_000), below=st.integers(2, 12))
def test_no_hidden_census_measure_can_be_worked_out(children: int, seed: int, below: int) -> None:
    census = cs.generate_census(children, seed=seed, year=2025)
    true = census.measures()
    published = census.measures(suppress_below=below)
    attack_measures(true, published, below)


def test_the_hidden_referral_source_is_not_the_total_less_the_others() -> None:
    census = cs.generate_census(60, seed=2, year=2025)
    published = census.measures(suppress_below=5)
    sources = published.filter(pl.col("measure") == "referrals_by_source")
    true = census.measures().filter(pl.col("measure") == "referrals_by_source")
    # Seed 2: source 1A has 2 referrals (small), the others 5 or more; the smallest of those
    # (9, with 5) is hidden with it, so 1A + 9 = 7 is all that can be said.
    assert dict(true.select("breakdown", "value").iter_rows())["1A"] == 2
    assert sorted(sources.filter(pl.col("suppressed"))["breakdown"]) == ["1A", "9"]
    assert published.filter(pl.col("measure") == "referrals")["value"].item() == 60


def test_duration_bands_are_counts_and_are_suppressed() -> None:
    # The bands of assessment durations count assessments; before, every measure named
    # "..._wd" or "...duration..." was left whole, bands included.
    census = cs.generate_census(40, seed=9, year=2025)
    true = census.measures().filter(pl.col("measure") == "assessment_duration_wd", ~pl.col("breakdown").is_in(QUARTILES))
    small = true.filter((pl.col("value") >= 1) & (pl.col("value") < 6))["breakdown"].to_list()
    assert small, "the seed should give a small band"
    published = census.measures(suppress_below=6).filter(pl.col("measure") == "assessment_duration_wd")
    assert set(small) <= set(published.filter(pl.col("suppressed"))["breakdown"])


# --- any table of sums: margins -----------------------------------------------------------------


@st.composite
def tables_with_margins(draw: st.DrawFn) -> tuple[list[list[int]], int]:
    rows = draw(st.integers(2, 4))
    columns = draw(st.integers(2, 4))
    cell = st.sampled_from([0, 0, 1, 2, 3, 4, 5, 7, 9, 12, 20])
    return [[draw(cell) for _ in range(columns)] for _ in range(rows)], draw(st.integers(2, 8))


@settings(max_examples=300, deadline=None)
@given(case=tables_with_margins())
def test_a_table_with_margins_gives_nothing_away(case: tuple[list[list[int]], int]) -> None:
    # Cells, row totals, column totals and the grand total: each row and column sums to its
    # margin, and the margins to the grand total both ways.
    table, below = case
    r, c = len(table), len(table[0])
    cells: list[Cell] = [("cell", i, j) for i in range(r) for j in range(c)]
    cells += [("row", i) for i in range(r)] + [("column", j) for j in range(c)] + [("all",)]
    index = {cell: k for k, cell in enumerate(cells)}
    value: dict[Cell, int] = {("cell", i, j): table[i][j] for i in range(r) for j in range(c)}
    value.update({("row", i): sum(table[i]) for i in range(r)})
    value.update({("column", j): sum(table[i][j] for i in range(r)) for j in range(c)})
    value[("all",)] = sum(map(sum, table))
    groups: list[tuple[Cell, list[Cell]]] = [(("row", i), [("cell", i, j) for j in range(c)]) for i in range(r)]
    groups += [(("column", j), [("cell", i, j) for i in range(r)]) for j in range(c)]
    groups += [(("all",), [("row", i) for i in range(r)]), (("all",), [("column", j) for j in range(c)])]
    hidden = hidden_cells([value[x] for x in cells], below, [(index[t], [index[p] for p in ps]) for t, ps in groups])
    concealed = {cell for cell, h in zip(cells, hidden) if h}
    assert all(cell in concealed for cell in cells if 1 <= value[cell] < below)
    relations: list[Relation] = [{t: Fraction(1), **{p: Fraction(-1) for p in ps}} for t, ps in groups]
    shown = {cell: float(value[cell]) for cell in cells if cell not in concealed}
    exposed = recovered(relations, shown, concealed)
    assert not exposed, f"{table} below {below}: recovered {sorted(exposed, key=repr)}"


def test_margins_need_more_than_one_cell_per_sum() -> None:
    # 2 9 | 11
    # 8 7 | 15
    # ----+---
    # 10 16 | 26, hiding below 5. Primary suppression hides the 2 alone: 11 - 9 gives it back.
    # In its row the 9 is hidden with it, and in its column the 8; the 9 is then alone in its
    # column, so the 7 goes too: four hidden cells, each row and column holding two.
    values = [2, 9, 8, 7, 11, 15, 10, 16, 26]
    groups = [(4, [0, 1]), (5, [2, 3]), (6, [0, 2]), (7, [1, 3]), (8, [4, 5]), (8, [6, 7])]
    cells: list[Cell] = [(k,) for k in range(len(values))]
    relations: list[Relation] = [{(t,): Fraction(1), **{(p,): Fraction(-1) for p in ps}} for t, ps in groups]
    primary = {(0,)}
    assert recovered(relations, {c: values[c[0]] for c in cells if c not in primary}, primary) == {(0,)}
    hidden = hidden_cells(values, 5, groups)
    assert hidden == [True, True, True, True, False, False, False, False, False]
    concealed = {c for c, h in zip(cells, hidden) if h}
    assert not recovered(relations, {c: values[c[0]] for c in cells if c not in concealed}, concealed)


def test_hidden_cells_refuses_bad_arguments() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        hidden_cells([1, 2], 0)
    with pytest.raises(ValueError, match="distinct cells"):
        hidden_cells([3, 1, 2], 5, [(0, [1, 1])])
    with pytest.raises(ValueError, match="suppress_below"):
        cs.compliance(obligations_of([[1, 0, 0, 0, 0]]), suppress_below=0)
