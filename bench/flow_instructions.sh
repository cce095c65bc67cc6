#!/usr/bin/env bash
# Counts the flow path's instructions a record under callgrind (deterministic, unlike times on a
# shared host): the whole of BM_FlowPath/16 less its set-up (the generated packets and the detector
# tables' construction), and the collector, record reading and detectors parts of it.
#   bench/flow_instructions.sh [BINARY]   (default build/bin/flow_path_bench; needs valgrind)
set -euo pipefail
bin=${1:-build/bin/flow_path_bench}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
valgrind --tool=callgrind --callgrind-out-file="$out/cg" "$bin" --benchmark_filter='BM_FlowPath/16$' \
  --benchmark_min_time=2 >/dev/null 2>&1
callgrind_annotate --inclusive=yes "$out/cg" >"$out/inclusive"
callgrind_annotate --tree=calling "$out/cg" >"$out/calling"
# Inclusive count of the first function whose line matches $1.
count() { grep -E "$1" "$out/inclusive" | head -1 | awk '{ gsub(",", "", $1); print $1 + 0 }'; }
records=$(grep -E '>.*NetflowRecordDecoder::decode\(std' "$out/calling" | head -1 | grep -oE '\([0-9,]+x\)' | tr -d '(x,)')
if [ -z "$records" ] || [ "$records" -eq 0 ]; then
  echo "no records decoded: is $bin a flow_path_bench?" >&2
  exit 1
fi
bench=$(count 'flow_path_bench.cpp:\(anonymous namespace\)::BM_FlowPath')
setup=$(($(count 'flow_path_bench.cpp:\(anonymous namespace\)::data_packets\(\)') + \
  $(count 'traffic_detectors.cpp:khien::ScanDetector::ScanDetector') + \
  $(count 'traffic_detectors.cpp:khien::VolumeDetector::VolumeDetector') + \
  $(count 'traffic_detectors.cpp:khien::BeaconDetector::BeaconDetector')))
echo "records: $records"
echo "whole path: $(((bench - setup) / records)) instructions a record"
echo "  collector (NetflowPacketHandler::handle): $(($(count 'NetflowPacketHandler::handle\(') / records))"
echo "  record reading (NetflowRecordDecoder::decode): $(($(count 'NetflowRecordDecoder::decode\(std::basic_string_view') / records))"
echo "  detectors (TrafficDetector::detect_batch): $(($(count 'TrafficDetector::detect_batch') / records))"
