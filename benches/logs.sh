#!/usr/bin/env bash
# Usage-log benchmark (benches/README.md): on one machine, in one run, times
#   - minpriv check --select USE (reading the org snapshot's event logs
#     into per-user aggregates, then USE001–USE003) on generated logs,
#   - the plain `csv` crate scan of the same files, same threads: the floor,
# and reports rows/s, MB/s, the ratio check / scan, and the peak RSS of each.
#
#   benches/logs.sh                      # 10 million rows in 40 files
#   ROWS=1000000 FILES=10 benches/logs.sh
#
# Needs hyperfine and GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${ROWS:-10000000}
FILES=${FILES:-40}
THREADS=${THREADS:-$(nproc)}
RUNS=${RUNS:-3}
WORK=${BENCH_DIR:-target/bench-logs}
DIR="$WORK/logs-$ROWS"
mkdir -p "$WORK"

cargo build --release --locked --bin minpriv --example generate_logs --example raw_log_scan >/dev/null
BIN=target/release/minpriv
RAW=target/release/examples/raw_log_scan
[ -d "$DIR" ] || target/release/examples/generate_logs --rows "$ROWS" --files "$FILES" --out "$DIR"

mean() {
    local json="$WORK/hyperfine.json"
    hyperfine --style none --warmup 1 --runs "$RUNS" -N --ignore-failure --export-json "$json" "$1" >/dev/null
    python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['results'][0]['mean'])" "$json"
}
rss() {
    /usr/bin/time -f "%M" -o "$WORK/rss" bash -c "$1" >/dev/null 2>&1 || true
    tail -1 "$WORK/rss"
}

CHECK="$BIN check $DIR --org-data $DIR/org-snapshot --select USE --threads $THREADS --format json -o /dev/null --quiet --max-file-size 1GiB"
SCAN="$RAW --threads $THREADS $DIR/org-snapshot"
bytes=$(find "$DIR/org-snapshot" -name '0AT*.csv' -printf '%s\n' | awk '{s+=$1} END {print s}')
echo "machine: $(nproc) cores; threads: $THREADS; commit: $(git rev-parse --short HEAD); date: $(date -u +%F)"
echo "input: $ROWS rows, $FILES files, $(python3 -c "print(round($bytes/1e6, 1))") MB"
scan=$(mean "$SCAN")
check=$(mean "$CHECK")
scan_rss=$(rss "$SCAN")
check_rss=$(rss "$CHECK")
python3 - "$ROWS" "$bytes" "$scan" "$check" "$scan_rss" "$check_rss" <<'PY'
import sys
rows, b, scan, check, scan_rss, check_rss = map(float, sys.argv[1:])
mb = b / 1e6
print("| | s | rows/s | MB/s | peak RSS MB |")
print("|---|---|---|---|---|")
print(f"| plain csv scan | {scan:.2f} | {rows/scan/1e6:.2f} M | {mb/scan:.0f} | {scan_rss/1024:.1f} |")
print(f"| minpriv check --select USE | {check:.2f} | {rows/check/1e6:.2f} M | {mb/check:.0f} | {check_rss/1024:.1f} |")
print(f"check / scan: {check/scan:.2f} x")
PY
