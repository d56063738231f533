"""The ``cinscope`` command line: the main job, scoring, reports, rulebooks, synthetic data.

Run ``cinscope --help`` or ``cinscope COMMAND --help``. ``python -m cinscope`` is ``cinscope run``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import polars as pl

import cinscope as cs
from cinscope import _files
from cinscope._read import read_events_file
from cinscope.report import html_report, summary

AS_OF = dt.date(2026, 3, 31)

EPILOG = """examples:
  cinscope run                                  main job on the bundled synthetic data
  cinscope score events.parquet -o obligations.parquet --as-of 2026-03-31
  cinscope report events.csv --rulebook kent -o report.html --suppress-below 5
  cinscope rulebook list
  cinscope rulebook show portsmouth
  cinscope rulebook validate my-authority.toml
  cinscope rulebook diff kent portsmouth
  cinscope synth --authority kent --children 10000 -o events.parquet --truth truth.parquet
  cinscope map --template -o my-extract.toml    a mapping template for any other extract (docs/mapping.md)
  cinscope map my-extract.toml extract.csv -o events.parquet

Every file is written atomically (a failed run leaves an existing file as it was), and no
command writes over its own input. CSV written for people is safe to open in a spreadsheet:
text cells beginning with = + - @, a tab or a carriage return get a leading ' so that they are
shown, not run as formulas; --raw-csv writes them as they are (for CSV that programs read back).
"""


class _Progress:
    """Prints numbered steps with their time, to standard error."""

    def __init__(self, total: int, quiet: bool = False) -> None:
        self.total, self.done, self.quiet = total, 0, quiet

    def step(self, text: str, work: Callable[[], object]) -> object:
        self.done += 1
        if not self.quiet:
            print(f"[{self.done}/{self.total}] {text} ...", file=sys.stderr, flush=True)
        start = time.perf_counter()
        result = work()
        if not self.quiet:
            print(f"      done in {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)
        return result


def bundled_events_path() -> Path:
    """The small hand-made example events file shipped with the package (five children, with
    deliberate data problems)."""
    from importlib.resources import files

    return Path(str(files("cinscope") / "data" / "example_events.csv"))


def read_events(path: Path) -> pl.DataFrame:
    """Reads an events file (CSV or Parquet): see :func:`cinscope._read.read_events_file`. Notes
    (an encoding, a separator, a date style read) go to standard error; problems are one-line
    :class:`cinscope.CinscopeError` messages naming the file, line and column."""
    return read_events_file(path)


def write_frame(frame: pl.DataFrame, path: Path, *, raw_csv: bool = False) -> None:
    """Writes Parquet or CSV, by the file's suffix, atomically (an existing file is replaced
    only by a complete one).

    In CSV, text cells that a spreadsheet would run as formulas (beginning with ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return) get a leading ``'``, unless ``raw_csv`` is true.
    """
    _files.write_frame(frame, path, raw_csv=raw_csv)


def refuse_overwriting(inputs: Sequence[tuple[str, Path | None]], outputs: Sequence[tuple[str, Path | None]]) -> None:
    """Raises :class:`cinscope.CinscopeError`, naming both paths, when an output is an input or
    another output (compared as files: links and relative paths included)."""
    _files.refuse_same_paths(inputs, outputs)


def rulebooks_for(
    events: pl.DataFrame, rulebook: str | None, *, allow_outside: bool = False
) -> str | cs.Rulebook | dict[str, str]:
    """The rulebook named, else one per authority when the ``authority`` column holds built-in
    ids, else the national one. ``allow_outside`` lets a rulebook file's ``extends`` name a file
    outside its folder (``--allow-outside``)."""
    if rulebook:
        return cs.load_rulebook(rulebook, allow_outside=allow_outside)
    if "authority" in events.columns:
        known = cs.builtin_rulebooks()
        values = [a for a in events["authority"].drop_nulls().unique().sort().to_list()]
        unknown = [a for a in values if a not in known]
        if values and not unknown:
            return {a: a for a in values}
        if unknown:
            raise cs.CinscopeError(
                f"column 'authority' holds {', '.join(map(repr, unknown[:5]))}, which are not built-in rulebooks "
                f"({', '.join(known)}); pass --rulebook ID or FILE.toml to score every row under one rulebook"
            )
    return "national"


def _print_table(frame: pl.DataFrame, rows: int = 200) -> None:
    with pl.Config(tbl_rows=rows, tbl_cols=20, tbl_width_chars=200, fmt_str_lengths=60, tbl_hide_dataframe_shape=True):
        print(frame)


def run(args: argparse.Namespace) -> int:
    """The main job: score the events (the bundled default data unless a file is given) under
    each authority's rulebook, print the summary, write obligations and the HTML report."""
    out: Path = args.out
    parquet = out / "obligations.parquet"
    report = out / "report.html"
    refuse_overwriting([("the input", args.events)], [("the obligations", parquet), ("the report", report)])
    progress = _Progress(5, args.quiet)
    as_of: dt.date = args.as_of or AS_OF
    imported: cs.Imported | None = None
    if args.events is None:
        data = progress.step(
            f"Generating the bundled default data (synthetic, seed {args.seed}, scale {args.scale})",
            lambda: cs.default_cohort(args.scale, seed=args.seed),
        )
        assert isinstance(data, cs.Synthetic)
        events = data.events
        source = "bundled synthetic data"
    else:
        imported = progress.step(f"Reading {args.events}", lambda: read_input(args))  # type: ignore[assignment]
        assert isinstance(imported, cs.Imported)
        events = imported.events
        as_of = args.as_of or imported.as_of or AS_OF
        source = f"{args.events} ({imported.source_format})"
    books = rulebooks_for(events, args.rulebook, allow_outside=args.allow_outside)
    scored = progress.step(
        f"Scoring {events.height:,} events of {events['child_id'].n_unique():,} children at {as_of}",
        lambda: _score_noting(imported or events, books, as_of, "exclude_anchor", args.command or "run"),
    )
    assert isinstance(scored, cs.Scored)
    covered = _coverage_of(imported, books, as_of)
    obligations = scored.obligations
    table = progress.step("Summarising", lambda: summary(obligations, events, as_of=as_of))
    assert isinstance(table, pl.DataFrame)
    progress.step(f"Writing {parquet}", lambda: write_frame(obligations, parquet))
    progress.step(
        f"Writing {report}",
        lambda: html_report(obligations, events, report, as_of=as_of, title=f"cinscope: {source}", coverage=covered),
    )
    print(f"\ncinscope {cs.__version__}: {source}: {events.height:,} events, {events['child_id'].n_unique():,} children, "
          f"{obligations.height:,} obligations at {as_of}; {scored.findings.height:,} data-quality findings")
    _print_table(table)
    overdue = obligations.filter(pl.col("status") == "overdue").height
    print(f"\n{overdue:,} obligations overdue at {as_of}. Obligations: {parquet}. Report: {report}")
    return 0


