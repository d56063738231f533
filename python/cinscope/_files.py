"""Writing files safely: every file cinscope writes goes through here.

A file is written to a temporary file in the same folder, flushed to disk, and renamed over the
destination only when the writing succeeded (:func:`os.replace` is atomic). A failed write (an
error in the data, a full disk, an interrupted process) leaves any existing file exactly as it was
and leaves no empty or temporary file behind; concurrent writers of the same path leave one
complete file, never a mixture.

CSV for people is neutralised against spreadsheet formula injection (OWASP, "CSV Injection"):
text cells that begin with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return get a leading
``'``, so a spreadsheet shows them as text rather than running them. ``raw_csv=True`` writes
them as they are, for CSV that programs will read back.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import polars as pl

from cinscope._core import CinscopeError

__all__ = [
    "FORMULA_PREFIXES",
    "neutralise_formulas",
    "refuse_same_paths",
    "replacing",
    "same_file",
    "write_atomic",
    "write_frame",
    "write_text",
]

#: The first characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

_FORMULA_PATTERN = "^[=+\\-@\\t\\r]"


def _destination(path: str | os.PathLike[str]) -> Path:
    """The file to replace: a symbolic link is followed, so that the link stays and its target
    gets the new contents."""
    target = Path(path)
    return Path(os.path.realpath(target)) if target.is_symlink() else target


def _temporary(target: Path) -> Path:
    """Creates an empty, new temporary file next to ``target``, with the permissions a new file
    gets (``0o666`` less the umask), and returns its path."""
    for _ in range(100):
        candidate = target.with_name(f".{target.name[:120]}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return candidate
    raise FileExistsError(f"{target}: could not create a temporary file next to it")  # pragma: no cover


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    """Flushes the folder's entry for the renamed file (POSIX; Windows cannot open a folder)."""
    if os.name == "nt":  # pragma: no cover
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover (some file systems refuse to sync a folder)
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def replacing(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path to write to instead of ``path``; on leaving the block without an error
    it replaces ``path`` atomically.

    The temporary file is created (empty) in ``path``'s folder, so the final rename never crosses
    file systems. On success it is flushed to disk (``fsync``), given the permissions of the file
    it replaces, renamed over ``path`` and the folder flushed. On any error, or when the block
    leaves the file absent, the temporary file is removed and ``path`` is untouched.

    A destination that exists and is not a regular file (``/dev/stdout``, a named pipe) cannot be
    replaced: the block gets ``path`` itself and writes to it directly. A read-only destination is
    refused with :class:`PermissionError`, as writing into it would be.

    Parameters
    ----------
    path
        The file to write. Its folder must exist.

    Yields
    ------
    Path
        Where to write the contents.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as name:
    ...     folder = Path(name)
    ...     with replacing(folder / "notes.txt") as tmp:
    ...         _ = tmp.write_text("hello")
    ...     print((folder / "notes.txt").read_text(), sorted(p.name for p in folder.iterdir()))
    hello ['notes.txt']
    """
    target = _destination(path)
    try:
        existing: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        existing = None
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        yield target
        return
    if existing is not None and not os.access(target, os.W_OK):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))
    temporary = _temporary(target)
    try:
        yield temporary
        _fsync_file(temporary)
        if existing is not None:
            os.chmod(temporary, stat.S_IMODE(existing.st_mode))
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _fsync_folder(target.parent)


def write_atomic(path: str | os.PathLike[str], write: Callable[[Path], object]) -> Path:
    """Calls ``write(temporary_path)`` and, if it returns, puts the result in place of ``path``
    atomically (see :func:`replacing`).

    Parameters
    ----------
    path
        The file to write. Its folder must exist.
    write
        Writes the whole file to the path it is given.

    Returns
    -------
    Path
        ``path``.
    """
    with replacing(path) as temporary:
        write(temporary)
    return Path(path)


def write_text(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8") -> Path:
    """Writes ``text`` to ``path`` atomically (see :func:`replacing`).

    Returns
    -------
    Path
        ``path``.
    """
    return write_atomic(path, lambda temporary: temporary.write_text(text, encoding=encoding))


def _is_text(dtype: pl.DataType) -> bool:
    return isinstance(dtype, (pl.String, pl.Categorical, pl.Enum))


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with every text cell that a spreadsheet would run as a formula made inert.

    A cell of a String, Categorical or Enum column that begins with ``=``, ``+``, ``-``, ``@``, a
    tab or a carriage return gets a leading ``'`` (the OWASP advice against CSV injection); the
    column becomes a String column if anything changed. Other columns (numbers, dates, booleans)
    and other cells are left as they are.

    Examples
    --------
    >>> frame = pl.DataFrame({"child_id": ["C1", "=HYPERLINK(1)", "-2"], "days": [-1, 2, 3]})
    >>> neutralise_formulas(frame).to_dict(as_series=False)
    {'child_id': ['C1', "'=HYPERLINK(1)", "'-2"], 'days': [-1, 2, 3]}
    """
    changes = []
    for name, dtype in frame.schema.items():
        if not _is_text(dtype):
            continue
        text = pl.col(name).cast(pl.String)
        risky = text.str.contains(_FORMULA_PATTERN)
        if not frame.select(risky.any()).item():
            continue
        changes.append(pl.when(risky).then(pl.lit("'") + text).otherwise(text).alias(name))
    return frame.with_columns(changes) if changes else frame


def write_frame(frame: pl.DataFrame, path: str | os.PathLike[str], *, raw_csv: bool = False) -> Path:
    """Writes ``frame`` as Parquet or CSV, by the file's suffix, atomically (see
    :func:`replacing`); creates the folder if needed.

    Parameters
    ----------
    frame
        The table to write.
    path
        A ``.parquet`` or ``.csv`` file.
    raw_csv
        CSV only: write text cells as they are. By default cells that a spreadsheet would run as
        formulas get a leading ``'`` (see :func:`neutralise_formulas`).

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    cinscope.CinscopeError
        When the suffix is neither ``.parquet`` nor ``.csv``.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".parquet", ".csv"):
        raise CinscopeError(f"{target}: expected an output file ending .parquet or .csv")
    target.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".parquet":
        return write_atomic(target, frame.write_parquet)
    safe = frame if raw_csv else neutralise_formulas(frame)
    return write_atomic(target, safe.write_csv)


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """Whether ``a`` and ``b`` name the same file: :func:`os.path.samefile` when both exist (links
    and hard links included), else their resolved absolute paths compared."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


def refuse_same_paths(
    inputs: Sequence[tuple[str, str | os.PathLike[str] | None]],
    outputs: Sequence[tuple[str, str | os.PathLike[str] | None]],
) -> None:
    """Raises :class:`cinscope.CinscopeError` when an output would overwrite an input or another
    output.

    Parameters
    ----------
    inputs, outputs
        ``(label, path)`` pairs, e.g. ``("the input", "events.csv")``; a ``None`` path is
        skipped.
    """
    written: list[tuple[str, str | os.PathLike[str]]] = []
    for label, out in outputs:
        if out is None:
            continue
        for in_label, source in inputs:
            if source is not None and same_file(source, out):
                raise CinscopeError(
                    f"{label} {os.fspath(out)} is {in_label} {os.fspath(source)}: "
                    "refusing to overwrite it; choose another output path"
                )
        for other_label, other in written:
            if same_file(other, out):
                raise CinscopeError(
                    f"{label} {os.fspath(out)} is the same file as {other_label} {os.fspath(other)}; "
                    "choose different paths"
                )
        written.append((label, out))
