#!/usr/bin/env bash
# Instructions per operation, counted by callgrind (repeatable to a few hundred instructions, unlike
# wall clock on a shared machine): runs verify-profile once with 1 and once with 1+N iterations and
# prints the difference divided by N, so set-up cost cancels out. Valgrind 3.19 cannot read clang's DWARF 5, so it runs on
# a `strip --strip-debug` copy.
#
# Usage: Benchmarks/Scripts/profile.sh [N] [operation ...]   (N defaults to 1000: with 100, thread
# start-up noise moves a per-operation figure by a few thousand instructions between runs)
#   operations: es256-floor es256 es256-cached eddsa-floor eddsa parse (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}
shift || true
OPERATIONS=("$@")
[ ${#OPERATIONS[@]} -gt 0 ] || OPERATIONS=(es256-floor es256 es256-cached eddsa-floor eddsa parse)
command -v valgrind >/dev/null || { echo "valgrind is required (apt-get install valgrind)" >&2; exit 2; }
swift build -c release --product verify-profile >/dev/null
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cp .build/release/verify-profile "$WORK/vp"
strip --strip-debug "$WORK/vp"
count() {  # total instructions of one run
    valgrind --tool=callgrind --callgrind-out-file="$WORK/out" "$WORK/vp" "$1" "$2" 2>&1 >/dev/null |
        awk '/Collected/ { print $4 }'
}
printf '| operation | instructions per operation |\n|---|---|\n'
for op in "${OPERATIONS[@]}"; do
    base=$(count "$op" 1)
    total=$(count "$op" $((N + 1)))
    printf '| %s | %s |\n' "$op" $(( (total - base) / N ))
done