def read_input(args: argparse.Namespace) -> cs.Imported:
    """The input of ``run``, ``score`` and ``report``: any source cinscope reads (see
    :func:`cinscope.read_source`), its findings printed as a count on standard error."""
    imported = cs.read_source(args.events, input_format=args.input_format, as_of=args.as_of, mapping=args.mapping)
    if imported.source_format != "events":
        print(f"read {args.events} as {imported.source_format}: {imported.events.height:,} events, "
              f"{imported.findings.height:,} import findings", file=sys.stderr)
    return imported


def _score_noting(
    source: cs.Imported | pl.DataFrame, books: object, as_of: dt.date, convention: str, command: str,
    errors: str = "report",
) -> cs.Scored:
    """Scores, printing each rule left out for want of events in the source as one line on
    standard error (rather than a Python warning)."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", cs.CoverageWarning)
        if errors == "raise":
            scored = cs.Scored(cs.score(source, books, as_of=as_of, convention=convention), pl.DataFrame())  # type: ignore[arg-type]
        else:
            scored = cs.score_report(source, books, as_of=as_of, convention=convention)  # type: ignore[arg-type]
    for w in caught:
        if issubclass(w.category, cs.CoverageWarning):
            print(f"cinscope {command}: note: {w.message}", file=sys.stderr)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return scored


def _coverage_of(imported: cs.Imported | None, books: object, as_of: dt.date) -> pl.DataFrame | None:
    """The coverage table of an imported source (None for a plain events table)."""
    if imported is None or imported.source_events is None:
        return None
    listed = list(books.values()) if isinstance(books, dict) else [books]
    return cs.coverage(imported, listed, as_of=as_of)


def score_cmd(args: argparse.Namespace) -> int:
    refuse_overwriting([("the input", args.events)], [("the output", args.output), ("--findings", args.findings)])
    imported = read_input(args)
    events = imported.events
    as_of = args.as_of or imported.as_of or AS_OF
    books = rulebooks_for(events, args.rulebook, allow_outside=args.allow_outside)
    scored = _score_noting(imported, books, as_of, args.convention, "score", errors=args.errors)
    write_frame(scored.obligations, args.output, raw_csv=args.raw_csv)
    if args.findings:
        write_frame(scored.findings, args.findings, raw_csv=args.raw_csv)
    print(f"{scored.obligations.height:,} obligations written to {args.output}; "
          f"{scored.findings.height:,} data-quality findings" + (f" written to {args.findings}" if args.findings else ""))
    return 0


def report_cmd(args: argparse.Namespace) -> int:
    refuse_overwriting([("the input", args.events)], [("the output", args.output)])
    imported = read_input(args)
    events = imported.events
    as_of = args.as_of or imported.as_of or AS_OF
    books = rulebooks_for(events, args.rulebook, allow_outside=args.allow_outside)
    scored = _score_noting(imported, books, as_of, args.convention, "report")
    path = html_report(scored.obligations, events, args.output, as_of=as_of,
                       title=f"cinscope: {args.events.name}", suppress_below=args.suppress_below,
                       coverage=_coverage_of(imported, books, as_of))
    print(f"report written to {path}")
    return 0


def _requirements(book: cs.Rulebook) -> pl.DataFrame:
    return book.rules().select("rule", "severity", "kind", "requires", "title")


def rulebook_cmd(args: argparse.Namespace) -> int:
    if args.action == "list":
        rows = [cs.Rulebook.builtin(i) for i in cs.builtin_rulebooks()]
        _print_table(pl.DataFrame({
            "id": [b.id for b in rows],
            "authority": [b.authority for b in rows],
            "rules": [b.rules().height for b in rows],
            "document": [b.document for b in rows],
        }))
        return 0
    if args.action == "show":
        if len(args.rulebooks) != 1:
            raise cs.CinscopeError("rulebook show takes one rulebook (an id or a .toml file)")
        book = cs.load_rulebook(args.rulebooks[0], allow_outside=args.allow_outside)
        print(f"{book.id}: {book.name} ({book.document})")
        _print_table(_requirements(book))
        params = book.parameters()
        if params.height:
            print("\nparameters")
            _print_table(params)
        return 0
    if args.action == "validate":
        if not args.rulebooks:
            raise cs.CinscopeError("rulebook validate takes one or more .toml files")
        failed = 0
        for item in args.rulebooks:
            try:
                book = cs.load_rulebook(
                    item if item in cs.builtin_rulebooks() else Path(item), allow_outside=args.allow_outside
                )
            except cs.RulebookError as error:
                failed += 1
                print(f"{item}: invalid\n{error}")
            else:
                unset = book.rules().filter(pl.col("unset_parameters").is_not_null()).height
                note = f"; {unset} rules wait for parameters to be set" if unset else ""
                print(f"{item}: valid, {book.rules().height} rules{note}")
        return 1 if failed else 0
    if args.action == "diff":
        if len(args.rulebooks) != 2:
            raise cs.CinscopeError("rulebook diff takes two rulebooks")
        a, b = (cs.load_rulebook(x, allow_outside=args.allow_outside) for x in args.rulebooks)
        left = _requirements(a).select("rule", "kind", "requires")
        right = _requirements(b).select("rule", "kind", "requires")
        joined = left.join(right, on="rule", how="full", suffix=f"_{b.id}", coalesce=True).rename(
            {"kind": f"kind_{a.id}", "requires": f"requires_{a.id}"}
        )
        diff = joined.filter(
            pl.col(f"requires_{a.id}").is_null()
            | pl.col(f"requires_{b.id}").is_null()
            | (pl.col(f"requires_{a.id}") != pl.col(f"requires_{b.id}"))
        ).sort("rule")
        print(f"{a.id}: {left.height} rules; {b.id}: {right.height} rules; {diff.height} differ or are in one only")
        _print_table(diff)
        return 0
    raise cs.CinscopeError(f"unknown action {args.action!r}")


def synth_cmd(args: argparse.Namespace) -> int:
    refuse_overwriting([], [("the output", args.output), ("--truth", args.truth)])
    authorities = args.authority or ["kent"]
    data = cs.synth(authorities, args.children, seed=args.seed, as_of=args.as_of, years=args.years)
    write_frame(data.events, args.output, raw_csv=args.raw_csv)
    if args.truth:
        write_frame(data.truth, args.truth, raw_csv=args.raw_csv)
    print(f"{data.events.height:,} events of {data.events['child_id'].n_unique():,} children written to {args.output}"
          + (f"; {data.truth.height:,} breaches written to {args.truth}" if args.truth else ""))
    return 0


def census_cmd(args: argparse.Namespace) -> int:
    """``cinscope census validate|measures|convert|generate|rules``."""
    if args.action == "rules":
        _print_table(cs.census_rules().select("rule", "type", "message"), rows=200)
        return 0
    if args.action == "generate":
        if not args.output:
            raise cs.CinscopeError("census generate needs -o/--output FILE.xml")
        census = cs.generate_census(args.children, seed=args.seed, year=args.year or 2025, error_rate=args.error_rate)
        census.write(args.output, args.year or 2025)
        print(f"{len(census):,} children written to {args.output}")
        return 0
    if not args.file:
        raise cs.CinscopeError(f"census {args.action} needs a census XML file")
    refuse_overwriting([("the input", args.file)], [("the output", args.output)])
    census = cs.read_census(args.file)
    for line, path, message in census.notes.iter_rows():
        print(f"note: line {line}: {path}: {message}", file=sys.stderr)
    if args.action == "validate":
        checked = census.validate()
        if args.output:
            write_frame(checked.issues, args.output, raw_csv=args.raw_csv)
        failed = checked.failed
        errors = int(checked.issues.filter(pl.col("type") == "error").height)
        print(f"{len(census):,} children; {checked.issues.height:,} findings from {failed.height} rules ({errors:,} errors)")
        _print_table(failed.select("rule", "type", "findings", "children", "message"), rows=200)
        return 1 if errors else 0
    if args.action == "measures":
        frame = census.measures(suppress_below=args.suppress_below)
        if args.output:
            write_frame(frame, args.output, raw_csv=args.raw_csv)
        _print_table(frame, rows=500)
        return 0
    if args.action == "convert":
        if not args.output or not args.year:
            raise cs.CinscopeError("census convert needs --year and -o/--output FILE.xml")
        census.write(args.output, args.year)
        print(f"{len(census):,} children written to {args.output} in the {args.year} schema")
        return 0
    raise cs.CinscopeError(f"unknown action {args.action!r}")


def _map_sources(items: Sequence[str]) -> Path | dict[str, Path]:
    """The SOURCE arguments of ``map``: one file, or NAME=FILE for each table."""
    named: dict[str, Path] = {}
    plain: list[Path] = []
    for item in items:
        name, sep, file = item.partition("=")
        if sep and name and file and not Path(item).exists():
            if name in named:
                raise cs.CinscopeError(f"map: the table {name!r} is given twice")
            named[name] = Path(file)
        else:
            plain.append(Path(item))
    if named and plain:
        raise cs.CinscopeError("map: name every source (NAME=FILE) when the mapping has several tables")
    if len(plain) > 1:
        raise cs.CinscopeError(f"map: {len(plain)} sources given; name each by its table: NAME=FILE")
    return named if named else plain[0]


def map_cmd(args: argparse.Namespace) -> int:
    """``cinscope map --template [-o FILE]``; ``cinscope map MAPPING SOURCE... -o EVENTS``."""
    from cinscope.mapping import mapping_template, read_mapped

    if args.template:
        if args.mapping is not None or args.sources or args.findings is not None:
            raise cs.CinscopeError("map --template takes no mapping, source or --findings; -o FILE writes it to FILE")
        if args.output is None:
            sys.stdout.write(mapping_template())
            return 0
        if args.output.exists():
            raise cs.CinscopeError(
                f"{args.output} exists: map --template does not write over a file (it may be a mapping you "
                "filled in); choose another path"
            )
        _files.write_text(args.output, mapping_template())
        print(f"mapping template written to {args.output}")
        return 0
    if args.mapping is None or not args.sources:
        raise cs.CinscopeError("map needs a mapping and the extract: cinscope map MAPPING.toml SOURCE... -o EVENTS "
                               "(or cinscope map --template -o MAPPING.toml)")
    if args.output is None:
        raise cs.CinscopeError("map needs -o/--output EVENTS.parquet or EVENTS.csv")
    for label, path in (("the output", args.output), ("--findings", args.findings)):
        if path is not None and path.suffix.lower() not in (".parquet", ".csv"):
            raise cs.CinscopeError(f"{label} {path}: expected a file ending .parquet or .csv")
    source = _map_sources(args.sources)
    inputs = [("the mapping", args.mapping)] + (
        [(f"the source of {name!r}", path) for name, path in source.items()]
        if isinstance(source, dict) else [("the source", source)]
    )
    refuse_overwriting(inputs, [("the output", args.output), ("--findings", args.findings)])
    imported = read_mapped(source, args.mapping)
    write_frame(imported.events, args.output, raw_csv=args.raw_csv)
    if args.findings:
        write_frame(imported.findings, args.findings, raw_csv=args.raw_csv)
    for name, rows in imported.counts.items():
        print(f"{name}: {rows:,} rows read")
    events = imported.events
    print(f"{events.height:,} events of {events['child_id'].n_unique():,} children written to {args.output}")
    actions = dict(imported.findings.group_by("action").len().iter_rows())
    words = {"not_an_event": "not events", "skipped": "skipped", "repaired": "repaired", "kept": "kept"}
    parts = [f"{actions[a]:,} {word}" for a, word in words.items() if a in actions]
    where = f" written to {args.findings}" if args.findings else ("; write them with --findings FILE" if parts else "")
    print(f"{imported.findings.height:,} findings" + (f" ({', '.join(parts)})" if parts else "") + where)
    return 0


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _raw_csv_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--raw-csv", action="store_true",
        help="write CSV text cells exactly as they are; by default a text cell beginning with = + - @, "
        "a tab or a carriage return gets a leading ' so that a spreadsheet shows it instead of running it as a formula",
    )


def _allow_outside_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--allow-outside", action="store_true",
        help="let a rulebook file's 'extends' name a file outside the rulebook's folder (\"../x\" or an absolute "
        "path); by default only built-in rulebooks and files in the same folder may be extended",
    )


def _input_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--input-format", choices=cs.INPUT_FORMATS,
        help="what the input is (default: detected from the file or folder: an events table, an Ofsted Annex A "
        "workbook or folder of list CSVs, a Standard Safeguarding Dataset folder or SQLite file, a census XML)",
    )
    p.add_argument("--mapping", type=Path, help="read the input through this mapping (TOML; see cinscope map --template)")


def _run_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("events", nargs="?", type=Path,
                   help="input: an events file, Annex A workbook, SSD folder or census XML; default: the bundled synthetic data")
    p.add_argument("--as-of", type=_date, help=f"extract date (default: the source's own, else {AS_OF}, the end of "
                   "the 2025-26 census year; for Annex A, the inspection date)")
    _input_arguments(p)
    p.add_argument("--rulebook", help="score every row under this rulebook (id or .toml); default: each authority's own")
    p.add_argument("--out", type=Path, default=Path("cinscope-output"), help="output folder (default: cinscope-output)")
    p.add_argument("--scale", type=float, default=0.1, help="size of the bundled data, as a share of each area's children in need (default 0.1)")
    p.add_argument("--seed", type=int, default=2026, help="seed of the bundled data (default 2026)")
    p.add_argument("--quiet", action="store_true", help="no progress messages")
    _allow_outside_argument(p)


def parser() -> argparse.ArgumentParser:
    """The argument parser of the ``cinscope`` command."""
    top = argparse.ArgumentParser(
        prog="cinscope",
        description="Score Child in Need case histories against procedure timescales, report on them, "
        "and work with rulebooks and synthetic data. Nothing leaves this machine.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    top.add_argument("--version", action="version", version=f"cinscope {cs.__version__}")
    sub = top.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("run", help="the main job: score, summarise, write obligations and an HTML report")
    _run_arguments(p)
    p.set_defaults(func=run)

    for name, func, helptext in (
        ("score", score_cmd, "score an input (events, Annex A, SSD, census); write the obligations (Parquet or CSV)"),
        ("report", report_cmd, "score an input (events, Annex A, SSD, census) and write the HTML report"),
    ):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("events", type=Path,
                       help="input: an events file (CSV or Parquet), Annex A workbook, SSD folder or census XML")
        p.add_argument("-o", "--output", type=Path, required=True, help="output file")
        p.add_argument("--rulebook", help="rulebook id or .toml (default: each authority's own, else national)")
        p.add_argument("--as-of", type=_date, help=f"extract date (default: the source's own, else {AS_OF}; for "
                       "Annex A, the inspection date)")
        _input_arguments(p)
        p.add_argument("--convention", choices=["exclude_anchor", "count_anchor"], default="exclude_anchor",
                       help="working-day counting convention (default exclude_anchor)")
        _allow_outside_argument(p)
        if name == "score":
            p.add_argument("--errors", choices=["raise", "report"], default="report",
                           help="bad rows: stop with an error, or report them as findings (default)")
            p.add_argument("--findings", type=Path, help="also write the data-quality findings here")
            _raw_csv_argument(p)
        else:
            p.add_argument("--suppress-below", type=int, help="hide counts below this (small-number suppression)")
        p.set_defaults(func=func)

    p = sub.add_parser("rulebook", help="list, show, validate or compare rulebooks")
    p.add_argument("action", choices=["list", "show", "validate", "diff"])
    p.add_argument("rulebooks", nargs="*", help="rulebook ids or .toml files")
    _allow_outside_argument(p)
    p.set_defaults(func=rulebook_cmd)

    p = sub.add_parser("synth", help="write synthetic case histories (and their ground truth)")
    p.add_argument("-o", "--output", type=Path, required=True, help="events file to write (.parquet or .csv)")
    p.add_argument("--truth", type=Path, help="also write the breaches the data holds")
    p.add_argument("--authority", action="append", help="built-in rulebook id (repeatable; default kent)")
    p.add_argument("--children", type=int, default=1000, help="children per authority (default 1000)")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--years", type=int, default=3, help="years of referrals before the as-of date (default 3)")
    p.add_argument("--as-of", type=_date, default=AS_OF)
    _raw_csv_argument(p)
    p.set_defaults(func=synth_cmd)

    p = sub.add_parser("census", help="DfE CIN census: validate, measures, convert between schema years, generate, list rules")
    p.add_argument("action", choices=["validate", "measures", "convert", "generate", "rules"])
    p.add_argument("file", nargs="?", type=Path, help="census XML file")
    p.add_argument("-o", "--output", type=Path, help="write the issues/measures (CSV or Parquet) or the XML here")
    p.add_argument("--year", type=int, help="schema year to write (convert, generate)")
    p.add_argument("--suppress-below", type=int, help="measures: hide counts below this")
    p.add_argument("--children", type=int, default=1000, help="generate: number of children (default 1000)")
    p.add_argument("--seed", type=int, default=2026, help="generate: seed (default 2026)")
    p.add_argument("--error-rate", type=float, default=0.02, help="generate: share of children with one mistake (default 0.02)")
    _raw_csv_argument(p)
    p.set_defaults(func=census_cmd)

    p = sub.add_parser("map", help="read any case-system extract through a declarative mapping (TOML) into events")
    p.add_argument("mapping", nargs="?", type=Path, help="the mapping file (.toml); see cinscope map --template")
    p.add_argument("sources", nargs="*", metavar="SOURCE",
                   help="the extract (CSV or Parquet); for a mapping of several tables, NAME=FILE for each")
    p.add_argument("--template", action="store_true",
                   help="write a commented mapping template (to standard output, or to -o FILE, never over a file)")
    p.add_argument("-o", "--output", type=Path, help="events file to write (.parquet or .csv)")
    p.add_argument("--findings", type=Path, help="also write the findings (rows not read as events) here")
    _raw_csv_argument(p)
    p.set_defaults(func=map_cmd)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line; returns the exit status."""
    args = parser().parse_args(argv)
    if args.command is None:
        parser().print_help()
        return 0
    try:
        return int(args.func(args))
    except (cs.CinscopeError, ValueError, TypeError, OSError) as error:
        print(f"cinscope {args.command}: error: {error}", file=sys.stderr)
        return 2
    except pl.exceptions.PolarsError as error:
        print(f"cinscope {args.command}: error: {_polars_message(error)}", file=sys.stderr)
        return 2


def _polars_message(error: Exception) -> str:
    """A Polars error in one line: its first line (Polars adds hints and plans after it)."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def module_main(argv: Sequence[str] | None = None) -> int:
    """``python -m cinscope [EVENTS] [options]``: the main job."""
    p = argparse.ArgumentParser(prog="python -m cinscope", description=run.__doc__)
    _run_arguments(p)
    args = p.parse_args(argv)
    args.command = "run"
    try:
        return run(args)
    except (cs.CinscopeError, ValueError, TypeError, OSError) as error:
        print(f"cinscope: error: {error}", file=sys.stderr)
        return 2
    except pl.exceptions.PolarsError as error:
        print(f"cinscope: error: {_polars_message(error)}", file=sys.stderr)
        return 2
