#!/usr/bin/env bash
# Benchmarks Skein's port creation against a fresh all-in-one server started for each scenario run.
#
#   bench/run.sh [--scenario ports|perf|all|cost|crash|netnode] [--ports N] [--concurrency C] [--repeat K] [--out DIR] ...
#
# Each run builds Skein if needed (through ./skein), starts `./skein all-in-one` on a free 127.0.0.1 port with an
# empty temporary data directory, waits until GET / answers 200, runs the scenario, then stops the server with
# SIGTERM and removes the data directory, also when something fails; the netnode scenario (root only) starts and
# removes its own server and namespaces. `bench/run.sh --help` lists the options.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)

usage() {
  cat <<EOF
usage: bench/run.sh [options]
  --scenario S       ports: bench/ports.py (the default); perf: the peer load generator, if present;
                     all: ports then perf; cost: server CPU per request by kind (bench/request_cost.py);
                     crash: do acknowledged creates survive a SIGKILL (bench/durability.py);
                     netnode: DHCP lease, floating IP and big-router latencies (bench/netnode_latency.py, root)
  --ports N          ports per phase (default 2000; cost: requests of each kind, 2000; crash: 300;
                     netnode: samples per measurement, 40)
  --concurrency C    clients in the concurrent phase (default 16)
  --phases LIST      ports scenario only: sequential,concurrent (default both, in that order)
  --warmup W         ports scenario only: ports created and deleted before measuring (default 1000)
  --no-keepalive     ports scenario only: a new connection for every request (as the peer load generator does)
  --repeat K         run the scenarios K times, in turn, each on a fresh server (default 1)
  --perf-script F    the peer load generator (default: ../shared/peers/neutron/perf.py beside the repository)
  --config FILE      server configuration (skein.yaml) to run with; \${DATA_DIR} in it becomes the data directory
  --java-opts OPTS   JVM options for the server (added to \$SKEIN_JAVA_OPTS)
  --jfr              record a JFR profile of the server (needs --out); a hot-method summary is written beside it
  --out DIR          keep results there: JSON, console output, server log (and profiles)
EOF
}

scenario=ports ports= concurrency=16 phases=sequential,concurrent warmup=1000 repeat=1 out= jfr=0 config= keepalive=()
perf_script="$root/../shared/peers/neutron/perf.py"
java_opts=${SKEIN_JAVA_OPTS:-}
while [ $# -gt 0 ]; do
  case "$1" in
    --scenario) scenario=$2; shift 2 ;;
    --ports) ports=$2; shift 2 ;;
    --concurrency) concurrency=$2; shift 2 ;;
    --phases) phases=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --no-keepalive) keepalive=(--no-keepalive); shift ;;
    --repeat) repeat=$2; shift 2 ;;
    --perf-script) perf_script=$2; shift 2 ;;
    --config) config=$2; shift 2 ;;
    --java-opts) java_opts="$java_opts $2"; shift 2 ;;
    --jfr) jfr=1; shift ;;
    --out) out=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; usage >&2; exit 64 ;;
  esac
done
case "$scenario" in
  ports|perf|cost|crash|netnode) scenarios=("$scenario") ;;
  all) scenarios=(ports perf) ;;
  *) echo "run.sh: --scenario must be ports, perf, all, cost, crash or netnode" >&2; exit 64 ;;
esac
if [[ " ${scenarios[*]} " == *" perf "* ]] && [ ! -f "$perf_script" ]; then
  if [ "$scenario" = perf ]; then
    echo "run.sh: no peer load generator at $perf_script (use --perf-script)" >&2; exit 66
  fi
  echo "run.sh: no peer load generator at $perf_script; running the ports scenario only" >&2
  scenarios=(ports)
fi
if [ "$jfr" = 1 ] && [ -z "$out" ]; then echo "run.sh: --jfr needs --out DIR" >&2; exit 64; fi
if [ -n "$config" ] && [ ! -f "$config" ]; then echo "run.sh: no config file $config" >&2; exit 66; fi
if [ -n "$out" ]; then mkdir -p "$out"; out=$(cd "$out" && pwd); fi

