#!/usr/bin/env bash
# Quick start, step 2: the whole test suite, Rust and Python. CI runs exactly this.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$CINSCOPE_ROOT"

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "cargo test (Rust unit, integration and doc tests)"
cargo test --workspace --exclude cinscope-python --quiet

step "mypy stubtest: the type stubs match the compiled module"
python -m mypy.stubtest cinscope._core --allowlist "$CINSCOPE_ROOT/tests/python/stubtest-allowlist.txt"

step "mypy: the package type-checks"
python -m mypy --strict --no-warn-unused-ignores python/cinscope

step "pytest (Python tests and docstring examples)"
python -m pytest -q -p no:cacheprovider tests/python python/cinscope --doctest-modules
