#!/usr/bin/env bash
# Install with apt what the tests need and is missing: a Chromium for the browser tests and
# poppler-utils (pdftotext) for the PDF text check. Used by .ci/run and the Actions workflow.
# Playwright (a pip test dependency) drives that system Chromium: no browser is downloaded.
set -euo pipefail

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        sudo "$@"
    else
        echo "test-deps: need root (or sudo) to run: $*" >&2
        exit 2
    fi
}

browser() { command -v chromium || command -v chromium-browser || command -v google-chrome; }

missing=()
browser >/dev/null || missing+=(chromium)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
if [ ${#missing[@]} -gt 0 ]; then
    command -v apt-get >/dev/null || {
        echo "test-deps: missing ${missing[*]} and no apt-get to install them" >&2
        exit 2
    }
    echo "test-deps: installing ${missing[*]} with apt-get"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
fi
echo "test-deps: browser $(browser), $(command -v pdftotext)"
