#!/usr/bin/env bash
# Quick start, step 1: set everything up, then run the main job on the bundled data.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
step "running the main job: python -m cinscope $*"
python -m cinscope "$@"
