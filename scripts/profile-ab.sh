#!/bin/bash
# Compares the CPU two builds of hotlined spend on the same demo month,
# alternating them so a shared machine's load falls on both alike.
#
#   scripts/profile-ab.sh [--rounds N] [--callgrind EVENTS] BASE_BUILD NEW_BUILD
#
# Each round runs each build's hotlined (event clock, HTTP off, a fresh
# data directory), imports the units and sends `hotline-gen --scale 10`
# (82,388 events) with the build's own `hotline send`, and prints the
# daemon's CPU time (perf stat task-clock) and the store's size; then the
# medians and their ratio. With --callgrind EVENTS it also runs each
# hotlined once under valgrind over the month's first EVENTS events and
# prints the instructions of the whole daemon, of the scorer's batches
# (s_try_batch) and of the ingest thread (ingest_actor): deterministic
# counts, where the CPU times move with the machine's load.
#
# Needs perf (linux-perf) and, for --callgrind, valgrind.
set -euo pipefail

usage() {
    sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
    exit "${1:-0}"
}

rounds=3
callgrind=0
while [ $# -gt 0 ]; do
    case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --callgrind) callgrind="$2"; shift 2 ;;
    -h | --help) usage 0 ;;
    -*) echo "profile-ab: unknown option $1 (--help lists them)" >&2; exit 2 ;;
    *) break ;;
    esac
done
[ $# -eq 2 ] || usage 2
builds=("$1" "$2")
for b in "${builds[@]}"; do
    [ -x "$b/hotlined" ] || { echo "profile-ab: no $b/hotlined: build it first (scripts/build.sh $b)" >&2; exit 2; }
done
command -v perf >/dev/null || { echo "profile-ab: perf is missing: apt-get install linux-perf" >&2; exit 2; }
if [ "$callgrind" -gt 0 ]; then
    command -v valgrind >/dev/null || { echo "profile-ab: valgrind is missing: apt-get install valgrind" >&2; exit 2; }
fi

work=$(mktemp -d /tmp/hotline-profile-XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
"${builds[0]}/hotline-gen" --scale 10 --units "$work/units.csv" --events "$work/events.jsonl"

# Writes a configuration on ipc endpoints in $work/$1 and prints its path.
config() {
    local dir="$work/$1"
    rm -rf "$dir" && mkdir -p "$dir"
    cat > "$dir/hotline.cfg" <<EOF
hotline
    data = $dir/data
    clock = event
    http = off
    ingest = ipc://$dir/ingest
    publish = ipc://$dir/publish
    query = ipc://$dir/query
    snapshot = ipc://$dir/snapshot
EOF
    echo "$dir/hotline.cfg"
}

# Starts hotlined ($1 build, $2 config, rest: a command to prefix) and
# waits until it answers.
start() {
    local b="$1" cfg="$2"
    shift 2
    "$@" "$b/hotlined" --config "$cfg" > "${cfg%.cfg}.log" 2>&1 &
    daemon=$!
    for _ in $(seq 1 600); do
        "$b/hotline" --config "$cfg" stats > /dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "profile-ab: hotlined did not come up:" >&2
    cat "${cfg%.cfg}.log" >&2
    exit 1
}

declare -A ms
for r in $(seq 1 "$rounds"); do
    for i in 0 1; do
        b="${builds[$i]}"
        cfg=$(config "run$i")
        start "$b" "$cfg"
        "$b/hotline" --config "$cfg" units import "$work/units.csv" > /dev/null
        perf stat -e task-clock -p "$daemon" -o "$work/perf$i.txt" &
        perf_pid=$!
        sleep 0.2
        "$b/hotline" --config "$cfg" send "$work/events.jsonl" > /dev/null 2>&1
        kill -INT "$perf_pid"
        wait "$perf_pid" || true
        kill "$daemon"
        wait "$daemon" || true
        t=$(awk '/task-clock/ {gsub(",", "", $1); print $1}' "$work/perf$i.txt")
        kb=$(du -sk "${cfg%/hotline.cfg}/data" | cut -f1)
        ms[$i]+="$t "
        echo "round $r  ${b}: hotlined CPU ${t} ms, store ${kb} kB"
    done
done
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
m0=$(echo "${ms[0]}" | median)
m1=$(echo "${ms[1]}" | median)
echo "medians: ${builds[0]} ${m0} ms, ${builds[1]} ${m1} ms: ratio $(awk -v a="$m0" -v b="$m1" 'BEGIN {printf "%.2f", b / a}')"

[ "$callgrind" -gt 0 ] || exit 0
head -n "$callgrind" "$work/events.jsonl" > "$work/first.jsonl"
for i in 0 1; do
    b="${builds[$i]}"
    cfg=$(config "cg$i")
    start "$b" "$cfg" valgrind --tool=callgrind --callgrind-out-file="$work/cg$i.out"
    "$b/hotline" --config "$cfg" units import "$work/units.csv" > /dev/null
    "$b/hotline" --config "$cfg" send --timeout 600000 --ack-wait 600000 --window 4 "$work/first.jsonl" > /dev/null 2>&1
    kill "$daemon"
    wait "$daemon" || true
    echo "callgrind, first $callgrind events, ${b}:"
    callgrind_annotate --inclusive=yes "$work/cg$i.out" 2> /dev/null |
        grep -E "PROGRAM TOTALS|s_try_batch \[|ingest_actor \[" | sed 's/^/  /' | cut -c1-110
done
