#!/usr/bin/env bash
# Checks anyone can run (CI runs them from scripts/test.sh):
#   1. includes run one way: a module includes only the modules below it
#      (the layers of docs/architecture.md, as the table below);
#   2. library types stay home: MDB_* only in store/, protobuf-c only in
#      proto/, cJSON never used to write JSON outside tests (json/ writes);
#   3. no source file over 800 lines outside tests/;
#   4. no function over 150 lines outside tests/.
# Prints every violation and exits 1 if there is any.
set -euo pipefail
cd "$(dirname "$0")/.."

# module: the modules it may include (besides itself). Programs and
# suites (tests, bench, fuzz) may include anything.
declare -A allowed=(
    [json]=""
    [rules]=""
    [calendar]=""
    [store]=""
    [proto]="json"
    [state]="proto store rules json calendar"
    [report]="state proto store rules json calendar"
    [asof]="report state proto store rules json calendar"
    [stats]=""
    [config]=""
    [security]=""
    [scorer]="state proto store rules json stats"
    [ingest]="scorer state proto store rules json stats security"
    [publisher]="report state proto store rules json stats security"
    [query]="asof report state proto store rules json stats security"
    [web]="client format proto json stats security config"
    [daemon]="scorer ingest publisher query web asof report state proto store rules json stats security config"
    [client]="proto json"
    [format]="proto json"
    [cli]="client format config state report proto store rules json calendar"
    [gen]="proto json"
)

failed=0
fail () { echo "check-code: $*"; failed=1; }

# Which module owns each header: its folder.
declare -A owner=()
for h in $(git ls-files '*/*.h'); do
    owner[$(basename "$h")]=$(dirname "$h")
done

for module in "${!allowed[@]}"; do
    [ -d "$module" ] || continue
    for f in $(git ls-files "$module/*.c" "$module/*.h"); do
        while read -r header; do
            target=${owner[$header]:-}
            [ -z "$target" ] && continue        # generated or system
            [ "$target" = "$module" ] && continue
            case " ${allowed[$module]} " in
                *" $target "*) ;;
                *) fail "$f includes $header: $module may not include $target/ (docs/architecture.md)" ;;
            esac
        done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
    done
done

# Library types stay in their module.
while IFS=: read -r f _; do
    case "$f" in store/*|tests/*) ;; *) fail "$f uses MDB_ (LMDB stays in store/)" ;; esac
done < <(git grep -l 'MDB_[a-z]\|mdb_[a-z_]* (' -- '*.c' '*.h' | sed 's/$/:/')
while IFS=: read -r f _; do
    case "$f" in proto/*) ;; *) fail "$f uses protobuf-c (it stays in proto/)" ;; esac
done < <(git grep -l 'ProtobufC\|protobuf_c_\|pb-c.h' -- '*.c' '*.h' | sed 's/$/:/')
while IFS=: read -r f _; do
    case "$f" in json/*|tests/*|bench/*|fuzz/*) ;; *) fail "$f writes JSON with cJSON (json/json.h is the one writer)" ;; esac
done < <(git grep -l 'cJSON_Print\|cJSON_Create\|cJSON_Add' -- '*.c' '*.h' | sed 's/$/:/')

# Sizes.
for f in $(git ls-files '*.c' '*.h' | grep -v '^tests/'); do
    n=$(wc -l < "$f")
    [ "$n" -gt 800 ] && fail "$f has $n lines (more than 800: split it by responsibility)"
done
# A function starts at a line "name (" in column 0 followed by "{" in
# column 0 (the house's clang-format style) and ends at "}" in column 0.
for f in $(git ls-files '*.c' | grep -v '^tests/'); do
    awk -v file="$f" '
        /^[A-Za-z_][A-Za-z_0-9]* \(/ { name = $1 }
        /^\{/ && name != "" { start = NR; inside = 1; next }
        /^\}/ && inside {
            if (NR - start - 1 > 150)
                printf "check-code: %s: %s has %d lines (more than 150)\n",
                       file, name, NR - start - 1
            inside = 0; name = ""
        }' "$f"
done | { grep . && exit 1 || true; } || failed=1

if [ "$failed" -ne 0 ]; then
    exit 1
fi
echo "check-code: layers, library types, file and function sizes: ok"
