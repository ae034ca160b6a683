#!/usr/bin/env bash
# bench/scaleout.sh: the rolling upgrade of tests/integration/test_scaleout.py
# under a heavier, longer load: three hornet hosts (network namespaces, veth
# pairs) behind HAProxy (PROXY v2, health checks on /healthz) and then nginx
# (proxy_next_upstream off), wrk on CONNECTIONS keep-alive connections plus
# a POSTing client, for at most DURATION; the roll (USR2 on host 1, config
# change + HUP on host 2, TERM with shutdown_delay and a restart of host 3)
# runs ROUNDS times while the load runs, and the load stops once it is done. Reports per
# balancer the requests served and the failed ones, counted on the clients'
# side (wrk's non-2xx and socket errors, every POST's answer checked).
# Target: 0 failed. Needs root. Knobs: BALANCERS (haproxy nginx),
# CONNECTIONS (32), ROUNDS (3: the roll repeated), DURATION (120 s, the
# load's upper bound).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=${BUILD:-$here/../build}
BALANCERS=${BALANCERS:-haproxy nginx}
CONNECTIONS=${CONNECTIONS:-32}
DURATION=${DURATION:-120}
ROUNDS=${ROUNDS:-3}

[ "$(id -u)" -eq 0 ] || { echo "bench/scaleout.sh: needs root (network namespaces)" >&2; exit 2; }
export HORNET_BIN=$build/bin/hornet HORNET_PLUGIN_DIR=$build/lib/hornet/plugins
rc=0
for balancer in $BALANCERS; do
  /usr/bin/python3 -B "$here/../tests/integration/scaleout.py" --balancer "$balancer" \
    --connections "$CONNECTIONS" --seconds "$DURATION" --rounds "$ROUNDS" || rc=1
done
exit $rc
