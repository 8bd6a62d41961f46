#!/usr/bin/env bash
# Renders the bulletin workbooks the tests wrote (BUILD/bulletin-samples,
# one per shipped ruleset, from tests/test_bulletin.c) into PNG images of
# their pages, for people to look at: LibreOffice (headless) prints each
# workbook to PDF as its print setup says, pdftoppm turns the pages into
# images. Prints the path of every image.
#
#   scripts/render-bulletin.sh [BUILD_DIR]     (default: build)
#
# LibreOffice is large, so it is installed here (libreoffice-calc-nogui and
# a CJK font) rather than by scripts/setup.sh; when it cannot be installed
# the rendering is skipped with a message and the script exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
samples=$build/bulletin-samples
out=$build/bulletin-render
if ! ls "$samples"/*.xlsx > /dev/null 2>&1; then
    echo "render-bulletin: no workbooks in $samples: run the tests first" \
         "(ctest --test-dir $build -R bulletin)" >&2
    exit 1
fi
if ! command -v soffice > /dev/null || ! fc-list :lang=zh | grep -q .; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo -n"
    echo "render-bulletin: installing libreoffice-calc-nogui and fonts-noto-cjk"
    if ! { $sudo apt-get install -y -q --no-install-recommends \
               libreoffice-calc-nogui fonts-noto-cjk poppler-utils \
           || { $sudo apt-get update -q \
                && $sudo apt-get install -y -q --no-install-recommends \
                       libreoffice-calc-nogui fonts-noto-cjk poppler-utils; }
         } > "$build/render-install.log" 2>&1; then
        echo "render-bulletin: LibreOffice could not be installed" \
             "(see $build/render-install.log); no images rendered"
        exit 0
    fi
fi
rm -rf "$out" && mkdir -p "$out"
# A profile of its own, so a LibreOffice already running elsewhere (or a
# stale lock) cannot get in the way.
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
timeout 300 soffice -env:UserInstallation="file://$profile" --headless \
    --convert-to pdf --outdir "$out" "$samples"/*.xlsx > "$out/soffice.log" 2>&1 \
    || { echo "render-bulletin: LibreOffice failed:"; cat "$out/soffice.log"; exit 1; }
for pdf in "$out"/*.pdf; do
    pdftoppm -png -r 70 "$pdf" "${pdf%.pdf}"
done
echo "render-bulletin: pages of the bulletin workbooks, as printed:"
ls "$out"/*.png
