"""Census benchmark: generate a return, write it, then time reading, validating and measuring.

    python benches/bench_census.py --children 10000 1000000
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import cinscope as cs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, nargs="+", default=[10_000])
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.children:
            path = Path(tmp) / f"census_{n}.xml"
            cs.generate_census(n, year=args.year).write(path, args.year)
            t0 = time.perf_counter()
            census = cs.read_census(path)
            t1 = time.perf_counter()
            checked = census.validate()
            t2 = time.perf_counter()
            census.measures()
            t3 = time.perf_counter()
            print(f"{n:>9,} children ({path.stat().st_size / 2**20:,.0f} MiB): read {t1 - t0:.2f} s, "
                  f"validate {t2 - t1:.2f} s, measures {t3 - t2:.2f} s, {checked.issues.height:,} findings")


if __name__ == "__main__":
    main()
