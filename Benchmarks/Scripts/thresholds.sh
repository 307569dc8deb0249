#!/usr/bin/env bash
# Regression check against the stored p90 of every benchmark (ordo-one/benchmark's static thresholds,
# one JSON file per benchmark in Benchmarks/Thresholds/), within the tolerances set in
# Benchmarks/VerifyBenchmarks/VerifyBenchmarks.swift.
#
# Usage (from anywhere): Benchmarks/Scripts/thresholds.sh check|update [extra `benchmark` options]
#   update: run every benchmark and store its p90 per metric. Wall-clock figures belong to the
#     machine they were measured on: record them on the machine that will check.
#   check: run every benchmark and compare; exits non-zero when a figure moved beyond its tolerance,
#     for better (renew the stored figures) or for worse.
#
# ordo-one/benchmark 1.38.1 stores a benchmark's file with the spaces of its name turned into "_",
# but `thresholds check` looks the file up under the name with its spaces and, finding none,
# fails (ordo-one/benchmark issue #301). So `check` runs against a copy of Thresholds/ under the
# names it looks for; no benchmark name here contains "_" or "/".
set -euo pipefail
cd "$(dirname "$0")/.."
operation=${1:-}
shift || true
case "$operation" in
update)
    swift package --disable-sandbox --allow-writing-to-package-directory benchmark thresholds update \
        --path Thresholds --no-progress "$@"
    ;;
check)
    copy=$(mktemp -d)
    trap 'rm -rf "$copy"' EXIT
    for file in Thresholds/*.p90.json; do
        name=$(basename "$file")
        cp "$file" "$copy/${name//_/ }"
    done
    swift package --disable-sandbox benchmark thresholds check --path "$copy" --no-progress "$@"
    ;;
*)
    echo "usage: $0 check|update [benchmark options]" >&2
    exit 2
    ;;
esac
