#!/usr/bin/env bash
# The Debian package, end to end, as an administrator gets it
# (docs/install.md): builds hotline_<version>_amd64.deb with cpack, installs
# it with apt-get, runs the demo month through the INSTALLED hotlined and
# hotline, builds a small C program against the installed libhotline-client
# with pkg-config and sends an event with it, verifies the systemd unit,
# then removes and purges the package and checks what is left.
#
#   scripts/test-package.sh [BUILD_DIR]     (default: build)
#
# BUILD_DIR is configured with -DCMAKE_INSTALL_PREFIX=/usr (the package's
# prefix); cpack builds what is out of date. The package is installed
# system-wide (as root, else with sudo): run this on a CI or test machine.
# A hotline package already installed is replaced, then removed. One run at a time
# per machine (a lock in /tmp); the daemon uses ipc:// endpoints in a
# temporary directory, never fixed ports.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
build=$(realpath "${1:-build}")
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
apt=($sudo env DEBIAN_FRONTEND=noninteractive apt-get -y -q
     -o DPkg::Lock::Timeout=300 --allow-downgrades)
started=$SECONDS
fail () { echo "test-package: FAILED: $*" >&2; exit 1; }
section () { echo; echo "== $* ($((SECONDS - started)) s)"; }

exec 9> /tmp/hotline-test-package.lock
flock -w 600 9 || fail "another test-package.sh holds /tmp/hotline-test-package.lock"

tmp=$(mktemp -d /tmp/hotline-package.XXXXXX)
chmod 755 "$tmp"
daemon=""
had_user=$(getent passwd hotline > /dev/null && echo 1 || true)
had_data=$([ -e /var/lib/hotline ] && echo 1 || true)
cleanup () {
    local rc=$?
    if [ -n "$daemon" ]; then
        $sudo kill "$daemon" 2> /dev/null || true
        wait "$daemon" 2> /dev/null || true
    fi
    if dpkg-query -W hotline > /dev/null 2>&1; then
        echo "test-package: purging the package left behind"
        $sudo dpkg --purge hotline > /dev/null 2>&1 || true
    fi
    # What the package's purge keeps on purpose (the data directory and
    # the user owning it) goes too, when this test made it.
    [ -n "$had_data" ] || $sudo rmdir /var/lib/hotline 2> /dev/null || true
    [ -n "$had_user" ] || ! getent passwd hotline > /dev/null ||
        $sudo userdel hotline 2> /dev/null || true
    $sudo rm -rf "$tmp"
    [ $rc -eq 0 ] || echo "test-package: FAILED (exit $rc)" >&2
    exit $rc
}
trap cleanup EXIT

section "package: cpack -G DEB in $build (prefix /usr)"
[ -f "$build/CMakeCache.txt" ] || scripts/build.sh "$build" > /dev/null
cmake -DCMAKE_INSTALL_PREFIX=/usr "$build" > "$tmp/configure.log" 2>&1 ||
    { cat "$tmp/configure.log"; fail "cmake could not configure $build"; }
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
rm -f "$build"/hotline_*.deb
# cpack builds what is out of date first (its preinstall step).
(cd "$build" && cpack -G DEB > "$tmp/cpack.log" 2>&1) ||
    { cat "$tmp/cpack.log"; fail "cpack -G DEB failed"; }
deb=$build/hotline_${version}_amd64.deb
[ -f "$deb" ] || fail "cpack did not write $deb"
echo "$deb: $(stat -c %s "$deb") bytes, $(dpkg-deb -c "$deb" | wc -l) entries"
dpkg-deb -f "$deb" Package Version Architecture Depends
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "package version"
# (grep reads the captured text: with pipefail, `cmd | grep -q` fails
# whenever grep stops reading before cmd is done.)
grep -qx /etc/hotline/hotline.cfg <<< "$(dpkg-deb -I "$deb" conffiles)" ||
    fail "/etc/hotline/hotline.cfg is not a conffile"

section "install: apt-get install $deb"
# A package of the same version already there would not be replaced:
# whatever dpkg knows of hotline (installed, half-configured, conffiles
# left) is purged first.
if dpkg-query -W hotline > /dev/null 2>&1; then
    echo "hotline $(dpkg-query -W -f='${Version} (${Status})' hotline) is there: purging it first"
    $sudo dpkg --purge hotline > "$tmp/apt.log" 2>&1 ||
        { cat "$tmp/apt.log"; fail "dpkg --purge hotline"; }
fi
# apt-get takes a local file only as a path (./x.deb or /x.deb). Copied
# where apt's sandbox user can read it, so apt does not warn.
cp "$deb" "$tmp/" && chmod 644 "$tmp/${deb##*/}"
"${apt[@]}" install "$tmp/${deb##*/}" > "$tmp/apt.log" 2>&1 ||
    { cat "$tmp/apt.log"; fail "apt-get install"; }
[ "$(dpkg-query -W -f='${Version}' hotline)" = "$version" ] ||
    fail "dpkg does not list hotline $version"
