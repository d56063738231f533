"""Writes the example sources in examples/ (run from the repository root with the package built):

- examples/annex_a.xlsx: an Ofsted Annex A workbook of a small authority inspected on 14 October
  2024 (the test suite's standard workbook, tests/python/annex_a_workbooks.py);
- examples/ssd/: the Standard Safeguarding Dataset tables of 300 children as CSV
  (tests/python/ssd_tables.py, SystemC column names, with its deliberate data problems);
- examples/census.xml: a generated 2025 DfE Children in Need census return of 300 children.

All three are synthetic: no real child is in them.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "python"))

import cinscope as cs  # noqa: E402
from annex_a_workbooks import standard_annex, write_xlsx  # noqa: E402
from ssd_tables import generate  # noqa: E402


def main() -> None:
    out = ROOT / "examples"
    out.mkdir(exist_ok=True)
    write_xlsx(out / "annex_a.xlsx", standard_annex())
    shutil.rmtree(out / "ssd", ignore_errors=True)
    generate(300, seed=2026).write_csv(out / "ssd")
    cs.generate_census(300, seed=2026, year=2025, error_rate=0.0).write(out / "census.xml")
    print(f"examples written to {out}")


if __name__ == "__main__":
    main()
