#!/usr/bin/env bash
# Two builds compared on a busy machine: `audit` runs alternately with each binary, so that both
# see the same load, and the wall and CPU (user + system) times of every run and the medians are
# printed per binary.
#
#   bench/ab.sh CASE RUNS BINARY_A BINARY_B      # CASE: demo, nearest or city
#
# Uses the inputs bench/process.sh writes into target/process-bench/ (run it once first).
set -euo pipefail
cd "$(dirname "$0")/.."
case_="$1"
runs="$2"
shift 2
WORK="${PROCESS_BENCH_DIR:-${CARGO_TARGET_DIR:-target}/process-bench}"
case "$case_" in
  demo) scenario="$WORK/demo/data/scenario.toml" ;;
  *) scenario="$WORK/$case_/scenario.toml" ;;
esac
[ -f "$scenario" ] || { echo "no $scenario: run bench/process.sh first" >&2; exit 2; }
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
for _ in $(seq "$runs"); do
  for bin in "$@"; do
    out="$WORK/ab-out-$(basename "$bin")"
    /usr/bin/time -f "%e %U %S %M" -o "$log" "$bin" audit --scenario "$scenario" --out "$out" >/dev/null 2>&1
    echo "$bin $(cat "$log")"
  done
done | awk '
  { wall[$1] = wall[$1] " " $2; cpu[$1] = cpu[$1] " " ($3 + $4); if ($5 > rss[$1]) rss[$1] = $5 }
  function median(list,   a, n, i, j, t) {
    n = split(list, a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  END { for (b in wall) printf "%s\n  wall s:%s (median %s)\n  cpu s:%s (median %s)\n  peak MB: %d\n", b, wall[b], median(wall[b]), cpu[b], median(cpu[b]), rss[b] / 1024 }'
echo "load average: $(cut -d" " -f1-3 /proc/loadavg)"