for f in /usr/sbin/hotlined /usr/bin/hotline /usr/bin/hotline-gen \
         /usr/bin/hotline-synth; do
    [ -x "$f" ] || fail "$f is not installed"
done
[ "$(/usr/sbin/hotlined --version)" = "hotlined $version" ] ||
    fail "hotlined --version"
[ "$(/usr/bin/hotline --version)" = "hotline $version" ] ||
    fail "hotline --version"
for f in /usr/share/man/man1/hotline.1 /usr/share/man/man8/hotlined.8 \
         /usr/share/man/man5/hotline-rulesets.5 \
         /usr/share/hotline/rulesets/jintai-2025.zpl \
         /usr/share/doc/hotline/README.md /usr/share/doc/hotline/docs/install.md \
         /usr/lib/sysusers.d/hotline.conf /usr/lib/tmpfiles.d/hotline.conf; do
    [ -f "$f" ] || fail "$f is not installed"
done
[ -d /etc/hotline/rulesets ] || fail "/etc/hotline/rulesets is missing"
getent passwd hotline > /dev/null || fail "postinst made no hotline user"
[ "$(stat -c %U:%G /var/lib/hotline)" = hotline:hotline ] ||
    fail "/var/lib/hotline is not owned by hotline"
echo "installed: hotlined $version in /usr/sbin, hotline, hotline-gen," \
     "hotline-synth in /usr/bin; user hotline; /var/lib/hotline"

section "the shared library: libhotline-client.so"
# The SONAME is libhotline-client.so.0.MINOR while the version is 0.x,
# then libhotline-client.so.MAJOR (client/CMakeLists.txt).
IFS=. read -r major minor _ <<< "$version"
soname=libhotline-client.so.$major
[ "$major" != 0 ] || soname=libhotline-client.so.0.$minor
lib=/usr/lib/x86_64-linux-gnu/$soname
[ "$(objdump -p "$lib" | awk '$1 == "SONAME" { print $2 }')" = "$soname" ] ||
    fail "$lib: the SONAME is not $soname"
grep -q "$soname " <<< "$(/sbin/ldconfig -p)" ||
    fail "the linker cache does not know $soname"
# It exports exactly the functions its installed headers declare.
for h in /usr/include/hotline/*.h; do
    echo "#include <hotline/${h##*/}>" |
        cc -std=c11 -Wall -Wextra -Werror -fsyntax-only -x c - ||
        fail "$h does not compile on its own"
done
printf '#include <hotline/client.h>\n#include <hotline/client_sub.h>\n' |
    cc -std=c11 -aux-info "$tmp/aux.txt" -fsyntax-only -x c -
grep '/usr/include/hotline/' "$tmp/aux.txt" |
    grep -oE '\b(client|proto)_[a-z_0-9]+ \(' | tr -d ' (' | grep -v '_fn$' |
    sort -u > "$tmp/declared"
nm -D --defined-only "$lib" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' |
    sort > "$tmp/exported"
diff "$tmp/declared" "$tmp/exported" ||
    fail "exported symbols (>) differ from the headers' functions (<)"
echo "$lib: SONAME $soname, $(wc -l < "$tmp/exported") functions" \
     "exported, as declared in /usr/include/hotline"

section "the installed configuration"
cfg=/etc/hotline/hotline.cfg
# Every endpoint on loopback, snapshot beside publish, HTTP too.
for key in ingest publish snapshot query; do
    grep -qE "^    $key = tcp://127\.0\.0\.1:[0-9]+( |$)" "$cfg" ||
        fail "$cfg: $key is not on 127.0.0.1"
done
grep -qE "^    http = 127\.0\.0\.1:[0-9]+( |$)" "$cfg" ||
    fail "$cfg: http is not on 127.0.0.1"
# The same file for this run, but with ipc:// endpoints in the temporary
# directory and HTTP on a free port: other programs on this machine may
# hold the configured ports.
sed -E -e "s#^(    )(ingest|publish|snapshot|query) = [^ ]+#\\1\\2 = ipc://$tmp/run/\\2#" \
    -e "s#^(    )http = [^ ]+#\\1http = 127.0.0.1:0#" "$cfg" > "$tmp/hotline.cfg"
