#!/usr/bin/env bash
# Every scenario at full size, one after the other (they must not compete for the 2 cores), against the stack
# `cdc up` runs (settings from cdc.yaml/.env/CDC_* as usual). Results: bench/results/<scenario>-*.json.
set -euo pipefail
CDC=${CDC:-.venv/bin/cdc}
OUT=${OUT:-bench/results}
uptime
$CDC bench throughput --events 1000000 --repeat 3 --rowbyrow-events 20000 --out "$OUT"
uptime
$CDC bench apply --sizes 100000,1000000,10000000 --upserts 50000 --deletes 10000 --batches 5 --out "$OUT"
uptime
$CDC bench latency --rates 100,1000,2000,5000 --seconds 20 --out "$OUT"
uptime
$CDC bench latency --rates 100,1000,2000,5000 --seconds 20 --debezium poll.interval.ms=50 --out "$OUT"
uptime
$CDC bench insert --rows 300000 --repeat 2 --out "$OUT"
uptime
$CDC bench backlog --events 5000000 --out "$OUT"
uptime
