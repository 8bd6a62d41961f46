#!/usr/bin/env bash
# The main job, end to end on one machine: installs and builds hotline,
# starts hotlined on its embedded default configuration (data in
# demo-run/hotline-data, endpoints on 127.0.0.1:5570-5573, the dashboard
# on http://127.0.0.1:8080/), feeds it a realistic month of 金台区
# tickets, the first half over ZeroMQ (hotline send) and the second
# over HTTP (POST /api/v1/events), and shows the live alerts and score
# updates a subscriber saw and the month's scorecard. Run from a
# terminal, it keeps the dashboard up until Enter is pressed.
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
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
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
web=$(sed -n 's/.*web: listening on \(http[^ ]*\).*/\1/p' hotlined.log | tail -1)
echo "== dashboard: ${web}?ruleset=jintai-2025&period=$month (opens live as events arrive)"

# Subscribe before any event flows, so the live view starts at the start.
"$bin/hotline" subscribe > live.jsonl &
subscriber=$!

"$bin/hotline" units import units.csv > /dev/null
# The stream is in time order: the first half goes over ZeroMQ, then the
# second over HTTP, in bodies of 2,000 lines, each answered once stored.
total=$(wc -l < events.jsonl); half=$((total / 2))
head -n "$half" events.jsonl > zeromq.jsonl
tail -n +"$((half + 1))" events.jsonl | split -l 2000 - http-part-
echo "== sending $half events over ZeroMQ (hotline send)"
"$bin/hotline" send zeromq.jsonl
echo "== sending $((total - half)) events over HTTP (POST ${web}api/v1/events)"
for part in http-part-*; do
    answer=$(curl -sS --fail-with-body -H 'Content-Type: application/x-ndjson' \
             --data-binary @"$part" "${web}api/v1/events") \
        || { echo "HTTP ingest failed: $answer"; exit 1; }
done
echo "   last answer: $answer"

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
echo
echo "== dashboard: ${web}?ruleset=jintai-2025&period=$month"
echo "   a unit: ${web}unit/J04?ruleset=jintai-2025&period=$month"
echo "   the bulletin to print: ${web}?ruleset=jintai-2025&period=$month&view=print"
echo "   metrics: ${web}metrics"
if [ -t 0 ]; then
    read -r -p "   hotlined keeps serving them: press Enter to stop it. " _
fi
