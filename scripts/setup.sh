#!/usr/bin/env bash
# Installs what hotline needs to build and test, from Debian 12 packages.
# Safe to run again: only missing packages are installed. The bulletin
# tests open workbooks with openpyxl, check the HTML page with tidy and
# unzip workbooks; LibreOffice, which renders them to images, is large and
# installed by scripts/render-bulletin.sh only.
set -euo pipefail
packages=(build-essential cmake pkg-config
          libzmq3-dev libczmq-dev libprotobuf-c-dev protobuf-c-compiler
          liblmdb-dev libcjson-dev libsodium-dev libcriterion-dev libxlsxwriter-dev
          libsqlite3-dev clang-format
          libmicrohttpd-dev libcurl4-openssl-dev libjs-chart.js
          chromium fonts-wqy-microhei python3 prometheus curl
          python3-openpyxl tidy poppler-utils unzip
          dpkg-dev file binutils)   # cpack -G DEB (scripts/test-package.sh)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" \
        || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    echo "setup: installing ${missing[*]}"
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
