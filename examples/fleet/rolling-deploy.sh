#!/usr/bin/env bash
# rolling-deploy.sh: hot-upgrades a fleet of Baton nodes behind a load balancer, one node at a time,
# and stops at the first node whose upgrade fails. No ssh of its own: you say how to reach a node.
#
#   rolling-deploy.sh [--pause SECONDS] -- COMMAND...
#       Runs each COMMAND (one per node, through bash -c) in turn. Each must upgrade its node and
#       exit 0 only once the new generation serves, which is what `baton upgrade --wait` and
#       `systemctl reload baton` (examples/systemd) do.
#
#   rolling-deploy.sh [--pause SECONDS] --each TEMPLATE -- HOST...
#       The same with one command per host: TEMPLATE with every {} replaced by the host, e.g.
#       --each 'ssh {} sudo systemctl reload baton' -- app1 app2 app3
#
# Put the new release on every node first (the command the upgrade re-reads, the 'current'
# symlink...); this script only switches them over. --pause waits between nodes (default 0).
#
# Why no load balancer drain here: a Baton upgrade never closes the listening socket and /health
# stays 200 throughout, so the balancer has nothing to notice and no request is refused. Draining
# through the balancer is for taking a node *out* (baton stop, a reboot): see README.md beside this.
#
# Exit status: 0 when every node upgraded; 1 when one failed (the failed node's old generation
# keeps serving, the nodes after it are untouched); 2 on bad usage.
set -euo pipefail

usage() {
    echo "usage: rolling-deploy.sh [--pause SECONDS] [--each TEMPLATE] -- COMMAND-or-HOST..." >&2
    exit 2
}

pause=0
template=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --pause) [[ $# -ge 2 && "$2" =~ ^[0-9]+$ ]] || usage; pause="$2"; shift 2 ;;
        --each) [[ $# -ge 2 && "$2" == *"{}"* ]] || usage; template="$2"; shift 2 ;;
        --) shift; break ;;
        *) usage ;;
    esac
done
[[ $# -ge 1 ]] || usage

total=$#
n=0
for node in "$@"; do
    n=$((n + 1))
    command="$node"
    if [[ -n "$template" ]]; then
        command="${template//\{\}/$node}"
    fi
    echo "rolling-deploy: node $n of $total: $command"
    started=$(date +%s%N)
    if ! bash -c "$command"; then
        echo "rolling-deploy: node $n of $total FAILED: $command" >&2
        echo "rolling-deploy: stopping here; $((n - 1)) node(s) upgraded, $((total - n)) untouched" >&2
        exit 1
    fi
    echo "rolling-deploy: node $n of $total upgraded in $(( ($(date +%s%N) - started) / 1000000 )) ms"
    if [[ $n -lt $total && $pause -gt 0 ]]; then
        sleep "$pause"
    fi
done
echo "rolling-deploy: all $total nodes upgraded"
