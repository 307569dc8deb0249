#!/usr/bin/env bash
# Runs the libFuzzer targets with AddressSanitizer (and leak detection) for a given time each.
#
#   Scripts/fuzz.sh [--merge] [--jobs N] [SECONDS_PER_TARGET] [TARGET[:SECONDS]...]
#
#   SECONDS_PER_TARGET  default 60; targets default to all: base64url json compact jwks verify,
#                       and TARGET:SECONDS gives one target its own time
#   --merge             afterwards, merge the inputs that add coverage into Fuzz/Corpus/<target>/
#   --jobs N            run up to N targets at once (default 1)
#
# Scratch files live in .build-fuzz/ (build) and .build-fuzz/work/ (seeds, corpora, crash
# artifacts, logs). A summary line per target gives executions, time, coverage and the outcome;
# the exit status is non-zero when any target found a crash, leak, timeout or property violation.
# See Fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

merge=0
jobs=1
while [[ $# -gt 0 ]]; do
    case "$1" in
    --merge) merge=1; shift ;;
    --jobs) jobs="$2"; shift 2 ;;
    -h | --help) sed -n '2,15p' "$0"; exit 0 ;;
    *) break ;;
    esac
done
seconds="${1:-60}"
[[ $# -gt 0 ]] && shift
targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=(base64url json compact jwks verify)

scratch=.build-fuzz
work="$scratch/work"

max_len() {
    case "$1" in
    base64url) echo 1024 ;;
    jwks) echo 8192 ;;
    *) echo 4096 ;;
    esac
}

echo "== building the fuzz driver (libFuzzer + AddressSanitizer)"
SIMBEE_JWT_FUZZ=1 swift build --scratch-path "$scratch" --product simbee-jwt-fuzz \
    --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer 2>&1 |
    grep -v -e "Cannot export local symbol" -e "^\[" || true
driver="$(SIMBEE_JWT_FUZZ=1 swift build --scratch-path "$scratch" --show-bin-path \
    --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer)/simbee-jwt-fuzz"
[[ -x "$driver" ]] || { echo "fuzz driver was not built" >&2; exit 2; }

echo "== seeding from Fixtures/"
rm -rf "$work/seeds"
python3 Fuzz/seed_corpus.py "$work/seeds"

export SWIFT_BACKTRACE=enable=no  # the Swift backtracer would spend minutes symbolicating a crash
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:symbolize=1:${ASAN_OPTIONS:-}"

run_target() {
    local target="${1%%:*}" seconds="$seconds"
    [[ "$1" == *:* ]] && seconds="${1#*:}"
    mkdir -p "$work/corpus/$target" "$work/artifacts/$target" "Fuzz/Corpus/$target"
    local log="$work/$target.log"
    local status=0
    SIMBEE_JWT_FUZZ_TARGET="$target" "$driver" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
        -max_len="$(max_len "$target")" -detect_leaks=1 -print_final_stats=1 \
        -artifact_prefix="$work/artifacts/$target/" \
        "$work/corpus/$target" "Fuzz/Corpus/$target" "$work/seeds/$target" >"$log" 2>&1 || status=$?
    summarize "$target" "$status"
    return "$status"
}

summarize() {
    local target="$1" status="$2" log="$work/$1.log"
    local execs time start_cov end_cov corpus artifacts
    execs="$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$' || true)"
    time="$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | grep -o 'in [0-9]*' | grep -o '[0-9]*' || true)"
    start_cov="$(grep -m1 -o 'INITED cov: [0-9]* ft: [0-9]*' "$log" | sed 's/INITED //' || true)"
    end_cov="$(grep -o '\(DONE\|pulse\|NEW\|REDUCE\) *cov: [0-9]* ft: [0-9]*' "$log" | tail -1 | sed 's/^[A-Z]* *//' || true)"
    corpus="$(find "$work/corpus/$target" -type f | wc -l)"
    artifacts="$(find "$work/artifacts/$target" -type f | wc -l)"
    echo "$target: status $status, ${execs:-?} executions in ${time:-?} s," \
        "coverage ${start_cov:-?} -> ${end_cov:-?}, corpus $corpus new files, $artifacts artifacts (log: $log)"
}

echo "== fuzzing ${targets[*]} ($seconds s unless given), $jobs at a time"
failed=0
pids=()
names=()
for target in "${targets[@]}"; do
    run_target "$target" &
    pids+=($!)
    names+=("${target%%:*}")
    while [[ $(jobs -rp | wc -l) -ge $jobs ]]; do sleep 1; done
done
for index in "${!pids[@]}"; do
    wait "${pids[$index]}" || { failed=1; echo "!! ${names[$index]} failed: see $work/${names[$index]}.log and $work/artifacts/${names[$index]}/"; }
done

if [[ $merge -eq 1 ]]; then
    echo "== merging coverage-adding inputs into Fuzz/Corpus/"
    for target in "${names[@]}"; do
        SIMBEE_JWT_FUZZ_TARGET="$target" "$driver" -merge=1 -max_len="$(max_len "$target")" \
            -timeout=10 -rss_limit_mb=2048 \
            "Fuzz/Corpus/$target" "$work/corpus/$target" "$work/seeds/$target" >"$work/$target.merge.log" 2>&1
        echo "$target: $(find "Fuzz/Corpus/$target" -type f | wc -l) files," \
            "$(du -sb "Fuzz/Corpus/$target" | cut -f1) bytes in Fuzz/Corpus/$target"
    done
fi
exit "$failed"
