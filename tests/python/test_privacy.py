"""Privacy: keyed pseudonyms, degraded dates of birth, small-number suppression, and no network."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import polars as pl
import pytest

import cinscope as cs

KEY = "test key: at least sixteen bytes long"


def reference_pseudonym(value: str, key: str = KEY, length: int = 16) -> str:
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()[:length]


def test_ids_become_keyed_hashes_and_stay_joinable() -> None:
    events = cs.synth("kent", children=50, seed=3).events
    out = cs.pseudonymise(events, KEY)
    assert out.columns == events.columns and out.height == events.height
    # Each id is the HMAC-SHA-256 of the original under the key (checked with hmac directly).
    expected = [reference_pseudonym(v) for v in events["child_id"].to_list()]
    assert out["child_id"].to_list() == expected
    assert out["episode_id"].to_list() == [reference_pseudonym(v) for v in events["episode_id"].to_list()]
    # No original id survives anywhere in the frame.
    originals = set(events["child_id"]) | set(events["episode_id"])
    assert not originals & set(out["child_id"]) and not originals & set(out["episode_id"])
    # Same key, same pseudonyms (frames stay joinable); another key, others.
    again = cs.pseudonymise(events.sample(fraction=1.0, shuffle=True, seed=1), KEY)
    assert set(again["child_id"]) == set(out["child_id"])
    other = cs.pseudonymise(events, KEY + "!")
    assert not set(other["child_id"]) & set(out["child_id"])
    # Other columns are untouched, and the pseudonymised frame still scores the same way.
    assert out.drop("child_id", "episode_id").equals(events.drop("child_id", "episode_id"))
    as_of = dt.date(2026, 3, 31)
    plain = cs.compliance(cs.score(events, "kent", as_of=as_of))
    hidden = cs.compliance(cs.score(out, "kent", as_of=as_of))
    assert plain.equals(hidden)


def test_dates_of_birth_become_year_and_month_and_nulls_stay_null() -> None:
    frame = pl.DataFrame(
        {
            "child_id": [101, 202, None],
            "date_of_birth": [dt.date(2014, 7, 3), dt.date(2019, 12, 31), None],
            "note": ["a", "b", "c"],
        }
    )
    out = cs.pseudonymise(frame, KEY.encode(), length=64)
    assert out["date_of_birth"].to_list() == ["2014-07", "2019-12", None]
    assert out["child_id"].to_list() == [reference_pseudonym("101", length=64), reference_pseudonym("202", length=64), None]
    assert out["note"].to_list() == ["a", "b", "c"]


def test_a_lazy_frame_stays_lazy() -> None:
    frame = pl.LazyFrame({"child_id": ["A", "B"], "worker": ["W1", "W2"]})
    out = cs.pseudonymise(frame, KEY, ids=["child_id", "worker"])
    assert isinstance(out, pl.LazyFrame)
    assert out.collect()["worker"].to_list() == [reference_pseudonym("W1"), reference_pseudonym("W2")]


def test_census_child_table_defaults() -> None:
    census = cs.generate_census(100, seed=1, year=2025)
    table = census.tables["ChildIdentifiers"]
    out = cs.pseudonymise(table, KEY)
    assert out["LAchildID"].to_list() == [reference_pseudonym(v) for v in table["LAchildID"].to_list()]
    assert out["PersonBirthDate"].to_list() == table["PersonBirthDate"].dt.strftime("%Y-%m").to_list()
    upn = table["UPN"].to_list()
    assert out["UPN"].to_list() == [None if v is None else reference_pseudonym(v) for v in upn]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"key": "short"}, ValueError, "at least 16 bytes"),
        ({"key": 12345}, TypeError, "key must be str or bytes"),
        ({"key": KEY, "ids": ["nope"]}, KeyError, "no column 'nope'"),
        ({"key": KEY, "dates_of_birth": ["child_id"]}, TypeError, "expected Date or Datetime"),
        ({"key": KEY, "length": 8}, ValueError, "from 16 to 64"),
    ],
)
def test_bad_arguments_are_named(kwargs: dict[str, object], error: type[Exception], message: str) -> None:
    frame = pl.DataFrame({"child_id": ["A"], "date_of_birth": [dt.date(2015, 1, 1)]})
    with pytest.raises(error, match=message):
        cs.pseudonymise(frame, **kwargs)  # type: ignore[arg-type]


def test_aggregates_offer_small_number_suppression() -> None:
    obligations = pl.DataFrame({"rule": ["R1"] * 3 + ["R2"] * 20, "status": ["met", "late", "met"] + ["met"] * 20})
    table = cs.compliance(obligations, suppress_below=5).sort("rule")
    assert table.row(0, named=True)["compliance"] is None and table.row(0, named=True)["met"] is None
    assert table.row(1, named=True)["compliance"] == 1.0 and table.row(1, named=True)["met"] == 20
    measures = cs.generate_census(30, seed=2, year=2025).measures(suppress_below=10)
    small = measures.filter(pl.col("suppressed"))
    assert small.height > 0 and small["value"].is_null().all()


# --- nothing opens a network connection -------------------------------------------------------

GUARD = textwrap.dedent(
    """
    import sys

    EVENTS = {"socket.__new__", "socket.connect", "socket.bind", "socket.getaddrinfo",
              "socket.gethostbyname", "socket.sendto", "http.client.connect", "urllib.Request"}
    seen = []

    def guard(event, args):
        if event in EVENTS:
            seen.append(event)
            raise RuntimeError(f"network access attempted: {event}")

    sys.addaudithook(guard)
    code = 1
    try:
        code = TARGET()
    except Exception as error:  # report, then exit with the code below
        print(f"{type(error).__name__}: {error}", file=sys.stderr)
    if seen:
        print("NETWORK:" + ",".join(seen), file=sys.stderr)
        code = 99
    sys.exit(code)
    """
)


def run_guarded(target: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "guarded.py"
    script.write_text(target + "\n" + GUARD, encoding="utf-8")
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=600, cwd=tmp_path)


def test_the_guard_catches_a_connection(tmp_path: Path) -> None:
    # Control: the harness must fail a program that does open a socket.
    target = "def TARGET():\n    import socket\n    socket.create_connection(('127.0.0.1', 9))\n    return 0"
    result = run_guarded(target, tmp_path)
    assert result.returncode == 99 and "NETWORK:socket" in result.stderr


def test_main_job_and_census_path_open_no_connection(tmp_path: Path) -> None:
    target = textwrap.dedent(
        f"""
        def TARGET():
            from cinscope.cli import main
            out = {str(tmp_path / "out")!r}
            xml = {str(tmp_path / "census.xml")!r}
            steps = [
                ["run", "--scale", "0.02", "--out", out, "--quiet"],
                ["census", "generate", "-o", xml, "--children", "300", "--year", "2025"],
                ["census", "validate", xml, "-o", out + "/issues.csv"],
                ["census", "measures", xml, "-o", out + "/measures.csv", "--suppress-below", "5"],
                ["census", "convert", xml, "-o", out + "/census_2026.xml", "--year", "2026"],
            ]
            for argv in steps:
                code = main(argv)
                if code not in (0, 1):
                    return code
            return 0
        """
    )
    result = run_guarded(target, tmp_path)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert (tmp_path / "out" / "report.html").exists() and (tmp_path / "out" / "census_2026.xml").exists()


def test_the_native_extension_links_no_network_functions() -> None:
    # Rust code does not go through Python's socket module, so check what the compiled module
    # imports from the C library: no socket, connect, name lookup or send/receive functions.
    nm = shutil.which("nm")
    assert nm is not None, "nm (binutils) is needed for this test"
    from cinscope import _core

    assert _core.__file__ is not None
    symbols = subprocess.run([nm, "-D", "--undefined-only", _core.__file__], capture_output=True, text=True, check=True)
    imported = {line.split()[-1].split("@")[0] for line in symbols.stdout.splitlines() if line.strip()}
    assert len(imported) > 50  # the listing worked
    network = {"socket", "connect", "bind", "listen", "accept", "accept4", "getaddrinfo", "gethostbyname",
               "send", "sendto", "sendmsg", "recv", "recvfrom", "recvmsg"}
    assert imported & network == set()
