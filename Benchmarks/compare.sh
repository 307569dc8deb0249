#!/usr/bin/env bash
# One command for the performance comparison: builds the benchmark package (release), runs every
# benchmark once, and prints the side-by-side table (OpenSSL floor, SimbeeJWT, jwt-kit 5.8.0) with
# ratios computed from that one run. The raw ordo-one/benchmark output is kept in
# Benchmarks/.build/last-run.txt.
#
# Usage (from anywhere): Benchmarks/compare.sh [extra `swift package benchmark` options]
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p .build
swift package --disable-sandbox benchmark --no-progress "$@" | tee .build/last-run.txt >/dev/null
python3 Scripts/table.py < .build/last-run.txt
