#!/usr/bin/env bash
# Times realising Skein's nftables firewall on one simulated host (a network namespace) with 1, 100 and 1000
# ports of 20 security-group rules each: the first full apply, a full reconcile with nothing to change, and
# single changes (add/remove a port, change a port's groups, add a remote-group member) both as incremental
# updates and as full reconciles. Needs root and nftables. Usage: bench/fw/run.sh [PORT_COUNTS, e.g. 1,100,1000]
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
cd "$root"
JAVA_HOME=$("$root/bin/find-jdk")
export JAVA_HOME
mvn -B -q -o test -pl skein-agent -am -Dtest=FirewallBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
  -Dfw.bench.ports="${1:-1,100,1000}" 2>&1 | grep -E '^ *(ports|[0-9]+ )'
