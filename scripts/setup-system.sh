#!/usr/bin/env bash
# The Debian packages PocketPaw and its tests use, installed when missing (a no-op when present):
#   bubblewrap — the sandbox the shell tool runs in (SECURITY.md);
#   chromium   — the browser the e2e tests drive with playwright-core (never a downloaded build).
# `--runtime` (npm start): bubblewrap only, and never fatal — without it PocketPaw still runs and
# asks for approval before each shell command.
set -euo pipefail
runtime=0
[ "${1:-}" = "--runtime" ] && runtime=1
missing=()
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
[ $runtime = 1 ] || [ -x /usr/bin/chromium ] || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
give_up() {
  echo "$1" >&2
  if [ $runtime = 1 ]; then
    echo "PocketPaw starts anyway; without bubblewrap every shell command waits for your approval." >&2
    exit 0
  fi
  exit 1
}
[ "$(uname -s)" = "Linux" ] || give_up "No sandbox package for $(uname -s) here: ${missing[*]} are Linux packages."
if [ "$(id -u)" != "0" ]; then
  give_up "Missing system packages: ${missing[*]}. Run: sudo apt-get update && sudo apt-get install -y ${missing[*]}"
fi
command -v apt-get >/dev/null 2>&1 || give_up "Missing system packages: ${missing[*]}, and no apt-get here: install them with your system's package manager."
echo "Installing ${missing[*]} from Debian (one time, about a minute)…" >&2
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" >/dev/null; }; then
  give_up "Could not install ${missing[*]} with apt-get (see above)."
fi
echo "Installed: ${missing[*]}" >&2
