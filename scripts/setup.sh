#!/usr/bin/env bash
# Sets up a fresh checkout: a virtual environment in .venv with the Python dependencies, and the
# cinscope extension built in release mode and installed into it.
#
# Rust build artefacts go to $CARGO_TARGET_DIR (default: ~/.cache/cinscope/target), outside the
# clone, so that repeated runs on the same machine reuse them.
# Source this file (". scripts/setup.sh") to keep the environment it sets.
set -euo pipefail

CINSCOPE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/cinscope/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# Cargo reuses a build made from another checkout of the same sources in that shared directory,
# and such a build holds the other checkout's path: snapshot tests must look in this one.
export INSTA_WORKSPACE_ROOT="$CINSCOPE_ROOT"
VENV="${CINSCOPE_VENV:-$CINSCOPE_ROOT/.venv}"

step() { printf '\n==> %s\n' "$*"; }

if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo is not installed: install Rust (https://rustup.rs) and run this again" >&2
  exit 1
fi

if [ ! -x "$VENV/bin/python" ]; then
  step "creating the virtual environment $VENV"
  python3 -m venv "$VENV"
fi
# shellcheck disable=SC1091
. "$VENV/bin/activate"

stamp="$VENV/.requirements-installed"
if [ ! -f "$stamp" ] || ! cmp -s "$CINSCOPE_ROOT/requirements-dev.txt" "$stamp"; then
  step "installing Python dependencies (requirements-dev.txt)"
  python -m pip install --quiet --upgrade pip
  python -m pip install --quiet -r "$CINSCOPE_ROOT/requirements-dev.txt"
  cp "$CINSCOPE_ROOT/requirements-dev.txt" "$stamp"
fi

step "building the cinscope extension (release; the first build takes about 10 minutes)"
(cd "$CINSCOPE_ROOT" && maturin develop --release --quiet)
