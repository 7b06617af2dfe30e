#!/usr/bin/env bash
# TCP throughput (iperf3, both directions) between two VMs on one simulated host, with no nftables ruleset and
# with Skein's firewall for 1000 ports x 20 security-group rules loaded; prints both and their ratio. Needs root,
# nftables and iperf3. Usage: bench/fw/iperf.sh [SECONDS_PER_RUN, default 4]
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
cd "$root"
JAVA_HOME=$("$root/bin/find-jdk")
export JAVA_HOME
mvn -B -q -o test -pl skein-agent -am -Dtest=IperfBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
  -Dfw.iperf.seconds="${1:-4}" 2>&1 | grep -E '^(iperf3|direction|[ab] -> )'
