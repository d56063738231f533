#!/usr/bin/env bash
# Runs the cargo-fuzz targets (census reader, census writer, rulebook loader, timeline building +
# scoring).
#
#   scripts/fuzz.sh [RUNS] [TARGET...]     default: 1000000 runs of each of the four targets
#
# Needs the nightly toolchain and cargo-fuzz (installed here if missing). The corpus of each
# target starts from the seeds (built-in rulebooks, a generated census, the DfE samples in
# crates/cinscope-census/data/samples) and grows in $CINSCOPE_FUZZ_CORPUS (default
# ~/.cache/cinscope/fuzz-corpus), outside the clone. Crashes are written to
# fuzz/artifacts/<target>/ and fail the run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-1000000}"
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(census_read census_write rulebook_load timeline_score)
CORPUS="${CINSCOPE_FUZZ_CORPUS:-$HOME/.cache/cinscope/fuzz-corpus}"
export CARGO_TARGET_DIR="${CINSCOPE_FUZZ_TARGET:-$HOME/.cache/cinscope/fuzz-target}"

command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal

mkdir -p "$CORPUS/census_read" "$CORPUS/census_write" "$CORPUS/rulebook_load" "$CORPUS/timeline_score"
cp "$ROOT"/crates/cinscope-rules/rulebooks/*.toml "$CORPUS/rulebook_load/"
cp "$ROOT"/fuzz/seeds/census_read/* "$CORPUS/census_read/"
cp "$ROOT"/crates/cinscope-census/data/samples/*.xml "$CORPUS/census_read/"
[ -n "$(ls -A "$CORPUS/timeline_score")" ] || head -c 4096 /dev/urandom > "$CORPUS/timeline_score/random-seed"
# The census writer target decodes its bytes into tables: random bytes are as good a start as any.
[ -n "$(ls -A "$CORPUS/census_write")" ] || head -c 4096 /dev/urandom > "$CORPUS/census_write/random-seed"

cd "$ROOT/fuzz"
for target in "${TARGETS[@]}"; do
  echo "==> fuzzing $target for $RUNS runs"
  # No sanitizer: cinscope forbids unsafe code, so AddressSanitizer would only slow the search;
  # debug assertions (integer overflow checks) stay on. -max_len keeps inputs census-sized;
  # -timeout flags any input that takes over 10 s.
  cargo +nightly fuzz run --sanitizer none --debug-assertions "$target" "$CORPUS/$target" -- \
    -runs="$RUNS" -max_len=65536 -timeout=10 -print_final_stats=1
done
