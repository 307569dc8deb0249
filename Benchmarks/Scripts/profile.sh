#!/usr/bin/env bash
# Instructions per operation, counted by callgrind (repeatable to a few hundred instructions, unlike
# wall clock on a shared machine): runs verify-profile once with 1 and once with 1+N iterations and
# prints the difference divided by N, so set-up cost cancels out. Valgrind 3.19 cannot read clang's DWARF 5, so it runs on
# a `strip --strip-debug` copy.
#
# Usage: Benchmarks/Scripts/profile.sh [--icache] [N] [operation ...]   (N defaults to 1000: with 100,
# thread start-up noise moves a per-operation figure by a few thousand instructions between runs)
#   operations: es256-floor es256 es256-remote es256-cached es256-unique es256-counted eddsa-floor eddsa parse
#     token-cached
#     (default: all; es256-remote verifies through a RemoteJWKS whose snapshot is loaded: a JWKS
#     cache hit; es256-unique a new token each time with the verified-token cache on, as the tool
#     meets them: N at most 5,999; es256-counted es256 with each outcome counted in an atomic
#     counter, as `JWTVerifier(…, metricsFactory:)` does; token-cached `SimbeeTokenProvider.token()`
#     with a fresh token in its cache, filled by one exchange with a loopback server)
#   --icache: also count first-level instruction-cache misses per operation with cachegrind, in a
#     32 KiB fully associative LRU cache of 64-byte lines. OpenSSL's signature check runs through
#     more code than that, so every line of the verifier's own code is fetched again on each
#     verification: the difference from the floor is the verifier's code footprint, in lines, which
#     is what its wall-clock cost beyond the floor follows (a real 8-way cache adds conflict misses
#     that move with code layout; full associativity leaves only the footprint).
set -euo pipefail
cd "$(dirname "$0")/.."
ICACHE=0
if [ "${1:-}" = "--icache" ]; then ICACHE=1; shift; fi
N=${1:-1000}
shift || true
OPERATIONS=("$@")
[ ${#OPERATIONS[@]} -gt 0 ] || OPERATIONS=(es256-floor es256 es256-remote es256-cached es256-unique es256-counted eddsa-floor eddsa parse token-cached)
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
misses() {  # L1 instruction-cache misses of one run
    valgrind --tool=cachegrind --cache-sim=yes --I1=32768,512,64 --D1=32768,8,64 --LL=1048576,16,64 \
        --cachegrind-out-file="$WORK/cache" "$WORK/vp" "$1" "$2" 2>&1 >/dev/null |
        awk '/I1 +misses/ { gsub(",", "", $4); print $4 }'
}
if [ $ICACHE = 1 ]; then
    printf '| operation | instructions per operation | L1i misses per operation |\n|---|---|---|\n'
else
    printf '| operation | instructions per operation |\n|---|---|\n'
fi
for op in "${OPERATIONS[@]}"; do
    base=$(count "$op" 1)
    total=$(count "$op" $((N + 1)))
    if [ $ICACHE = 1 ]; then
        missBase=$(misses "$op" 1)
        missTotal=$(misses "$op" $((N + 1)))
        printf '| %s | %s | %s |\n' "$op" $(( (total - base) / N )) $(( (missTotal - missBase) / N ))
    else
        printf '| %s | %s |\n' "$op" $(( (total - base) / N ))
    fi
done
