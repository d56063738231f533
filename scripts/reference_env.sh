#!/usr/bin/env bash
# Makes the isolated environment the differential census test runs the DfE reference
# validator in (csc-validator-be-cin pins pandas 1.5, which needs numpy < 2).
set -euo pipefail
ENV="${CINSCOPE_REFERENCE_ENV:-${XDG_CACHE_HOME:-$HOME/.cache}/cinscope/reference-venv}"
if [ ! -x "$ENV/bin/python" ]; then
  python3 -m venv "$ENV"
  "$ENV/bin/pip" install --quiet "csc-validator-be-cin==0.1.13" "numpy<2"
fi
echo "$ENV/bin/python"
