"""Scoring through Python, end to end: hand-built histories with every obligation's status and
dates computed by hand, several authorities in one frame, order and partition invariance, bad
rows, and the summaries."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

import cinscope as cs

D = dt.date
AS_OF = D(2025, 6, 30)

KENT_HISTORY = [
    # child K1: an assessment, a plan, an initial meeting and a first review
    ("K1", "referral", D(2025, 1, 6), None, "Ashford", "W1"),
    ("K1", "assessment_start", D(2025, 1, 7), None, "Ashford", "W1"),
    ("K1", "assessment_authorised", D(2025, 2, 20), None, "Ashford", "W1"),
    ("K1", "cin_plan_start", D(2025, 2, 24), "assessment", "Ashford", "W1"),
    ("K1", "cin_initial_meeting", D(2025, 3, 6), None, "Ashford", "W2"),
    ("K1", "case_note", D(2025, 3, 7), None, "Ashford", "W2"),
    ("K1", "plan_authorised", D(2025, 3, 12), None, "Ashford", "W2"),
    ("K1", "minutes_distributed", D(2025, 3, 21), None, "Ashford", "W2"),
    ("K1", "visit", D(2025, 3, 20), "seen", "Ashford", "W2"),
    ("K1", "visit", D(2025, 4, 22), "seen_alone", "Ashford", "W2"),
    ("K1", "cin_review", D(2025, 5, 29), None, "Ashford", "W2"),
    # child K2: closed ten days into the assessment
    ("K2", "referral", D(2025, 6, 2), None, "Dover", "W3"),
    ("K2", "assessment_start", D(2025, 6, 3), None, "Dover", "W3"),
    ("K2", "closure", D(2025, 6, 13), "RC1", "Dover", "W3"),
]


def frame(rows: list[tuple[object, ...]], authority: str | None = None) -> pl.DataFrame:
    df = pl.DataFrame(
        rows,
        schema={"child_id": pl.String, "event": pl.String, "date": pl.Date, "qualifier": pl.String,
                "team": pl.String, "worker": pl.String},
        orient="row",
    )
    return df if authority is None else df.with_columns(authority=pl.lit(authority))


def test_kent_history_every_obligation() -> None:
    out = cs.score(frame(KENT_HISTORY), "kent", as_of=AS_OF)
    got = out.select("child_id", "rule", "due_date", "status", "met_date", "days_late", "working_days_late").rows()
    assert got == [
        # 6 January + 45 working days = 10 March; authorised 20 February.
        ("K1", "NAT-ASMT-01", D(2025, 3, 10), "met", D(2025, 2, 20), None, None),
        # 20 February + 10 working days = 6 March.
        ("K1", "KENT-MTG-01", D(2025, 3, 6), "met", D(2025, 3, 6), None, None),
        ("K1", "KENT-MTG-04", D(2025, 3, 7), "met", D(2025, 3, 7), None, None),
        ("K1", "KENT-MTG-05", D(2025, 3, 13), "met", D(2025, 3, 12), None, None),
        ("K1", "KENT-MTG-06", D(2025, 3, 20), "late", D(2025, 3, 21), 1, 1),
        # Visits every 4 weeks from the plan: 24 March met; 17 April due, 22 April came after
        # Good Friday and Easter Monday (1 working day late); 20 May missed: 41 days and
        # 28 working days (26 May is a bank holiday) by 30 June.
        ("K1", "KENT-VIS-01", D(2025, 3, 24), "met", D(2025, 3, 20), None, None),
        ("K1", "KENT-VIS-01", D(2025, 4, 17), "late", D(2025, 4, 22), 5, 1),
        ("K1", "KENT-VIS-01", D(2025, 5, 20), "overdue", None, 41, 28),
        # Reviews every 12 weeks from the initial meeting.
        ("K1", "KENT-REV-01", D(2025, 5, 29), "met", D(2025, 5, 29), None, None),
        ("K1", "KENT-REV-01", D(2025, 8, 21), "pending", None, None, None),
        ("K1", "KENT-REV-02", D(2025, 5, 30), "overdue", None, 31, 21),
        ("K1", "KENT-REV-03", D(2025, 6, 5), "overdue", None, 25, 17),
        ("K1", "KENT-REV-04", D(2025, 6, 12), "overdue", None, 18, 12),
        # 2 June + 45 working days = 4 August; the episode closed on 13 June.
        ("K2", "NAT-ASMT-01", D(2025, 8, 4), "cancelled", None, None, None),
    ]
    assert set(out["rulebook"]) == {"kent"}
    assert set(out["convention"]) == {"exclude_anchor"}
    assert set(out["as_of"]) == {AS_OF}
    # team and worker come from the anchor event's row
    assert out.filter(pl.col("rule") == "KENT-MTG-06").select("team", "worker").row(0) == ("Ashford", "W2")
    assert out.filter(pl.col("rule") == "NAT-ASMT-01", pl.col("child_id") == "K1")["worker"].item() == "W1"
    assert out.columns[:8] == ["rulebook", "child_id", "episode_id", "episode_end", "team", "worker", "rule", "title"]
    assert out.filter(pl.col("child_id") == "K2")["episode_end"].to_list() == [D(2025, 6, 13)]


def test_count_anchor_convention_moves_due_dates_one_working_day_earlier() -> None:
    out = cs.score(frame(KENT_HISTORY), "kent", as_of=AS_OF, convention="count_anchor")
    mtg = out.filter(pl.col("rule") == "KENT-MTG-01").select("due_date", "status").row(0)
    assert mtg == (D(2025, 3, 5), "late")
    assert set(out["convention"]) == {"count_anchor"}


def test_each_authority_under_its_own_rulebook() -> None:
    kent = frame(KENT_HISTORY, "Kent")
    portsmouth = frame([(f"P{c[0][1:]}", *c[1:]) for c in KENT_HISTORY], "Portsmouth")
    both = pl.concat([kent, portsmouth])
    out = cs.score(both, {"Kent": "kent", "Portsmouth": cs.Rulebook.builtin("portsmouth")}, as_of=AS_OF)
    by_child = out.group_by("child_id").agg(pl.col("rulebook").unique()).sort("child_id")
    assert by_child.rows() == [("K1", ["kent"]), ("K2", ["kent"]), ("P1", ["portsmouth"]), ("P2", ["portsmouth"])]
    assert set(out.filter(pl.col("rulebook") == "portsmouth")["authority"]) == {"Portsmouth"}
    with pytest.raises(cs.DataError, match=r"column 'authority' has values with no rulebook: 'Portsmouth'"):
        cs.score(both, {"Kent": "kent"}, as_of=AS_OF)
    with pytest.raises(cs.DataError, match="no 'authority' column"):
        cs.score(frame(KENT_HISTORY), {"Kent": "kent"}, as_of=AS_OF)


def random_events(n_children: int, seed: int) -> pl.DataFrame:
    """Plausible random histories: a referral, an assessment, often a plan with meetings,
    reviews and visits, sometimes a closure."""
    rng = np.random.default_rng(seed)
    rows: list[tuple[object, ...]] = []
    start = D(2023, 1, 2)
    for c in range(n_children):
        child = f"C{c:05d}"
        day = start + dt.timedelta(days=int(rng.integers(0, 700)))
        rows.append((child, "referral", day, None))
        rows.append((child, "assessment_start", day + dt.timedelta(days=1), None))
        done = day + dt.timedelta(days=int(rng.integers(5, 90)))
        rows.append((child, "assessment_authorised", done, None))
        end = None
        if rng.random() < 0.7:
            plan = done + dt.timedelta(days=int(rng.integers(1, 20)))
            rows.append((child, "cin_plan_start", plan, "assessment"))
            rows.append((child, "cin_initial_meeting", plan + dt.timedelta(days=int(rng.integers(0, 25))), None))
            t = plan
            for _ in range(int(rng.integers(0, 8))):
                t = t + dt.timedelta(days=int(rng.integers(10, 45)))
                rows.append((child, "visit", t, "seen" if rng.random() < 0.8 else "seen_alone"))
            for k in range(int(rng.integers(0, 4))):
                rows.append((child, "cin_review", plan + dt.timedelta(days=85 * (k + 1) + int(rng.integers(-10, 20))), None))
            if rng.random() < 0.5:
                end = t + dt.timedelta(days=30)
                rows.append((child, "cin_plan_end", end, None))
        if end is not None or rng.random() < 0.3:
            rows.append((child, "closure", end or done + dt.timedelta(days=3), "RC1"))
    return pl.DataFrame(rows, schema={"child_id": pl.String, "event": pl.String, "date": pl.Date,
                                      "qualifier": pl.String}, orient="row")


def canonical(out: pl.DataFrame) -> pl.DataFrame:
    # Row numbers refer to the input's order, so they are left out of the comparison.
    return out.drop("anchor_row", "met_row").sort(pl.all())


def test_row_order_and_partitioning_do_not_change_the_result() -> None:
    events = random_events(400, seed=7)
    whole = cs.score(events, "portsmouth", as_of=AS_OF)
    assert whole.height > 1000
    shuffled = cs.score(events.sample(fraction=1.0, shuffle=True, seed=3), "portsmouth", as_of=AS_OF)
    assert canonical(shuffled).equals(canonical(whole))
    halves = [events.filter(pl.col("child_id") < "C00200"), events.filter(pl.col("child_id") >= "C00200")]
    parts = pl.concat([cs.score(h, "portsmouth", as_of=AS_OF) for h in halves])
    assert canonical(parts).equals(canonical(whole))
    lazy = cs.score(events.lazy(), "portsmouth", as_of=AS_OF)
    assert canonical(lazy).equals(canonical(whole))


def test_bad_rows_raise_or_are_reported() -> None:
    rows = [*KENT_HISTORY[:11], ("K1", "visitt", D(2025, 6, 1), None, "Ashford", "W2"),
            ("K3", "referral", None, None, "Ashford", "W1"), (None, "referral", D(2025, 1, 6), None, "x", "y")]
    events = frame(rows)
    with pytest.raises(cs.DataError) as raised:
        cs.score(events, "kent", as_of=AS_OF)
    message = str(raised.value)
    assert "column 'event' has 1 unknown event name: 'visitt' (1 rows, first row 11, did you mean 'visit'?)" in message
    assert "column 'child_id' has 1 null value (rows 13)" in message
    assert "column 'date' has 1 null value (rows 12)" in message
    assert 'errors="report"' in message or "score_report" in message or "report" in message
    report = cs.score_report(events, "kent", as_of=AS_OF)
    assert report.obligations.filter(pl.col("child_id") == "K1").height == 13
    codes = report.findings.select("code", "row").rows()
    assert ("DQ000", 13) in codes and ("DQ001", 11) in codes and ("DQ010", 12) in codes


def test_schema_problems_and_accepted_dtypes() -> None:
    events = frame(KENT_HISTORY)
    categorical = events.with_columns(pl.col("event").cast(pl.Categorical), pl.col("team").cast(pl.Categorical))
    assert cs.score(categorical, "kent", as_of=AS_OF).height == 14
    with pytest.raises(cs.SchemaError, match="no column 'date'"):
        cs.score(events.drop("date"), "kent", as_of=AS_OF)
    with pytest.raises(cs.SchemaError, match="column 'team' has dtype Float64"):
        cs.score(events.with_columns(team=pl.lit(1.5)), "kent", as_of=AS_OF)
    with pytest.raises(cs.RulebookError, match=r"no built-in rulebook 'kentt' \(did you mean 'kent'\?"):
        cs.score(events, "kentt", as_of=AS_OF)


def test_summaries() -> None:
    out = cs.score(frame(KENT_HISTORY), "kent", as_of=AS_OF)
    by_team = cs.compliance(out, by="team")
    assert by_team.select("team", "met", "late", "overdue", "pending", "cancelled", "scored", "compliance").rows() == [
        ("Ashford", 6, 2, 4, 1, 0, 12, 0.5),
        ("Dover", 0, 0, 0, 0, 1, 0, None),
    ]
    suppressed = cs.compliance(out, by="team", suppress_below=5)
    assert suppressed.filter(pl.col("team") == "Ashford").select("late", "met", "compliance").row(0) == (None, 6, 0.5)
    monthly = cs.compliance(out, by="rule", period="month").filter(pl.col("rule") == "KENT-VIS-01")
    assert monthly.select("period", "compliance").rows() == [(D(2025, 3, 1), 1.0), (D(2025, 4, 1), 0.0), (D(2025, 5, 1), 0.0)]
    work = cs.worklist(out)
    assert work.select("rule", "days_late").rows() == [
        ("KENT-REV-03", 25), ("KENT-REV-04", 18), ("KENT-VIS-01", 41), ("KENT-REV-02", 31),
    ]
    soon = cs.upcoming(out, days=60)
    assert soon.select("rule", "due_date").rows() == [("KENT-REV-01", D(2025, 8, 21))]
    assert cs.upcoming(out, days=30).height == 0
    lazy = cs.compliance(out.lazy(), by="rule")
    assert isinstance(lazy, pl.LazyFrame)


def test_compare_rulebooks_and_conventions() -> None:
    events = frame(KENT_HISTORY)
    table = cs.compare_rulebooks(events, as_of=AS_OF)
    assert set(table["rulebook"]) == set(cs.builtin_rulebooks())
    national = table.filter(pl.col("rulebook") == "national")
    assert national.select("rule", "met", "cancelled").rows() == [("NAT-ASMT-01", 1, 1)]
    conventions = cs.compare_conventions(events, "kent", as_of=AS_OF)
    row = conventions.filter(pl.col("rule") == "KENT-MTG-01").select("exclude_anchor", "count_anchor", "change").row(0)
    assert row == (1.0, 0.0, -1.0)


def test_comparisons_equal_compliance_over_the_whole_frames() -> None:
    # The comparisons build narrow frames and count each rulebook before the next: the tables
    # must be what compliance makes of the whole frames stacked, also when groups span
    # rulebooks (``by`` without the rulebook), with suppression, and from a LazyFrame.
    events = cs.synth("kent", children=60, seed=7, drift=0.2).events
    books = ["national", "kent", "portsmouth"]
    whole = pl.concat([cs.score(events, b, as_of=AS_OF) for b in books])
    # Keys that are all labels are counted as one number made of their codes; with another
    # key (team), group by group.
    for by in (("rulebook", "rule", "title", "kind"), "kind", "title", ["severity", "status"], ["team", "rulebook"]):
        for suppress in (None, 3):
            table = cs.compare_rulebooks(events.lazy(), books, as_of=AS_OF, by=by, suppress_below=suppress)
            assert table.equals(cs.compliance(whole, by=by, suppress_below=suppress)), (by, suppress)
    for convention, column in (("exclude_anchor", "exclude_anchor"), ("count_anchor", "count_anchor")):
        expected = cs.compliance(cs.score(events, "kent", as_of=AS_OF, convention=convention), by="severity")
        got = cs.compare_conventions(events, "kent", as_of=AS_OF, by="severity")
        assert got.select("severity", column).equals(expected.select("severity", pl.col("compliance").alias(column)))
    # A key that is no obligation column is named, as compliance names it.
    with pytest.raises(pl.exceptions.ColumnNotFoundError, match="no_such_column"):
        cs.compare_rulebooks(events, books, as_of=AS_OF, by="no_such_column")
    with pytest.raises(pl.exceptions.ColumnNotFoundError, match="no_such_column"):
        cs.compare_conventions(events, "kent", as_of=AS_OF, by="no_such_column")
    # Events that make no obligation: empty tables with the columns of full ones.
    quiet = pl.DataFrame({"child_id": ["Z"], "event": ["case_note"], "date": [D(2025, 1, 6)]})
    table = cs.compare_rulebooks(events, books, as_of=AS_OF)
    empty = cs.compare_rulebooks(quiet, books, as_of=AS_OF)
    assert empty.height == 0 and empty.columns == table.columns
    conventions = cs.compare_conventions(events, "kent", as_of=AS_OF)
    none = cs.compare_conventions(quiet, "kent", as_of=AS_OF)
    assert none.height == 0 and none.columns == conventions.columns


def test_every_child_under_each_rulebook_in_one_call() -> None:
    # A list of rulebooks scores every child under each in one call (compare_rulebooks uses
    # it): each rulebook's rows are those of its own call, in the same order.
    from cinscope import _core, scoring

    events = cs.synth("kent", children=40, seed=3, drift=0.2).events
    books = [cs.Rulebook.builtin(b) for b in ("national", "kent")]
    together = cs.score(events, books, as_of=AS_OF)
    assert together.schema["rulebook"] == pl.Categorical
    assert cs.score(events.lazy(), ("national", "kent"), as_of=AS_OF).equals(together)
    for book in books:
        alone = cs.score(events, book, as_of=AS_OF)
        mine = together.filter(pl.col("rulebook") == book.id)
        assert mine.drop("rulebook").equals(alone.drop("rulebook")), book.id
    assert together.height == sum(cs.score(events, b, as_of=AS_OF).height for b in books)
    # Rulebooks given by authority cannot each score every child.
    frame_ = scoring._prepare(events, extra=("authority", "team", "worker"))
    pairs = [("Kent", books[1]._inner)]
    with pytest.raises(cs.CinscopeError, match="without authorities"):
        _core.score(frame_, pairs, 0, "exclude_anchor", cs.default_calendar()._inner, "raise", None, True)


def test_rulebook_objects() -> None:
    assert cs.builtin_rulebooks()[0] == "national"
    llr = cs.Rulebook.builtin("leicester-leicestershire-rutland")
    params = llr.parameters()
    assert params.select("parameter", "value").rows() == [("first_review", None)]
    rules = llr.rules()
    assert rules.filter(pl.col("rule") == "LLR-REV-01")["unset_parameters"].item() == "first_review"
    assert rules["citation"].str.len_chars().min() > 10  # type: ignore[operator]
    own = cs.Rulebook.from_toml(
        'id = "mine"\nname = "m"\nauthority = "a"\ndocument = "d"\n'
        'extends = "leicester-leicestershire-rutland"\n[set]\nfirst_review = "3 months"\n'
    )
    assert own.rules().filter(pl.col("rule") == "LLR-REV-01")["unset_parameters"].item() is None
    assert "### LLR-REV-01" in own.reference()
    with pytest.raises(cs.RulebookError, match=r"mine.toml: rule X-1: field 'withinn'"):
        cs.Rulebook.from_toml(
            'id = "mine"\nname = "m"\nauthority = "a"\ndocument = "d"\n[[rules]]\ncode = "X-1"\nkind = "deadline"\n'
            'title = "t"\nseverity = "must"\nanchor = "referral"\ntarget = "closure"\nwithinn = "3 days"\n'
            'citation = { section = "s", text = "t" }\n',
            name="mine.toml",
        )


def test_worklist_leaves_out_closed_episodes() -> None:
    closed = frame([*KENT_HISTORY, ("K1", "cin_plan_end", D(2025, 6, 20), None, "Ashford", "W2"),
                    ("K1", "closure", D(2025, 6, 20), "RC1", "Ashford", "W2")])
    out = cs.score(closed, "kent", as_of=AS_OF)
    missed = out.filter(pl.col("status") == "overdue")
    assert missed.height > 0  # the missed visit and the review paperwork stay on record
    assert set(missed["episode_end"]) == {D(2025, 6, 20)}
    assert cs.worklist(out).height == 0


def test_label_columns_are_compact_and_stack_join_and_compare_as_text() -> None:
    events = frame(KENT_HISTORY)
    kent = cs.score(events, "kent", as_of=AS_OF)
    national = cs.score(events, "national", as_of=AS_OF, convention="count_anchor")
    schema = kent.schema
    for name in ("rulebook", "rule", "title"):
        assert schema[name] == pl.Categorical, name
    vocabularies = {
        "status": cs.scoring.STATUSES,
        "severity": cs.scoring.SEVERITIES,
        "kind": cs.scoring.KINDS,
        "convention": ("exclude_anchor", "count_anchor"),
        "anchor_event": tuple(cs.event_vocabulary()["event"]),
        "met_event": tuple(cs.event_vocabulary()["event"]),
    }
    for name, categories in vocabularies.items():
        assert schema[name] == pl.Enum(list(categories)), name
    assert schema["days_late"] == pl.Int32 and schema["working_days_late"] == pl.Int32
    # Frames of separate calls, other rulebooks and conventions included, stack.
    both = pl.concat([kent, national])
    assert both.height == kent.height + national.height
    assert set(both["rulebook"].cast(pl.String)) == {"kent", "national"}
    # Labels compare with plain strings, and join the rulebook's own table of rules.
    late = kent.filter(pl.col("status") == "late", pl.col("rulebook") == "kent")
    assert late.height == (kent["status"].cast(pl.String) == "late").sum() > 0
    joined = kent.join(cs.Rulebook.builtin("kent").rules(), on="rule", how="left", suffix="_book")
    assert joined["title_book"].null_count() == 0
    assert (joined["title"].cast(pl.String) == joined["title_book"].cast(pl.String)).all()
    # Row numbers have the dtype of Polars' own row index, so they join back to the events.
    assert schema["anchor_row"] == pl.UInt32 and schema["met_row"] == pl.UInt32
    rows = events.with_row_index("anchor_row")
    back = kent.join(rows, on="anchor_row", how="left", suffix="_row")
    assert back["event"].null_count() == 0
    assert (back["event"] == back["anchor_event"].cast(pl.String)).all()
    assert (back["date"] == back["anchor_date"]).all()


def test_label_columns_are_rebuilt_from_their_codes_whatever_the_codes() -> None:
    # The core hands label columns over as integer codes with their categories (see
    # scoring._labelled). Scored after every other rulebook, kent's rule codes and titles sit far
    # from code zero in the core's registry of categories.
    events = frame(KENT_HISTORY)
    for book in cs.builtin_rulebooks():
        cs.score(events, book, as_of=AS_OF)
    kent = cs.score(events, "kent", as_of=AS_OF)
    rules = cs.Rulebook.builtin("kent").rules().select(pl.col("rule", "title").cast(pl.String))
    titles = dict(rules.iter_rows())
    pairs = kent.select(pl.col("rule", "title").cast(pl.String)).iter_rows()
    assert kent.height > 0 and all(titles[rule] == title for rule, title in pairs)
    assert kent["rulebook"].cast(pl.String).unique().to_list() == ["kent"]
    # A null code stays null: nothing met the obligation, so no met event.
    assert kent["met_event"].null_count() > 0
    assert (kent["met_event"].is_null() == kent["met_date"].is_null()).all()
    # No obligations at all: the same columns and dtypes, no rows.
    empty = cs.score(events.clear(), "kent", as_of=AS_OF)
    assert empty.height == 0 and empty.schema == kent.schema


def test_columns_builds_only_those_asked_for_in_that_order() -> None:
    events = frame(KENT_HISTORY, authority="Kent")
    full = cs.score(events, {"Kent": "kent"}, as_of=AS_OF)
    # Every column, in the documented order, when the events carry authority, team and worker.
    assert tuple(full.columns) == cs.OBLIGATION_COLUMNS
    wanted = ["status", "child_id", "due_date", "worker", "rule", "working_days_late"]
    narrow = cs.score(events, {"Kent": "kent"}, as_of=AS_OF, columns=wanted)
    assert narrow.columns == wanted
    assert narrow.equals(full.select(wanted))
    report = cs.score_report(events, {"Kent": "kent"}, as_of=AS_OF, columns=("rule",))
    assert report.obligations.columns == ["rule"] and report.obligations.height == full.height
    # Without authority, team and worker in the events, those columns are absent by default.
    plain = cs.score(events.drop("authority", "team", "worker"), "kent", as_of=AS_OF)
    assert tuple(plain.columns) == tuple(c for c in cs.OBLIGATION_COLUMNS if c not in ("authority", "team", "worker"))


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        (["status", "due"], r"'due' is not a column of the obligations frame; did you mean 'due_date'\?"),
        (["stauts"], r"'stauts' is not a column of the obligations frame; did you mean 'status'\?"),
        (["rule", "rule"], r"'rule' is asked for twice"),
        ([], r"name at least one column of the obligations frame"),
        (["team"], r"'team' is carried from the events frame's own 'team' column, which it does not have"),
    ],
)
def test_columns_that_cannot_be_given_raise_naming_them(columns: list[str], message: str) -> None:
    events = frame(KENT_HISTORY).drop("team")
    with pytest.raises(ValueError, match=message):
        cs.score(events, "kent", as_of=AS_OF, columns=columns)


def test_each_column_alone_equals_that_column_of_the_whole_frame() -> None:
    events = frame(KENT_HISTORY, authority="Kent")
    full = cs.score(events, {"Kent": "kent"}, as_of=AS_OF)
    for name in cs.OBLIGATION_COLUMNS:
        alone = cs.score(events, {"Kent": "kent"}, as_of=AS_OF, columns=[name])
        assert alone.equals(full.select(name)), name


def test_columns_of_one_value_hold_it_once() -> None:
    # The rulebook (when there is one), the convention and the as-of date are the same on every
    # row: Polars keeps each as one value, so they add nothing to the frame's size, yet read as
    # a full column of their dtype.
    events = pl.concat([frame(KENT_HISTORY)] * 50).with_columns(
        pl.col("child_id") + pl.int_range(pl.len()).floordiv(len(KENT_HISTORY)).cast(pl.String)
    )
    status = cs.score(events, "kent", as_of=AS_OF, columns=["status"])
    with_constants = cs.score(events, "kent", as_of=AS_OF, columns=["status", "rulebook", "convention", "as_of"])
    assert status.height > 500
    # One value each (Polars counts its bytes once), not nine bytes a row for the three.
    assert with_constants.estimated_size() - status.estimated_size() < 64
    assert with_constants["as_of"].unique().to_list() == [AS_OF]
    assert with_constants["rulebook"].cast(pl.String).unique().to_list() == ["kent"]
    assert with_constants["convention"].cast(pl.String).unique().to_list() == ["exclude_anchor"]
    assert with_constants.schema["convention"] == pl.Enum(["exclude_anchor", "count_anchor"])
    # Under a rulebook per authority the rulebook varies from row to row: it is a real column.
    two = pl.concat([frame(KENT_HISTORY, authority="Kent"), frame(KENT_HISTORY, authority="National")
                     .with_columns(pl.col("child_id") + "n")])
    both = cs.score(two, {"Kent": "kent", "National": "national"}, as_of=AS_OF, columns=["rulebook", "as_of"])
    assert set(both["rulebook"].cast(pl.String)) == {"kent", "national"}
    assert both.estimated_size() > 0
