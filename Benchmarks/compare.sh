#!/usr/bin/env bash
# One command for the performance comparison (OpenSSL floor, SimbeeJWT, jwt-kit 5.8.0), in three
# parts, all from this one run:
#   1. every ordo-one/benchmark benchmark once, then the side-by-side table (p50 wall clock, malloc
#      counts, ratios); the raw output is kept in Benchmarks/.build/last-run.txt;
#   2. `verify-profile interleaved`: the same verifications in short batches, in a random order
#      each round, with ratios taken within each round (wall-clock ratios that survive a shared,
#      noisy machine, with a control pair that shows the method's own spread);
#   3. `verify-profile scaling`: two tasks sharing one verifier against one task, outside the
#      harness (whose malloc interposer serialises threads);
#   4. `verify-profile cli`: the command-line tool's cost per token (unique ES256 tokens against
#      the floor in the same round, and one token repeated), from whole runs of the release build.
#
# Usage (from anywhere): Benchmarks/compare.sh [extra `swift package benchmark` options]
#   ROUNDS (default 300), SCALING_COUNT (default 2000) and CLI_ROUNDS (default 11) size parts 2–4.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p .build
swift package --disable-sandbox benchmark --no-progress "$@" | tee .build/last-run.txt >/dev/null
python3 Scripts/table.py < .build/last-run.txt
swift build -c release --product verify-profile >/dev/null 2>&1
echo
.build/release/verify-profile interleaved "${ROUNDS:-300}"
echo
.build/release/verify-profile scaling "${SCALING_COUNT:-2000}"
swift build -c release --product simbee-jwt >/dev/null 2>&1
echo
.build/release/verify-profile cli "${CLI_ROUNDS:-11}"
