#!/usr/bin/env bash
# Builds the libFuzzer targets in build-fuzz (clang, ASan + UBSan) and runs
# each for SECONDS: scripts/fuzz.sh [SECONDS]   (default 60)
#
# Each target first replays its saved reproducers (fuzz/crashes/<target>-*,
# which must pass once fixed), then fuzzes a copy of its committed corpus
# kept in build-fuzz, so the corpus in the repository never grows by
# itself. Prints one summary line per target and exits 1 on any finding
# (crash, leak, sanitizer report, timeout, OOM or a failing reproducer).
#
# Environment:
#   FUZZ_TARGETS="proto json ruleset calendar format"  which targets to run
#   FUZZ_PARALLEL=1     targets run at the same time (one core each)
#   FUZZ_KEEP_GOING=1   keep fuzzing after a finding (libFuzzer fork mode)
#                       to collect every finding of a long run
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

seconds=${1:-60}
case $seconds in
-h | --help)
    sed -n '2,15p' "$0"
    exit 0
    ;;
'' | *[!0-9]*)
    echo "usage: scripts/fuzz.sh [SECONDS]" >&2
    exit 2
    ;;
esac
targets=${FUZZ_TARGETS:-proto json ruleset calendar format}
parallel=${FUZZ_PARALLEL:-1}
keep_going=${FUZZ_KEEP_GOING:-0}
build=$root/build-fuzz

# -max_len per target: batches of a few events, one event line,
# rulesets a few times the size of the shipped ones (about 3 KB), a
# calendar year (3 KB to 6 KB) and a few reports of a dozen rows (the
# seeds are cut to about 8 KB).
max_len_of() {
    case $1 in
    proto) echo 8192 ;;
    json) echo 4096 ;;
    ruleset) echo 16384 ;;
    calendar) echo 16384 ;;
    format) echo 16384 ;;
    esac
}
dict_of() {
    case $1 in
    json) echo "$root/fuzz/json.dict" ;;
    ruleset) echo "$root/fuzz/zpl.dict" ;;
    calendar) echo "$root/fuzz/calendar.dict" ;;
    format) echo "$root/fuzz/format.dict" ;;
    esac
}

# clang with libFuzzer (Debian 12: clang, libclang-rt-14-dev), and the
# project's own dependencies.
scripts/setup.sh
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
echo 'int LLVMFuzzerTestOneInput (const unsigned char *d, unsigned long n)
{ (void)d; (void)n; return 0; }' > "$probe/probe.c"
if ! clang -fsanitize=fuzzer,address,undefined "$probe/probe.c" \
    -o "$probe/probe" > /dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    echo "fuzz: installing clang and libclang-rt-14-dev"
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q \
        --no-install-recommends clang libclang-rt-14-dev
fi

echo "== build (clang, libFuzzer + ASan + UBSan) in build-fuzz"
mkdir -p "$build"
CC=clang cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DHOTLINE_FUZZ=ON -DHOTLINE_SANITIZE=ON -DHOTLINE_TESTS=OFF -DHOTLINE_BENCH=OFF \
    > "$build.configure.log" 2>&1 || {
    cat "$build.configure.log"
    exit 2
}
build_targets=(make_seeds)
for t in $targets; do
    build_targets+=("fuzz_$t")
done
cmake --build "$build" -j "$(nproc)" --target "${build_targets[@]}"

