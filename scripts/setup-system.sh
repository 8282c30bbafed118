#!/usr/bin/env bash
# The Debian packages PocketPaw and its tests use, installed when missing (a no-op when present):
#   bubblewrap — the sandbox the shell tool runs in (SECURITY.md);
#   chromium   — the browser the e2e tests drive with playwright-core (never a downloaded build).
set -euo pipefail
missing=()
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != "0" ]; then
  echo "Missing system packages: ${missing[*]}. Run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Missing system packages: ${missing[*]}, and no apt-get here: install them with your system's package manager." >&2
  exit 1
fi
echo "Installing ${missing[*]} from Debian (one time, about a minute)…" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq "${missing[@]}" >/dev/null
echo "Installed: ${missing[*]}" >&2
