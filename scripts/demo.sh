#!/usr/bin/env bash
# The main job, end to end on one machine: installs and builds hotline,
# starts hotlined on its embedded default configuration (data in
# demo-run/hotline-data, endpoints on 127.0.0.1:5570-5572), feeds it a
# realistic month of 金台区 tickets, and shows the live alerts and score
# updates a subscriber saw and the month's scorecard.
#
# The month is July 2025, replayed, so the daemon runs on the event clock
# (--clock event): deadlines pass as event time passes them, exactly as
# they did live. Options: --month YYYY-MM, --seed N, --scale X (volume).
set -euo pipefail
cd "$(dirname "$0")/.."
month=2025-07; gen_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --month) month=$2; gen_args+=(--month "$2"); shift 2 ;;
        --seed|--scale) gen_args+=("$1" "$2"); shift 2 ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) echo "demo: unknown option $1" >&2; exit 2 ;;
    esac
done
scripts/setup.sh
echo "== building"
scripts/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo > build.log 2>&1 \
    || { tail -30 build.log; exit 1; }
bin=$PWD/build
rm -rf demo-run && mkdir demo-run && cd demo-run

echo "== generating a month of events"
"$bin/hotline-gen" "${gen_args[@]}" --units units.csv --events events.jsonl

echo "== starting hotlined (embedded default configuration, event clock)"
"$bin/hotlined" --clock event > hotlined.log 2>&1 &
daemon=$!
subscriber=""
cleanup () {
    [ -n "$subscriber" ] && kill "$subscriber" 2>/dev/null || true
    kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null || true
}
trap cleanup EXIT
ready=""
for _ in $(seq 50); do
    if "$bin/hotline" stats --timeout 200 > /dev/null 2>&1; then ready=1; break; fi
    kill -0 "$daemon" 2>/dev/null || break
done
[ -n "$ready" ] || { echo "hotlined did not start:"; cat hotlined.log; exit 1; }

# Subscribe before any event flows, so the live view starts at the start.
"$bin/hotline" subscribe > live.jsonl &
subscriber=$!

"$bin/hotline" units import units.csv > /dev/null
echo "== sending $(wc -l < events.jsonl) events"
"$bin/hotline" send events.jsonl

kill "$subscriber" 2>/dev/null; wait "$subscriber" 2>/dev/null || true
subscriber=""
alerts=$(grep -c '"topic":"alert/' live.jsonl || true)
scores=$(grep -c '"topic":"score/' live.jsonl || true)
echo
echo "== live: $scores score updates and $alerts alerts published (demo-run/live.jsonl)"
echo "   the first alerts, as hotline subscribe printed them:"
# awk reads the whole file: grep | head would die of SIGPIPE under pipefail.
awk '/"topic":"alert\// { if (n++ < 8) print "   " $0 }' live.jsonl
echo
echo "== the scorecard"
"$bin/hotline" report --ruleset jintai-2025 --period "$month"
