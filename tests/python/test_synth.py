"""Synthetic data, the main job, the report and the command line, end to end."""

from __future__ import annotations

import datetime as dt
import html.parser
import xml.etree.ElementTree as ET
from pathlib import Path

import polars as pl
import pytest

import cinscope as cs
from cinscope.cli import main, module_main

AS_OF = dt.date(2026, 3, 31)
KEYS = ["child_id", "episode_id", "rule", "anchor_date", "due_date", "status", "met_date"]


def breaches(obligations: pl.DataFrame, books: list[str]) -> pl.DataFrame:
    """Late and overdue obligations of the rules the generator's truth covers."""
    modelled = [code for book in books for code in cs.synth_rules(book)]
    return obligations.filter(pl.col("status").is_in(["late", "overdue"]), pl.col("rule").cast(pl.String).is_in(modelled))


@pytest.mark.parametrize("authority", cs.builtin_rulebooks())
def test_scoring_finds_exactly_the_ground_truth(authority: str) -> None:
    # 100,000 children per rulebook: every breach injected is found, and nothing else.
    data = cs.synth(authority, children=100_000, seed=11)
    obligations = cs.score(data.events, authority, as_of=AS_OF)
    found = breaches(obligations, [authority]).select(KEYS).sort(KEYS)
    truth = data.truth.select(KEYS).sort(KEYS)
    assert truth.height > 5000
    assert found.equals(truth)


def test_several_authorities_scored_each_under_its_own_rulebook() -> None:
    data = cs.synth(["kent", "portsmouth"], {"kent": 500, "portsmouth": 300}, seed=3)
    assert data.events.group_by("authority").agg(pl.col("child_id").n_unique()).sort("authority").rows() == [
        ("kent", 500), ("portsmouth", 300)
    ] or data.events["child_id"].n_unique() <= 800
    obligations = cs.score(data.events, {"kent": "kent", "portsmouth": "portsmouth"}, as_of=AS_OF)
    found = breaches(obligations, ["kent", "portsmouth"]).select(KEYS).sort(KEYS)
    assert found.equals(data.truth.select(KEYS).sort(KEYS))
    assert set(data.events["child_id"].str.split("-").list.first().unique()) == {"KENT", "PORT"}


def test_synth_is_deterministic_and_seeded() -> None:
    a = cs.synth("kent", children=300, seed=5)
    b = cs.synth("kent", children=300, seed=5)
    c = cs.synth("kent", children=300, seed=6)
    assert a.events.equals(b.events) and a.truth.equals(b.truth)
    assert not a.events.equals(c.events)
    assert a.events["date"].max() <= AS_OF  # type: ignore[operator]
    assert cs.check_events(a.events).height == 0


def test_behaviour_controls_the_breaches() -> None:
    usual = cs.synth("kent", children=2000).truth.height
    # A service that is always on time still has the odd collision (a review held before the
    # previous review's minutes went out), and the truth records it.
    strict = cs.synth("kent", children=2000, on_time=1.0, drift=0.0, lapsing_workers=0.0)
    assert strict.truth.height < usual / 10
    assert strict.truth.filter(pl.col("rule").is_in(["NAT-ASMT-01", "KENT-VIS-01"])).height == 0
    sloppy = cs.synth("kent", children=2000, on_time=0.5)
    assert sloppy.truth.height > 2 * usual


def test_bad_options_raise_clear_errors() -> None:
    with pytest.raises(cs.CinscopeError, match="on_time"):
        cs.synth("kent", children=10, on_time=2.0)
    with pytest.raises(ValueError, match="children"):
        cs.synth("kent", children=-1)
    with pytest.raises(ValueError, match="no count for authority 'portsmouth'"):
        cs.synth(["kent", "portsmouth"], {"kent": 10})
    with pytest.raises(cs.RulebookError):
        cs.synth("nowhere", children=10)


class _Collect(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.links += [v or "" for k, v in attrs if k in ("src", "href")]


def test_main_job_writes_obligations_and_a_self_contained_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert module_main(["--out", str(tmp_path), "--scale", "0.02", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "compliance" in out and "overdue at 2026-03-31" in out
    obligations = pl.read_parquet(tmp_path / "obligations.parquet")
    assert set(obligations["rulebook"].unique()) == {
        "brighton-and-hove", "kent", "leicester-leicestershire-rutland", "portsmouth", "south-west"
    }
    page = (tmp_path / "report.html").read_text()
    parser = _Collect()
    parser.feed(page)
    assert parser.tags.count("svg") == 4  # by rule, by month, plan durations, authorities
    assert not [link for link in parser.links if link.startswith(("http", "//"))]
    for svg in page.split("<svg")[1:]:
        ET.fromstring("<svg" + svg.split("</svg>")[0] + "</svg>")  # well-formed SVG
    for heading in ("Compliance by rule", "Compliance by month", "Overdue worklist", "plan durations",
                    "Authorities compared", "Timescale matrix"):
        assert heading in page


def test_cli_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = tmp_path / "events.parquet"
    truth = tmp_path / "truth.csv"
    assert main(["synth", "--authority", "portsmouth", "--children", "300", "-o", str(events), "--truth", str(truth)]) == 0
    obligations = tmp_path / "obligations.csv"
    assert main(["score", str(events), "-o", str(obligations)]) == 0
    scored = pl.read_csv(obligations, try_parse_dates=True)
    assert breaches(scored, ["portsmouth"]).height == pl.read_csv(truth).height
    assert main(["report", str(events), "-o", str(tmp_path / "r.html"), "--suppress-below", "5"]) == 0
    assert (tmp_path / "r.html").exists()
    capsys.readouterr()
    assert main(["rulebook", "list"]) == 0
    assert "portsmouth" in capsys.readouterr().out
    assert main(["rulebook", "show", "kent"]) == 0
    assert "KENT-MTG-01" in capsys.readouterr().out
    assert main(["rulebook", "diff", "kent", "portsmouth"]) == 0
    assert "differ or are in one only" in capsys.readouterr().out
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "bad"\nname = 3\n')
    assert main(["rulebook", "validate", "kent", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "kent: valid" in out and "bad.toml: invalid" in out


def test_cli_errors_are_messages_not_tracebacks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", str(tmp_path / "missing.csv"), "-o", str(tmp_path / "o.parquet")]) == 2
    assert "no such file" in capsys.readouterr().err
    weird = tmp_path / "events.csv"
    pl.DataFrame({"child_id": ["A"], "event": ["referral"], "date": [dt.date(2025, 1, 6)], "authority": ["Atlantis"]}).write_csv(weird)
    assert main(["score", str(weird), "-o", str(tmp_path / "o.parquet")]) == 2
    assert "'Atlantis'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["score", "--as-of", "31/03/2026"])
