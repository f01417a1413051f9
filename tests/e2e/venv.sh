#!/usr/bin/env bash
# Create (once) and cache a Python venv for the end-to-end harnesses.
#
#   tests/e2e/venv.sh NAME REQUIREMENT...
#
# The venv lives at <repo root>/target/e2e-venv/NAME. Requirements must be pinned
# (`pkg==X.Y.Z`). A stamp file records the requirement list; when it matches, the
# script does nothing and returns at once. The venv's python path is the only thing
# printed on stdout; everything else goes to stderr.
#
# Environment:
#   PYTHON            interpreter used to create the venv (default: python3)
#   E2E_VENV_ROOT     override the parent directory (default: <repo>/target/e2e-venv)
set -euo pipefail

die() { echo "venv.sh: $*" >&2; exit 2; }

[ "$#" -ge 2 ] || die "usage: $0 NAME REQUIREMENT..."
name=$1; shift
case "$name" in
  ''|*/*|.|..) die "invalid venv name: '$name'";;
esac
for req in "$@"; do
  case "$req" in
    *==*) ;;
    *) die "requirement must be pinned with ==: '$req'";;
  esac
done

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
repo_root=$(cd -- "$script_dir/../.." && pwd -P)
venv_root=${E2E_VENV_ROOT:-$repo_root/target/e2e-venv}
venv=$venv_root/$name
py=$venv/bin/python
stamp=$venv/.e2e-stamp
base_python=${PYTHON:-python3}

# What the stamp must contain for the cached venv to be reused.
want=$(printf '%s\n' "$@" | LC_ALL=C sort)
want="$want
python=$("$base_python" -c 'import sys; print(".".join(map(str, sys.version_info[:3])))')"

if [ -x "$py" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "$py"
  exit 0
fi

mkdir -p "$venv_root"
# Serialise concurrent callers for the same venv.
exec 9>"$venv_root/.$name.lock"
if command -v flock >/dev/null 2>&1; then
  flock 9
  # Another caller may have finished while we waited.
  if [ -x "$py" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "$py"
    exit 0
  fi
fi

{
  echo "venv.sh: building $venv"
  rm -rf -- "$venv"
  "$base_python" -m venv "$venv"
  export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PIP_ROOT_USER_ACTION=ignore
  # Only the pinned requirements; the venv keeps the pip bundled with the interpreter.
  "$py" -m pip install --no-input "$@"
  # What was actually resolved (transitive versions are chosen by pip at build time).
  "$py" -m pip freeze > "$venv/.e2e-freeze.txt"
  printf '%s\n' "$want" > "$stamp"
  echo "venv.sh: done"
} 1>&2

echo "$py"
