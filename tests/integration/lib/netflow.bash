# Flow tests' shared steps: the collector's port from the start log, and softflowd exporting a pcap to it.
# Sourced after common.bash; pcap_writer.py beside this file writes the pcaps (PYTHONPATH=$NETFLOW_LIB).

NETFLOW_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
command -v softflowd >/dev/null || fail "softflowd is not installed (scripts/bootstrap installs it)"

# read_netflow_port: sets NETFLOW_PORT to the UDP port khien printed after `start_khien ... --netflow 127.0.0.1:0`.
read_netflow_port() {
  NETFLOW_PORT=$(grep -o 'netflow listening on [0-9.:]*' "$WORK/server.log.start" | tail -1 | sed 's/.*://')
  [ -n "$NETFLOW_PORT" ] || fail "khien did not print its netflow address"
}

# softflowd_export PCAP VERSION FLOWS PORT NAME: softflowd reads PCAP and exports its FLOWS flows as NetFlow
# VERSION (5, 9, 10 for IPFIX) to 127.0.0.1:PORT, logging to $WORK/NAME.log. At the end of the file softflowd
# exports what it tracks and exits; some runs keep waiting instead (timeouts run on packet time), and a
# shutdown over the control socket ends them once it tracks FLOWS flows.
softflowd_export() {
  local pcap=$1 version=$2 flows=$3 port=$4 name=$5
  local ctl=$WORK/$name.ctl log=$WORK/$name.log sf_pid
  softflowd -d -a -r "$pcap" -n 127.0.0.1:"$port" -v "$version" -p "$WORK/$name.pid" -c "$ctl" >"$log" 2>&1 &
  sf_pid=$!
  EXTRA_PIDS+=("$sf_pid")
  for _ in $(seq 1 100); do
    kill -0 "$sf_pid" 2>/dev/null || break
    [ -S "$ctl" ] && [ "$(softflowctl -c "$ctl" dump-flows 2>/dev/null | grep -c '^ACTIVE')" = "$flows" ] && break
    sleep 0.1
  done
  if kill -0 "$sf_pid" 2>/dev/null; then softflowctl -c "$ctl" shutdown >/dev/null || true; fi
  for _ in $(seq 1 100); do kill -0 "$sf_pid" 2>/dev/null || break; sleep 0.1; done
  wait "$sf_pid" || true
  grep -q "Flows exported: $flows " "$log" || { cat "$log"; fail "softflowd -v $version did not export the $flows flows"; }
}