[ "$(grep -c "ipc://$tmp/run/\|127.0.0.1:0 " "$tmp/hotline.cfg")" -eq 5 ] ||
    fail "could not move the five endpoints of $cfg"
diff "$cfg" "$tmp/hotline.cfg" | grep '^>' || true
export HOTLINE_CONFIG=$tmp/hotline.cfg

section "installed hotlined and hotline: the demo month"
mkdir "$tmp/data" "$tmp/run" "$tmp/work"
run_as=()
if [ "$(id -u)" -eq 0 ]; then
    # As the service runs: the hotline user, its own data directory.
    chown hotline:hotline "$tmp/data" "$tmp/run"
    run_as=(setpriv --reuid=hotline --regid=hotline --init-groups --)
fi
cd "$tmp/work"
/usr/bin/hotline-gen --units units.csv --events events.jsonl
"${run_as[@]}" /usr/sbin/hotlined --config "$tmp/hotline.cfg" \
    --data "$tmp/data" --clock event > "$tmp/hotlined.log" 2>&1 &
daemon=$!
ready=""
for _ in $(seq 50); do
    if /usr/bin/hotline stats --timeout 200 > /dev/null 2>&1; then
        ready=1
        break
    fi
    kill -0 "$daemon" 2> /dev/null || break
done
[ -n "$ready" ] || { cat "$tmp/hotlined.log"; fail "hotlined did not start"; }
grep -o 'ready: .*' "$tmp/hotlined.log"
url=$(sed -n 's/.*web: listening on \(http:[^ ]*\).*/\1/p' "$tmp/hotlined.log")
[ -n "$url" ] || fail "hotlined logged no HTTP address"
health=$(curl -fsS "${url}healthz") || fail "GET ${url}healthz"
echo "GET ${url}healthz: $health"
/usr/bin/hotline units import units.csv
/usr/bin/hotline send events.jsonl
/usr/bin/hotline report --ruleset jintai-2025 --period 2025-07 | tee report.txt
[ "$(wc -l < report.txt)" -gt 27 ] || fail "the scorecard has no rows"
name=$(awk -F, '$1 == "J01" { print $2 }' units.csv)
grep -q "$name" report.txt || fail "the scorecard has no row for J01 ($name)"

section "a program built against the installed library (pkg-config)"
cc -std=c11 -Wall -Wextra -Werror -o send_one "$src/tests/package/send_one.c" \
    $(pkg-config --cflags --libs hotline-client)
echo "cc send_one.c $(pkg-config --cflags --libs hotline-client)"
loaded=$(ldd ./send_one | awk -v so="$soname" '$1 == so { print $3 }')
[ -n "$loaded" ] && [ "$(realpath "$loaded")" = "$(realpath "$lib")" ] ||
    fail "send_one does not load $lib"
./send_one "ipc://$tmp/run/ingest" J01
# The example in docs/install.md, as installed, compiles and links too.
sed -n '/^```c$/,/^```$/p' /usr/share/doc/hotline/docs/install.md |
    sed '1d;$d' > example.c
cc -std=c11 -Wall -Wextra -Werror -o example example.c \
    $(pkg-config --cflags --libs hotline-client) ||
    fail "the example in docs/install.md does not build"

section "the systemd unit"
unit=/usr/lib/systemd/system/hotlined.service
grep -qx 'ExecStart=/usr/sbin/hotlined --config /etc/hotline/hotline.cfg' \
    "$unit" || fail "$unit does not start /usr/sbin/hotlined on $cfg"
if command -v systemd-analyze > /dev/null; then
    # A misspelt key or value is only a warning to systemd: any output
    # fails the check. Documentation=man:hotlined(8) is looked up when man
    # is there.
    man=--man=yes
    command -v man > /dev/null || man=--man=no
    out=$(systemd-analyze verify "$man" "$unit" 2>&1) && [ -z "$out" ] ||
        { echo "$out"; fail "systemd-analyze verify $unit"; }
    echo "systemd-analyze verify $man $unit: no warnings"
else
    echo "systemd-analyze is not installed: $unit not verified (skipped)"
fi

section "a clean stop"
kill -TERM "$daemon"
stop=$(date +%s%N)
code=0
wait "$daemon" || code=$?
daemon=""
echo "hotlined stopped with status $code in" \
     "$(( ($(date +%s%N) - stop) / 1000000 )) ms"
[ $code -eq 0 ] || { tail "$tmp/hotlined.log"; fail "hotlined exit $code"; }

section "remove, then purge"
cd "$src"
"${apt[@]}" remove hotline > "$tmp/apt.log" 2>&1 ||
    { cat "$tmp/apt.log"; fail "apt-get remove"; }
for f in /usr/sbin/hotlined /usr/bin/hotline /usr/bin/hotline-gen \
         /usr/bin/hotline-synth "$lib" /usr/include/hotline/client.h "$unit"; do
    [ ! -e "$f" ] || fail "$f is still there after apt-get remove"
done
[ -f "$cfg" ] || fail "remove deleted the conffile $cfg (only purge may)"
"${apt[@]}" purge hotline > "$tmp/apt.log" 2>&1 ||
    { cat "$tmp/apt.log"; fail "apt-get purge"; }
[ ! -e "$cfg" ] || fail "$cfg is still there after purge"
! dpkg-query -W hotline > /dev/null 2>&1 || fail "dpkg still lists hotline"
[ -d /var/lib/hotline ] || fail "purge deleted /var/lib/hotline (data stays)"
echo "removed: programs, library, headers, unit; purged: $cfg;" \
     "kept: /var/lib/hotline and the hotline user"

section "package test passed"
