#!/usr/bin/env bash
# Benchmark harness (SPEC §8): on one machine, in one run, times
#   - minpriv check (all rules, JSON to /dev/null) on generated orgs,
#   - the raw scan (quick-xml tokenizer only, same files, same threads): the floor,
#   - the Python baseline (xml.etree + process pool: ADM001, PRF001, NET001),
# reports peak RSS of each, MB/s, time per MB at each size, the ratios
# minpriv / raw scan and Python / minpriv, and the small case
# (minpriv check testdata/acme, median of 30 runs).
#
#   benches/run.sh                 # 100MB 500MB 1GB
#   SIZES="100MB" benches/run.sh   # quicker
#
# Needs hyperfine (apt-get install hyperfine) and GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"100MB 500MB 1GB"}
THREADS=${THREADS:-$(nproc)}
RUNS=${RUNS:-3}
WORK=${BENCH_DIR:-target/bench-orgs}
mkdir -p "$WORK"

command -v hyperfine >/dev/null || { echo "benches/run.sh needs hyperfine (apt-get install hyperfine)"; exit 2; }
[ -x /usr/bin/time ] || { echo "benches/run.sh needs GNU time (apt-get install time)"; exit 2; }

cargo build --release --locked --bin minpriv --example generate_org --example raw_scan >/dev/null
BIN=target/release/minpriv
RAW=target/release/examples/raw_scan

# Mean wall time (s) of a command, from hyperfine's JSON.
mean() {
    local json="$WORK/hyperfine.json"
    hyperfine --style none --warmup 1 --runs "$RUNS" -N --ignore-failure --export-json "$json" "$1" >/dev/null
    python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['results'][0]['mean'])" "$json"
}

# Peak RSS (KB) of one run.
rss() {
    /usr/bin/time -f "%M" -o "$WORK/rss" bash -c "$1" >/dev/null 2>&1 || true
    tail -1 "$WORK/rss"
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; threads: $THREADS; commit: $(git rev-parse --short HEAD); date: $(date -u +%F)"
printf "\n%-7s %9s %9s %9s %9s %8s %9s %9s %9s %10s %10s %10s\n" \
    size MB raw_s check_s python_s ratio py/check check_MB/s ms/MB raw_RSS_MB check_RSS_MB RSS%input
for size in $SIZES; do
    org="$WORK/org-$size"
    [ -d "$org" ] || target/release/examples/generate_org --size "$size" --out "$org" >/dev/null
    bytes=$(find "$org" -type f \( -name '*.xml' -o -name '*.profile' -o -name '*.permissionset' \) -printf '%s\n' | awk '{s+=$1} END {print s}')
    mb=$(python3 -c "print($bytes/1e6)")
    raw=$(mean "$RAW --threads $THREADS $org")
    check=$(mean "$BIN check $org --threads $THREADS --format json -o /dev/null --quiet")
    py=$(mean "python3 benches/baseline.py $org")
    raw_rss=$(rss "$RAW --threads $THREADS $org")
    check_rss=$(rss "$BIN check $org --threads $THREADS --format json -o /dev/null --quiet")
    python3 - "$size" "$mb" "$raw" "$check" "$py" "$raw_rss" "$check_rss" <<'PY'
import sys
size, mb, raw, check, py, raw_rss, check_rss = sys.argv[1], *map(float, sys.argv[2:])
print(f"{size:<7} {mb:9.1f} {raw:9.3f} {check:9.3f} {py:9.3f} {check/raw:8.2f} {py/check:9.2f} "
      f"{mb/check:9.1f} {check*1000/mb:9.2f} {raw_rss/1024:10.1f} {check_rss/1024:10.1f} {100*check_rss*1024/(mb*1e6):9.1f}%")
PY
done

json="$WORK/acme.json"
hyperfine --style none --warmup 3 --runs 30 -N --ignore-failure --export-json "$json" "$BIN check testdata/acme --quiet" >/dev/null
python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results'][0]; print(f'\nsmall case: check testdata/acme median {r[\"median\"]*1000:.1f} ms (min {r[\"min\"]*1000:.1f}, max {r[\"max\"]*1000:.1f}, 30 runs)')" "$json"
