#!/usr/bin/env bash
# The dashboard in headless Chromium (Debian's chromium), as CI runs it:
# a daemon fed the 金台区 golden month (tests/golden/jintai_2025_07.csv
# through hotline-synth), the page opened at
# /?ruleset=jintai-2025&period=2025-07, every published unit, rank and
# total read from the rendered DOM, then more events POSTed and the new
# totals awaited on the same page, without a reload; then the unit page
# of the unit whose explain lists the most tickets, checked item by item
# and ticket by ticket against /api/v1/explain, updated live, and one of
# its tickets' pages (DevTools protocol, scripts/browser_check.py).
# Screenshots are left in BUILD/browser/.
#
# usage: scripts/test-browser.sh [BUILD_DIR]     (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(cd "${1:-build}" && pwd)
out="$build/browser"
mkdir -p "$out"
dir=$(mktemp -d /tmp/hotline-browser-XXXXXX)
daemon=""
cleanup () {
    [ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null || true
    rm -rf "$dir"
}
trap cleanup EXIT
cat > "$dir/hotline.cfg" <<CFG
hotline
    data = $dir/data
    clock = event
    ingest = ipc://$dir/ingest
    publish = ipc://$dir/publish
    query = ipc://$dir/query
    snapshot = ipc://$dir/snapshot
    http = 127.0.0.1:0
CFG
hotline="$build/hotline --config $dir/hotline.cfg"
"$build/hotlined" --config "$dir/hotline.cfg" > "$dir/daemon.log" 2>&1 &
daemon=$!
url=""
for _ in $(seq 100); do
    url=$(sed -n 's/.*web: listening on \(http[^ ]*\).*/\1/p' "$dir/daemon.log" | tail -1)
    [ -n "$url" ] && break
    kill -0 "$daemon" 2>/dev/null || break
    sleep 0.1
done
[ -n "$url" ] || { echo "test-browser: hotlined did not start"; cat "$dir/daemon.log"; exit 1; }

"$build/hotline-synth" --scheme jintai-2025 --golden tests/golden/jintai_2025_07.csv \
    --units "$dir/units.csv" --events "$dir/events.jsonl"
$hotline units import "$dir/units.csv" > /dev/null
$hotline send "$dir/events.jsonl" 2> /dev/null

# More July events for the first unit: a ticket received and closed on
# time moves its counters, and so its total (and, through max_closed,
# possibly everyone's).
unit=$(sed -n '2s/,.*//p' "$dir/units.csv")
cat > "$dir/more.jsonl" <<EV
{"event_id":"browser-1","type":"received","ticket_id":"TB-1","unit_id":"$unit","occurred_at":"2025-07-20T09:10:00+08:00","dispatched_at":"2025-07-20T09:00:00+08:00","due_at":"2025-07-25T18:00:00+08:00","channel":"hotline","category":"other"}
{"event_id":"browser-2","type":"closed","ticket_id":"TB-1","unit_id":"$unit","occurred_at":"2025-07-21T10:00:00+08:00"}
{"event_id":"browser-3","type":"received","ticket_id":"TB-2","unit_id":"$unit","occurred_at":"2025-07-20T09:10:00+08:00","dispatched_at":"2025-07-20T09:00:00+08:00","due_at":"2025-07-22T18:00:00+08:00","channel":"hotline","category":"other"}
{"event_id":"browser-4","type":"closed","ticket_id":"TB-2","unit_id":"$unit","occurred_at":"2025-07-24T10:00:00+08:00"}
EV
echo "test-browser: dashboard at ${url}?ruleset=jintai-2025&period=2025-07"
python3 scripts/browser_check.py "${url}?ruleset=jintai-2025&period=2025-07" \
    tests/golden/jintai_2025_07.csv "$dir/more.jsonl" "$out"
