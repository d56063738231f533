"""SSD importer benchmark: generate Standard Safeguarding Dataset tables, write them as Parquet,
then time ``cs.read_ssd`` from the folder and from the frames in memory.

    python benches/bench_import.py --children 1000000

The tables come from the test generator (``tests/python/ssd_tables.py``: per child about 1.1
referrals, 1.05 assessments, 0.49 CIN plans, 6.4 case-note visits, 0.2 enquiries...), with its
deliberate problems, dates as native Datetime (``--dates text`` for DATETIME text) and the
SystemC column names (``--variant mosaic`` for the Mosaic ones).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import cinscope as cs

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "python"))

import ssd_tables  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, nargs="+", default=[100_000])
    parser.add_argument("--variant", choices=["systemc", "mosaic"], default="systemc")
    parser.add_argument("--dates", choices=["native", "text"], default="native")
    parser.add_argument("--repeat", type=int, default=2, help="timed runs of each read (the best is shown)")
    parser.add_argument("--csv", action="store_true", help="also time a folder of CSV files")
    args = parser.parse_args()
    as_of = dt.date(2026, 3, 31)
    for n in args.children:
        t0 = time.perf_counter()
        generated = ssd_tables.generate(n, variant=args.variant, dates=args.dates)
        rows = sum(generated.rows().values())
        print(f"{n:,} children: generated {rows:,} rows in {len(generated.tables)} tables "
              f"in {time.perf_counter() - t0:.1f} s")
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "parquet"
            generated.write_parquet(folder)
            sources: list[tuple[str, object]] = [("Parquet folder", folder), ("frames in memory", generated.tables)]
            if args.csv:
                csv = Path(tmp) / "csv"
                generated.write_csv(csv)
                sources.append(("CSV folder", csv))
            for label, source in sources:
                best = float("inf")
                imported = None
                for _ in range(args.repeat):
                    t1 = time.perf_counter()
                    imported = cs.read_ssd(source, as_of=as_of)
                    best = min(best, time.perf_counter() - t1)
                assert imported is not None
                events = imported.events.height
                print(f"  {label:<17} {best:6.2f} s  {events:,} events ({events / best / 1e6:.1f} M events/s), "
                      f"{imported.findings.height:,} findings")


if __name__ == "__main__":
    main()
