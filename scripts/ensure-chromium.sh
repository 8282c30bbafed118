#!/usr/bin/env bash
# Browser tests drive Debian's Chromium with playwright-core (never a downloaded browser build).
# Installs it when missing; a no-op when present.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "Chromium is missing: run 'sudo apt-get update && sudo apt-get install -y chromium' (needed by the browser tests)." >&2
  exit 1
fi
echo "Installing Debian's chromium for the browser tests (one time, about a minute)…" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq chromium >/dev/null
/usr/bin/chromium --version >&2
