#!/usr/bin/env bash
# Runs the test suite under AddressSanitizer and ThreadSanitizer, each in its own build folder
# (.build-asan, .build-tsan), and prints the build and test time of each.
#
#   Scripts/sanitizers.sh                    # both, whole suite
#   Scripts/sanitizers.sh thread             # one of them
#   Scripts/sanitizers.sh thread --filter 'RemoteJWKS|Verified-token cache'   # extra `swift test` arguments
#
# The command-line tool is built with the same sanitizer, so the CLI tests exercise it too.
# Exits non-zero as soon as a build fails or a run reports a test failure or a sanitizer finding.
set -euo pipefail
cd "$(dirname "$0")/.."

sanitizers=()
while [[ $# -gt 0 && ( "$1" == address || "$1" == thread ) ]]; do
    sanitizers+=("$1")
    shift
done
[[ ${#sanitizers[@]} -gt 0 ]] || sanitizers=(address thread)

# Make any report fatal. LeakSanitizer is off by default: at exit it reports objects of XCTest,
# Foundation's Process (a weak-reference side table) and tasks the remote-JWKS tests leave suspended
# on purpose (a fetcher that never answers), none of them SimbeeJWT allocations. Opt in with
# ASAN_OPTIONS=detect_leaks=1 to see them.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:halt_on_error=1}"
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}"

summary=()
for sanitizer in "${sanitizers[@]}"; do
    case "$sanitizer" in
        address) scratch=.build-asan ;;
        thread) scratch=.build-tsan ;;
    esac
    echo "== $sanitizer: build ($scratch)"
    start=$(date +%s)
    swift build --build-tests --sanitize="$sanitizer" --scratch-path "$scratch"
    built=$(date +%s)
    echo "== $sanitizer: test"
    SIMBEE_SANITIZER="$sanitizer" swift test --skip-build --sanitize="$sanitizer" --scratch-path "$scratch" "$@"
    finished=$(date +%s)
    summary+=("$sanitizer: build $((built - start)) s, tests $((finished - built)) s")
done

printf '%s\n' "${summary[@]}"
