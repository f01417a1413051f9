#!/usr/bin/env bash
# Start-up to first frame and peak memory: ProxyTrust next to a blank eframe window built with
# the same eframe features (examples/blank.rs), both release builds, under Xvfb, RUNS runs each
# (default 7); prints the medians and the ratios (BENCHMARKS.md records them).
#
#   scripts/measure-startup.sh [RUNS]
#
# Needs xvfb (xvfb-run) and GNU time (/usr/bin/time): apt-get install -y xvfb xauth time.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
cargo build --release --quiet --bin proxytrust --example blank
export PROXYTRUST_EXIT_AFTER_FIRST_FRAME=1
measure() { # label, command...
  local label=$1; shift
  local times=() rss=()
  for _ in $(seq "$runs"); do
    local out
    out="$(XDG_DATA_HOME="$(mktemp -d)" xvfb-run -a -s '-screen 0 1280x800x24' \
      /usr/bin/time -f '%e %M' "$@" 2>&1 >/dev/null | tail -n 1)"
    times+=("${out% *}")
    rss+=("${out#* }")
  done
  local t m
  t="$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")"
  m="$(printf '%s\n' "${rss[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")"
  echo "$label $t $m"
}
blank="$(measure blank target/release/examples/blank)"
app="$(measure proxytrust target/release/proxytrust gui --project assets/examples/label-studio-cloud-run.toml)"
echo "what        median_s  median_peak_rss_kib"
echo "$blank"
echo "$app"
awk -v a="$app" -v b="$blank" 'BEGIN {
  split(a, x, " "); split(b, y, " ");
  printf "ratio       %.2f      %.2f\n", x[2] / y[2], x[3] / y[3] }'
