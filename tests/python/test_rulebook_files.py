"""Rulebook files that are not what they seem (issue #26): a FIFO, a device, a huge file, an
``extends`` chain thousands of files long or leading out of the rulebook's folder, parameter
values that are no durations, a user rulebook under a built-in's id. Each is a
``RulebookError`` naming the file (and the parameter, the chain or the resolved file), never a
hang, a crash or a rulebook that loads and silently never scores.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import cinscope as cs
from cinscope.cli import main

HEAD = 'name = "n"\nauthority = "a"\ndocument = "d"\n'


def book(id_: str, extra: str = "") -> str:
    return f'id = "{id_}"\n{HEAD}{extra}'


def raises(call: object, *fragments: str) -> str:
    with pytest.raises(cs.RulebookError) as info:
        call()  # type: ignore[operator]
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX thing")
def test_a_fifo_is_refused_rather_than_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    (tmp_path / "mine.toml").write_text(book("mine", 'extends = "pipe"\n'), encoding="utf-8")
    # Opening a FIFO blocks until something writes to it: run in a child process, so that a
    # regression fails this test instead of hanging the suite.
    code = (
        "import cinscope as cs, sys\n"
        "for path, how in ((sys.argv[1], 'file'), (sys.argv[2], 'extends')):\n"
        "    try:\n"
        "        cs.Rulebook.from_file(path)\n"
        "    except cs.RulebookError as error:\n"
        "        print(how, error)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(fifo), str(tmp_path / "mine.toml")],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"file {fifo}: is a FIFO, not a regular file"), lines
    assert lines[1].startswith(f"extends {tmp_path / 'mine.toml'}: field 'extends': {fifo}: is a FIFO"), lines


def test_a_device_a_folder_and_a_huge_file_are_refused(tmp_path: Path) -> None:
    if Path("/dev/zero").exists():
        raises(lambda: cs.Rulebook.from_file("/dev/zero"), "/dev/zero: is a device, not a regular file")
        raises(lambda: cs.load_rulebook("/dev/zero.toml"), "/dev/zero.toml")
    raises(lambda: cs.Rulebook.from_file(tmp_path), "is a directory")
    huge = tmp_path / "huge.toml"
    with huge.open("wb") as handle:
        handle.truncate(10 * 1024 * 1024 + 1)  # sparse: no 10 MiB written to disk
    raises(lambda: cs.Rulebook.from_file(huge), "huge.toml: is 10485761 bytes long", "at most 10485760 bytes (10 MiB)")


def test_an_extends_chain_thousands_long_is_refused_naming_the_chain(tmp_path: Path) -> None:
    n = 2000
    for i in range(n):
        extends = f'extends = "r{i + 1}"\n' if i + 1 < n else ""
        (tmp_path / f"r{i}.toml").write_text(book(f"r{i}", extends), encoding="utf-8")
    raises(lambda: cs.Rulebook.from_file(tmp_path / "r0.toml"), "'extends' chain is longer than 32 rulebooks",
           "r0 -> r1 -> r2", "-> r32")


def test_extends_may_not_leave_the_folder_unless_allowed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "secret.toml").write_text(book("secret"), encoding="utf-8")
    folder = tmp_path / "books"
    folder.mkdir()
    resolved = str((tmp_path / "secret.toml").resolve())
    for name, extends in (("up.toml", "../secret"), ("absolute.toml", str(tmp_path / "secret"))):
        path = folder / name
        path.write_text(book("mine", f'extends = "{extends}"\n'), encoding="utf-8")
        raises(lambda: cs.Rulebook.from_file(path), f"{name}: field 'extends'", "outside the rulebook's folder",
               resolved, "allow_outside=True")
        raises(lambda: cs.load_rulebook(str(path)), "outside the rulebook's folder")
        assert cs.Rulebook.from_file(path, allow_outside=True).extends == extends
        assert cs.load_rulebook(path, allow_outside=True).extends == extends
        # The command line refuses it too, and --allow-outside allows it.
        assert main(["rulebook", "validate", str(path)]) == 1
        assert "outside the rulebook's folder" in capsys.readouterr().out
        assert main(["rulebook", "validate", str(path), "--allow-outside"]) == 0
        assert f"{path}: valid" in capsys.readouterr().out
    (folder / "base.toml").write_text(book("base"), encoding="utf-8")
    (folder / "ok.toml").write_text(book("mine", 'extends = "base"\n'), encoding="utf-8")
    assert cs.Rulebook.from_file(folder / "ok.toml").extends == "base"


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("-1 days", "'-1 days' is not a positive interval"),
        ("0 days", "'0 days' is not a positive interval"),
        ("3 monts", "cannot read the interval '3 monts'"),
    ],
)
def test_set_values_are_validated(value: str, fragment: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        book("mine", f'extends = "leicester-leicestershire-rutland"\n[set]\nfirst_review = "{value}"\n'), encoding="utf-8"
    )
    raises(lambda: cs.Rulebook.from_file(path), "mine.toml: field 'set.first_review'", fragment,
           "accepted forms: ", "'3 months' ('3mo')")
    assert main(["rulebook", "validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}: invalid" in out and "set.first_review" in out and fragment in out and "accepted forms" in out


def test_a_user_rulebook_may_not_reuse_a_built_in_id(tmp_path: Path) -> None:
    raises(lambda: cs.Rulebook.from_toml(book("kent", 'extends = "national"\n'), "mine.toml"),
           "mine.toml: field 'id': id 'kent' is the id of a built-in rulebook", "'kent-local'")
    path = tmp_path / "kent.toml"
    path.write_text(book("kent", 'extends = "national"\n'), encoding="utf-8")
    raises(lambda: cs.Rulebook.from_file(path), "id 'kent' is the id of a built-in rulebook")
    assert cs.Rulebook.from_toml(book("kent-local", 'extends = "kent"\n')).id == "kent-local"
    assert cs.Rulebook.builtin("kent").id == "kent"