password=${SKEIN_ADMIN_PASSWORD:-bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')}
export SKEIN_ADMIN_PASSWORD=$password

tmp= pid= url= child=
# Clients run in the background and are waited for, so that SIGTERM or Ctrl-C reach the traps at once.
run_child() {
  local rc=0
  "$@" &
  child=$!
  wait "$child" || rc=$?
  child=
  return "$rc"
}
stop_server() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "run.sh: server $pid ignored SIGTERM for 30 s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  fi
  pid=
}
cleanup() {
  if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null || true; wait "$child" 2>/dev/null || true; child=; fi
  stop_server
  if [ -n "$tmp" ]; then rm -rf "$tmp"; fi
  tmp=
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Building here keeps compile time out of the start-up wait below.
"$root/skein" --version >/dev/null

new_data_dir() {
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/skein-bench.XXXXXX")
  mkdir "$tmp/data"
  if [ -n "$config" ]; then
    DATA_DIR="$tmp/data" python3 -c \
      'import os, sys; sys.stdout.write(open(sys.argv[1]).read().replace("${DATA_DIR}", os.environ["DATA_DIR"]))' \
      "$config" >"$tmp/data/skein.yaml"
  fi
}

start_server() {  # $1: name for the log and profile files; serves $tmp/data on a free port
  local port opts=$java_opts
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  url="http://127.0.0.1:$port"
  if [ "$jfr" = 1 ]; then
    opts="$opts -XX:StartFlightRecording=filename=$out/$1.jfr,settings=profile,dumponexit=true"
  fi
  SKEIN_JAVA_OPTS="$opts" "$root/skein" all-in-one --listen "127.0.0.1:$port" --data-dir "$tmp/data" \
    >>"$tmp/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 600); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/" || true)" = 200 ]; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "run.sh: the server exited during start-up:" >&2; tail -n 40 "$tmp/server.log" >&2; return 1
    fi
    sleep 0.1
  done
  echo "run.sh: the server did not answer GET / within 60 s:" >&2; tail -n 40 "$tmp/server.log" >&2
  return 1
}

crash_scenario() {  # creates ports, kills the server with SIGKILL, restarts it on the same data and counts
  local state="$tmp/durability.json"
  run_child python3 "$root/bench/durability.py" create --url "$url" --password "$password" --count "${ports:-300}" \
    --state "$state" --kill-pid "$pid" || return
  wait "$pid" 2>/dev/null || true
  pid=
  start_server "$1-restarted" || return
  run_child python3 "$root/bench/durability.py" check --url "$url" --password "$password" --state "$state"
}

run_scenario() {  # $1: scenario, $2: run number; runs where errexit is off, so every step checks itself
  local name="$1-$2" status=0
  if [ "$1" = netnode ]; then
    local args=(--samples "${ports:-40}")
    if [ -n "$out" ]; then args+=(--out "$out/$name.json" --keep-logs "$out/$name.logs"); fi
    run_child python3 "$root/bench/netnode_latency.py" "${args[@]}" || status=$?
    return "$status"
  fi
  new_data_dir && start_server "$name" || { cleanup; return 1; }
  echo "== $name: Skein at $url (pid $pid), data in $tmp/data, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  local json_arg=()
  if [ -n "$out" ]; then json_arg=(--json "$out/$name.json"); fi
  case "$1" in
    ports)
      run_child python3 "$root/bench/ports.py" --url "$url" --password "$password" --server-pid "$pid" \
        --ports "${ports:-2000}" --concurrency "$concurrency" --phases "$phases" --warmup "$warmup" \
        "${keepalive[@]}" "${json_arg[@]}" || status=$? ;;
    perf)
      run_child python3 "$perf_script" --url "$url" --auth-url "$url/identity/v3" --password "$password" --project admin \
        --ports "${ports:-2000}" --concurrency "$concurrency" || status=$? ;;
    cost)
      run_child python3 "$root/bench/request_cost.py" --url "$url" --password "$password" --server-pid "$pid" \
        --requests "${ports:-2000}" || status=$? ;;
    crash)
      crash_scenario "$name" || status=$? ;;
  esac
  stop_server
  if [ -n "$out" ]; then cp "$tmp/server.log" "$out/$name.server.log"; fi
  cleanup
  if [ "$jfr" = 1 ] && [ -f "$out/$name.jfr" ]; then
    "$("$root/bin/find-jdk")/bin/jfr" view --width 160 hot-methods "$out/$name.jfr" >"$out/$name.hot-methods.txt" 2>&1
  fi
  return "$status"
}

overall=0
for r in $(seq 1 "$repeat"); do
  for s in "${scenarios[@]}"; do
    rc=0
    if [ -n "$out" ]; then
      run_scenario "$s" "$r" > >(tee "$out/$s-$r.txt") 2>&1 || rc=$?
    else
      run_scenario "$s" "$r" || rc=$?
    fi
    if [ "$rc" != 0 ]; then echo "run.sh: $s run $r exited with $rc" >&2; overall=$rc; fi
  done
done
exit "$overall"
