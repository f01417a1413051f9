#!/usr/bin/env bash
# Start-up to first frame and peak memory: ProxyTrust next to a blank eframe window built with
# the same eframe features (examples/blank.rs), both release builds, on one Xvfb server, RUNS
# runs each (default 15, taken in turns); prints the medians and the ratios (BENCHMARKS.md
# records them).
#
#   scripts/measure-startup.sh [RUNS]
#
# "First frame" is the moment the second frame starts, that is once the first one has been
# painted and swapped: with PROXYTRUST_EXIT_AFTER_FIRST_FRAME set both programs print
# `first-frame-ms N` (milliseconds since PROXYTRUST_STARTUP_T0_NS, taken here just before the
# launch) and exit there. Peak RSS is GNU time's %M over that same span. The whole process
# (launch to exit) is printed too, for reference.
#
# Needs Xvfb and GNU time (/usr/bin/time): apt-get install -y xvfb xauth time.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-15}
cargo build --release --quiet --bin proxytrust --example blank

# One X server for every run (xvfb-run per run would add its own start-up noise).
exec 3< <(Xvfb -displayfd 1 -screen 0 1280x800x24 -nolisten tcp 2>/dev/null)
xvfb_pid=$!
trap 'kill "$xvfb_pid" 2>/dev/null || true' EXIT
read -r -t 10 display <&3 || { echo "Xvfb did not start" >&2; exit 1; }
export DISPLAY=":$display" PROXYTRUST_EXIT_AFTER_FIRST_FRAME=1

blank=(target/release/examples/blank)
app=(target/release/proxytrust gui --project assets/examples/label-studio-cloud-run.toml)
declare -A first rss whole
one() { # label, command...: appends "first rss whole" of one run
  local label=$1; shift
  local data t0 out t1
  data="$(mktemp -d)"
  t0="$(date +%s%N)"
  out="$(XDG_DATA_HOME="$data" PROXYTRUST_STARTUP_T0_NS="$t0" \
    /usr/bin/time -f 'peak-rss-kib %M' "$@" 2>&1 >/dev/null)"
  t1="$(date +%s%N)"
  rm -rf "$data"
  local f m
  f="$(sed -n 's/^first-frame-ms //p' <<<"$out" | tail -n 1)"
  m="$(sed -n 's/^peak-rss-kib //p' <<<"$out" | tail -n 1)"
  if [[ -z $f || -z $m ]]; then
    echo "$label: no measurement in its output:" >&2
    echo "$out" >&2
    exit 1
  fi
  first[$label]+="$f "
  rss[$label]+="$m "
  whole[$label]+="$(( (t1 - t0) / 1000 )) "
}
# A warm-up run of each (shader cache, page cache), not counted.
one warm "${blank[@]}"
one warm "${app[@]}"
for _ in $(seq "$runs"); do
  one blank "${blank[@]}"
  one app "${app[@]}"
done
median() { tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{ v[NR] = $1 } END {
  if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
[[ -n ${VERBOSE:-} ]] && for k in blank app; do echo "$k first: ${first[$k]}"; done
printf '%-12s %16s %14s %16s\n' what first_frame_ms peak_rss_kib whole_process_ms
declare -A mf mm mw
for k in blank app; do
  mf[$k]="$(median <<<"${first[$k]}")"
  mm[$k]="$(median <<<"${rss[$k]}")"
  mw[$k]="$(median <<<"${whole[$k]}" | awk '{ printf "%.1f", $1 / 1000 }')"
  printf '%-12s %16s %14s %16s\n' "$([[ $k == app ]] && echo proxytrust || echo blank)" \
    "${mf[$k]}" "${mm[$k]}" "${mw[$k]}"
done
awk -v f1="${mf[app]}" -v f0="${mf[blank]}" -v m1="${mm[app]}" -v m0="${mm[blank]}" \
  -v w1="${mw[app]}" -v w0="${mw[blank]}" 'BEGIN {
  printf "%-12s %16.2f %14.2f %16.2f\n", "ratio", f1 / f0, m1 / m0, w1 / w0 }'
