"""The main job: ``python -m cinscope [EVENTS_FILE] [--as-of DATE] [--out DIR]``.

Without a file it runs on the bundled default data (a deterministic synthetic cohort per
authority): scores each authority under its own rulebook, prints the summary table, writes the
obligations to Parquet and the HTML report. The same as ``cinscope run``.
"""

from __future__ import annotations

import sys

from cinscope.cli import module_main

if __name__ == "__main__":
    sys.exit(module_main())
