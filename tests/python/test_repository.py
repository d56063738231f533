"""The repository stands alone: no tracked file points outside the checkout."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: The sibling folder the project once read from; spelled in two parts so that this file does
#: not match itself.
OUTSIDE = "../" + "shared"


def tracked_files() -> list[str]:
    """The files git tracks, relative to the repository root; skips the test without git or a
    checkout (an unpacked source archive)."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    try:
        done = subprocess.run(
            ["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=False, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        pytest.skip(f"git ls-files failed: {error}")
    if done.returncode != 0 or not done.stdout:
        pytest.skip(f"{ROOT} is not a git checkout")
    return [name for name in done.stdout.decode("utf-8", "surrogateescape").split("\0") if name]


def test_no_tracked_file_refers_outside_the_repository() -> None:
    needle = OUTSIDE.encode()
    offenders = []
    for name in tracked_files():
        if Path(name).name == "Cargo.lock":
            continue
        path = ROOT / name
        if not path.is_file():  # deleted in the working tree, or a submodule
            continue
        if needle in path.read_bytes():
            offenders.append(name)
    assert not offenders, f"tracked files refer to {OUTSIDE}: {', '.join(offenders)}"


def test_the_census_samples_and_schemas_are_in_the_repository() -> None:
    data = ROOT / "crates" / "cinscope-census" / "data"
    assert sorted(p.name for p in (data / "samples").glob("*.xml")) == [
        "CIN_Census_2021.xml", "CIN_Census_2024.xml", "CIN_Census_2026.xml",
    ]
    assert sorted(p.name for p in (data / "schemas").glob("*.xsd")) == [f"CIN_schema_{y}.xsd" for y in range(2017, 2027)]
    assert (data / "schemas" / "LICENSE-liia-tools-pipeline.txt").is_file()
