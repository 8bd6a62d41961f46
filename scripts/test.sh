#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs the dependencies, builds
# twice (optimised, and Debug with AddressSanitizer + UBSan), runs every
# test in both, and checks the formatting and the code (layers, sizes:
# scripts/check-code.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

# The golden tables are copied into tests/golden; when the shared
# originals sit beside the checkout, the copies must still match them.
if [ -d ../shared/golden ]; then
    for f in ../shared/golden/*.csv; do
        cmp -s "$f" "tests/golden/$(basename "$f")" \
            || { echo "tests/golden/$(basename "$f") differs from $f"; exit 1; }
    done
fi

echo "== format"
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]' -not -path './build*')
clang-format --dry-run -Werror $files

echo "== layers, library types, file and function sizes"
scripts/check-code.sh

echo "== build (RelWithDebInfo)"
scripts/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo
echo "== tests (RelWithDebInfo)"
ctest --test-dir build --output-on-failure

echo "== the dashboard in headless Chromium (screenshots in build/browser/)"
scripts/test-browser.sh build

echo "== the bulletin workbooks as printed (images for people to look at)"
scripts/render-bulletin.sh build

echo "== the Debian package (installed, run, removed)"
scripts/test-package.sh build

echo "== benchmarks (quick mode: they must run, figures are not judged here)"
build/hotline-bench all --quick

echo "== build (ASan + UBSan)"
scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=Debug -DHOTLINE_SANITIZE=ON
echo "== tests (ASan + UBSan)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure
echo "== benchmarks under ASan + UBSan (quick mode: the daemon under load)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    build-asan/hotline-bench all --quick > /dev/null

echo "== fuzzing (30 s per target; scripts/fuzz.sh 600 for the long run)"
scripts/fuzz.sh 30
