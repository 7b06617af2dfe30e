#!/usr/bin/env bash
# Times realising one router on a simulated network node (a network namespace) with 50 interfaces and 500
# floating IPs: from scratch, by a restarted agent (a second realiser that reads everything back and changes
# nothing), a read-back and an update with nothing to change, and adding or removing one floating IP.
# Needs root, iproute2, nftables and arping. Usage: bench/l3/run.sh [INTERFACES [FLOATING_IPS]]
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
cd "$root"
JAVA_HOME=$("$root/bin/find-jdk")
export JAVA_HOME
mvn -B -q -o test -pl skein-agent -am -Dtest=RouterBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
  -Dl3.bench.interfaces="${1:-50}" -Dl3.bench.fips="${2:-500}" 2>&1 | grep -E '^ *(interfaces|[0-9]+ )'
