#!/usr/bin/env bash
# Whole commands as a user runs them: files in, outputs out, one process per run.
#
#   bench/process.sh [RUNS]            # default 5 runs per case
#   CARECIRCLE=path/to/carecircle bench/process.sh 3
#
# Builds nothing: it uses target/release/carecircle (or $CARECIRCLE) and writes the generated
# inputs once into target/process-bench/ (the demo district, and the two cities of
# examples/write_city_files.rs: `nearest` 170k nodes / 310k edges / 13,000 facilities / 5,000
# communities, and `city` 525k road segments). Every case runs RUNS times under
# `/usr/bin/time -v`; the table gives the minimum and median wall time, the median CPU time
# (user + system: what the work costs, less disturbed by other load than the wall time) and the
# largest peak resident memory (maximum RSS) of the runs. The SHA-256 of every output file of the last run of
# each case (from its outputs.json) goes to target/process-bench/hashes.txt, so that two builds
# can be compared byte for byte: with PROCESS_BENCH_EXPECT=FILE (an earlier hashes.txt) the
# script fails when any output differs from it.
#
# CI does not run this (it measures, it does not test); the README's performance table is its
# output on the development machine.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS="${1:-5}"
TARGET="${CARGO_TARGET_DIR:-target}"
BIN="${CARECIRCLE:-$TARGET/release/carecircle}"
WORK="${PROCESS_BENCH_DIR:-$TARGET/process-bench}"
# `run` and `areas` on the 13,000-facility city are left out by default: its service areas
# (13,000 polygons) take minutes and are the areas issue's benchmark, not reading.
# `site` sites day care with the scenario's model (LSCP; the city's candidates drawn from the
# road graph), `rules` checks the built-in rule set.
CASES="${PROCESS_BENCH_CASES:-demo-audit demo-run demo-site demo-areas demo-rules nearest-audit city-audit city-run city-site city-areas city-rules}"

if [ ! -x "$BIN" ]; then
  echo "no binary at $BIN: build it first with cargo build --release" >&2
  exit 2
fi
if [ ! -x /usr/bin/time ]; then
  echo "/usr/bin/time is missing (apt-get install time)" >&2
  exit 2
fi
mkdir -p "$WORK"

# Inputs, written once.
if [ ! -f "$WORK/demo/data/scenario.toml" ]; then
  "$BIN" demo --out "$WORK/demo" >/dev/null
fi
for preset in nearest city; do
  if [ ! -f "$WORK/$preset/scenario.toml" ]; then
    cargo run --release --quiet --example write_city_files -- "$preset" "$WORK/$preset"
  fi
done

scenario_of() {
  case "$1" in
    demo-*) echo "$WORK/demo/data/scenario.toml" ;;
    nearest-*) echo "$WORK/nearest/scenario.toml" ;;
    city-*) echo "$WORK/city/scenario.toml" ;;
  esac
}

command_of() {
  case "$1" in
    *-audit) echo "audit" ;;
    # `run` without siting on the cities (siting is the siting issues' benchmark), with it on
    # the demo (what `carecircle demo` runs).
    demo-run) echo "run" ;;
    *-run) echo "run --no-siting" ;;
    *-site) echo "site --kind day_care" ;;
    *-areas) echo "areas" ;;
    *-rules) echo "rules" ;;
  esac
}

inputs_mb() {
  # The scenario's folder holds its layers.
  du -smL --apparent-size "$(dirname "$(scenario_of "$1")")" | cut -f1
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }

: >"$WORK/hashes.txt"
printf '%-14s %-18s %5s %9s %9s %9s %10s\n' case command runs min_s median_s cpu_s peak_MB
for case in $CASES; do
  scenario="$(scenario_of "$case")"
  cmd="$(command_of "$case")"
  out="$WORK/out-$case"
  times=()
  cpus=()
  peak=0
  for _ in $(seq "$RUNS"); do
    log="$WORK/time-$case.log"
    # shellcheck disable=SC2086
    /usr/bin/time -v "$BIN" $cmd --scenario "$scenario" --out "$out" >/dev/null 2>"$log" || {
      echo "$case failed:" >&2
      tail -20 "$log" >&2
      exit 1
    }
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$log")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
    cpu=$(awk -F': ' '/User time|System time/ {s+=$2} END {printf "%.2f\n", s}' "$log")
    times+=("$wall")
    cpus+=("$cpu")
    if [ "$rss" -gt "$peak" ]; then peak=$rss; fi
  done
  min=$(printf '%s\n' "${times[@]}" | sort -n | head -1)
  med=$(printf '%s\n' "${times[@]}" | median)
  cpu=$(printf '%s\n' "${cpus[@]}" | median)
  printf '%-14s %-18s %5d %9s %9s %9s %10d\n' "$case" "$cmd" "$RUNS" "$min" "$med" "$cpu" $((peak / 1024))
  # The manifest's hash of every output file (the manifest itself holds input hashes and the
  # version, the same for both builds).
  python3 - "$out/outputs.json" "$case" >>"$WORK/hashes.txt" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
for f in m["files"]:
    print(sys.argv[2], f["path"], f["sha256"])
EOF
done
echo "input sizes (MB): $(for c in $CASES; do printf '%s=%s ' "$c" "$(inputs_mb "$c")"; done)"
echo "output hashes: $WORK/hashes.txt"
if [ -n "${PROCESS_BENCH_EXPECT:-}" ]; then
  # Only the cases of this run are compared.
  if diff <(grep -F -f <(printf '%s \n' $CASES) "$PROCESS_BENCH_EXPECT") "$WORK/hashes.txt"; then
    echo "outputs identical to $PROCESS_BENCH_EXPECT"
  else
    echo "outputs DIFFER from $PROCESS_BENCH_EXPECT" >&2
    exit 1
  fi
fi