# The proto seeds are written by the encoders; say when hotline.proto
# changed under them (not a failure: the old seeds still fuzz).
rm -rf "$build/seeds-proto" && mkdir -p "$build/seeds-proto"
"$build/make_seeds" "$build/seeds-proto"
if ! diff -rq "$build/seeds-proto" fuzz/corpus/proto > /dev/null; then
    echo "fuzz: note: fuzz/corpus/proto differs from what make_seeds writes;" \
        "refresh it with build-fuzz/make_seeds fuzz/corpus/proto"
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Runs one target; its verdict goes to $work/summary, its output to
# $work/fuzz.log.
run_target() {
    local t=$1
    local bin=$build/fuzz_$t
    local work=$build/fuzz-$t
    mkdir -p "$work/corpus" "$work/artifacts"
    rm -f "$work/artifacts/"* "$work/summary"
    cp -p fuzz/corpus/"$t"/* "$work/corpus/"
    local findings=0 note=""

    local repros=()
    for f in fuzz/crashes/"$t"-*; do
        if [ -e "$f" ]; then
            repros+=("$f")
        fi
    done
    : > "$work/replay.log"
    for f in "${repros[@]}"; do
        if ! "$bin" "$f" >> "$work/replay.log" 2>&1; then
            findings=$((findings + 1))
            note="$note reproducer $f still fails;"
        fi
    done

    local args=(-max_total_time="$seconds" -max_len="$(max_len_of "$t")"
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$work/artifacts/")
    local dict
    dict=$(dict_of "$t")
    if [ -n "$dict" ]; then
        args+=(-dict="$dict")
    fi
    if [ "$keep_going" = 1 ]; then
        args+=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
    fi
    local start=$SECONDS rc=0
    "$bin" "${args[@]}" "$work/corpus" > "$work/fuzz.log" 2>&1 || rc=$?
    local elapsed=$((SECONDS - start))

    local artifacts
    artifacts=$(find "$work/artifacts" -type f | wc -l)
    if [ "$rc" -ne 0 ] || [ "$artifacts" -gt 0 ]; then
        findings=$((findings + 1))
        note="$note $artifacts artifact(s) in ${work#"$root"/}/artifacts,"
        note="$note libFuzzer exit $rc, see ${work#"$root"/}/fuzz.log;"
    fi
    # Runs: the final stats line, else the last status line ("#N" or, in
    # fork mode, "#N:").
    local runs cov ft
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log" |
        tail -1) || true
    [ -n "$runs" ] || runs=$(grep -ao '^#[0-9]*' "$work/fuzz.log" |
        tail -1 | tr -d '#') || true
    # Coverage of the final corpus, measured by one plain pass over it:
    # fork mode counts its own way, and this keeps runs comparable.
    "$bin" -runs=0 -max_len="$(max_len_of "$t")" "$work/corpus" \
        > "$work/coverage.log" 2>&1 || true
    local from=$work/coverage.log
    grep -aq 'INITED.*cov: ' "$from" || from=$work/fuzz.log
    cov=$(grep -ao 'cov: [0-9]*' "$from" | tail -1 | cut -d' ' -f2) || true
    ft=$(grep -ao 'ft: [0-9]*' "$from" | tail -1 | cut -d' ' -f2) || true
    local corpus
    corpus=$(find "$work/corpus" -type f | wc -l)
    local verdict=ok
    [ "$findings" -eq 0 ] || verdict="FINDINGS ($findings):$note"
    printf 'fuzz_%-8s runs %-10s cov %-5s ft %-6s corpus %-5s time %ss  %s\n' \
        "$t" "${runs:-?}" "${cov:-?}" "${ft:-?}" "$corpus" "$elapsed" \
        "$verdict" > "$work/summary"
    cat "$work/summary"
}

echo "== fuzz: ${seconds}s per target ($targets), $parallel at a time"
running=0
for t in $targets; do
    if [ -z "$(max_len_of "$t")" ]; then
        echo "fuzz: unknown target $t" >&2
        exit 2
    fi
    run_target "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$parallel" ]; then
        wait -n || true
        running=$((running - 1))
    fi
done
wait || true

echo "== fuzz summary"
status=0
for t in $targets; do
    summary=$build/fuzz-$t/summary
    if [ ! -f "$summary" ]; then
        echo "fuzz_$t: no summary (the run did not finish)"
        status=1
        continue
    fi
    cat "$summary"
    grep -q '  ok$' "$summary" || status=1
done
exit $status
