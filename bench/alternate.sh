#!/usr/bin/env bash
# Runs Google Benchmark binaries in turn, round after round, and prints each one's lowest, median
# and highest CPU time: a before/after comparison on a shared host, where one binary's rounds spread
# more than most changes move them, is only fair when both run in the same windows.
#   bench/alternate.sh FILTER ROUNDS BINARY...   (MIN_TIME=seconds per run, default 3)
# Example: cp build/bin/flow_path_bench /tmp/before; (change, build); \
#          bench/alternate.sh 'BM_FlowPath/16$' 12 /tmp/before build/bin/flow_path_bench
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: $0 FILTER ROUNDS BINARY..." >&2
  exit 2
fi
filter=$1 rounds=$2
shift 2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for ((r = 1; r <= rounds; r++)); do
  for i in $(seq $#); do
    bin=${!i}
    "$bin" --benchmark_filter="$filter" --benchmark_min_time="${MIN_TIME:-3}" 2>/dev/null |
      awk '/^BM_/ { print $4 }' >>"$out/$i"
  done
done
for i in $(seq $#); do
  sort -n "$out/$i" | awk -v name="${!i}" '{ v[NR] = $1 } END {
    if (NR == 0) { printf "%s: no result (does the filter match?)\n", name; exit }
    printf "%s: min %s, median %s, max %s CPU per iteration (%d rounds)\n", name, v[1], v[int((NR + 1) / 2)], v[NR], NR }'
done
