#!/usr/bin/env bash
# Benchmark harness (benches/README.md): on one machine, in one run, times
#   - minpriv check (all rules, JSON to /dev/null) on generated orgs,
#   - the raw scan (quick-xml tokenizer only, same files, same threads): the floor,
#   - the Python baseline (xml.etree + process pool: ADM001, PRF001, NET001),
# reports peak RSS of each, MB/s, time per MB at each size, the ratios
# minpriv / raw scan and Python / minpriv, and the small case
# (minpriv check testdata/acme, median of 30 runs).
#
# and then, on a corpus directory when one is given (issue 14):
#   - check --no-cache on the whole corpus against the raw scan of the same
#     files (best of RUNS, back to back), peak RSS against the input size,
#   - on its largest org: text, audit report (HTML, Markdown) and JSON,
#     cold (--no-cache) and cached, as ratios to the JSON run,
#   - the pre-commit case on a scratch copy of that org: the cache warm,
#     one file changed before each run, default text output.
# Ratios are what to compare: the machine may be shared, so each pair is
# timed back to back and the best run of each is kept.
#
#   benches/run.sh                 # 100MB 500MB 1GB
#   SIZES="100MB" benches/run.sh   # quicker
#   SIZES= benches/run.sh /work/corpus-dev   # only the corpus part
#
# Needs hyperfine (apt-get install hyperfine) and GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES-"100MB 500MB 1GB"}
CORPUS=${1:-}
THREADS=${THREADS:-$(nproc)}
RUNS=${RUNS:-3}
WORK=${BENCH_DIR:-target/bench-orgs}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)

command -v hyperfine >/dev/null || { echo "benches/run.sh needs hyperfine (apt-get install hyperfine)"; exit 2; }
[ -x /usr/bin/time ] || { echo "benches/run.sh needs GNU time (apt-get install time)"; exit 2; }

# BIN, RAW and GEN may name binaries already built (then nothing is built).
if [ -z "${BIN:-}" ]; then
    cargo build --release --locked --bin minpriv --example generate_org --example raw_scan >/dev/null
fi
BIN=${BIN:-target/release/minpriv}
RAW=${RAW:-target/release/examples/raw_scan}
GEN=${GEN:-target/release/examples/generate_org}

# Mean wall time (s) of a command, from hyperfine's JSON.
mean() {
    local json="$WORK/hyperfine.json"
    hyperfine --style none --warmup 1 --runs "$RUNS" -N --ignore-failure --export-json "$json" "$1" >/dev/null 2>&1
    python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['results'][0]['mean'])" "$json"
}

# Peak RSS (KB) of one run.
rss() {
    /usr/bin/time -f "%M" -o "$WORK/rss" bash -c "$1" >/dev/null 2>&1 || true
    tail -1 "$WORK/rss"
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; threads: $THREADS; commit: $(git rev-parse --short HEAD); date: $(date -u +%F)"
[ -n "$SIZES" ] && printf "\n%-7s %9s %9s %9s %9s %8s %9s %9s %9s %10s %10s %10s\n" \
    size MB raw_s check_s python_s ratio py/check check_MB/s ms/MB raw_RSS_MB check_RSS_MB RSS%input
for size in $SIZES; do
    org="$WORK/org-$size"
    [ -d "$org" ] || "$GEN" --size "$size" --out "$org" >/dev/null
    bytes=$(find "$org" -type f \( -name '*.xml' -o -name '*.profile' -o -name '*.permissionset' \) -printf '%s\n' | awk '{s+=$1} END {print s}')
    mb=$(python3 -c "print($bytes/1e6)")
    raw=$(mean "$RAW --threads $THREADS $org")
    check=$(mean "$BIN check $org --threads $THREADS --format json -o /dev/null --quiet --no-cache")
    py=$(mean "python3 benches/baseline.py $org")
    raw_rss=$(rss "$RAW --threads $THREADS $org")
    check_rss=$(rss "$BIN check $org --threads $THREADS --format json -o /dev/null --quiet --no-cache")
    python3 - "$size" "$mb" "$raw" "$check" "$py" "$raw_rss" "$check_rss" <<'PY'
import sys
size, mb, raw, check, py, raw_rss, check_rss = sys.argv[1], *map(float, sys.argv[2:])
print(f"{size:<7} {mb:9.1f} {raw:9.3f} {check:9.3f} {py:9.3f} {check/raw:8.2f} {py/check:9.2f} "
      f"{mb/check:9.1f} {check*1000/mb:9.2f} {raw_rss/1024:10.1f} {check_rss/1024:10.1f} {100*check_rss*1024/(mb*1e6):9.1f}%")
PY
done

# Best (shortest) wall time (s) of a command over RUNS runs; extra
# arguments go to hyperfine (--prepare).
best() {
    local json="$WORK/hyperfine.json" cmd=$1
    shift
    hyperfine --style none --warmup 1 --runs "$RUNS" -N --ignore-failure "$@" --export-json "$json" "$cmd" >/dev/null 2>&1
    python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results'][0]; print(min(r['times']))" "$json"
    python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results'][0]; print(r['user']+r['system'])" "$json" >"$WORK/cpu"
}

if [ -n "$SIZES" ]; then
    printf "\n%-7s %9s %9s %9s %9s\n" size json_s text_s text/json cached_text/json
    for size in $SIZES; do
        org="$WORK/org-$size"
        json=$(best "$BIN check $org --threads $THREADS --format json -o /dev/null --quiet --no-cache")
        text=$(best "$BIN check $org --threads $THREADS -o /dev/null --quiet --no-cache")
        cached=$(best "$BIN check $org --threads $THREADS -o /dev/null --quiet")
        python3 -c "import sys; j,t,c=map(float,sys.argv[2:]); print(f'{sys.argv[1]:<7} {j:9.3f} {t:9.3f} {t/j:9.2f} {c/j:9.2f}')" "$size" "$json" "$text" "$cached"
    done
fi

if [ -n "$CORPUS" ]; then
    bytes=$(find "$CORPUS" -type f \( -name '*.xml' -o -name '*.profile' -o -name '*.permissionset' -o -name '*.permissionsetgroup' -o -name '*.mutingpermissionset' -o -name '*.connectedApp' -o -name '*.namedCredential' -o -name '*.externalCredential' \) -printf '%s\n' | awk '{s+=$1} END {print s}')
    mb=$(python3 -c "print($bytes/1e6)")
    echo
    echo "corpus $CORPUS: $($RAW --threads "$THREADS" "$CORPUS")"
    printf "%-28s %9s %9s %9s\n" what raw_s check_s check/raw
    for format in json text; do
        raw=$(best "$RAW --threads $THREADS $CORPUS")
        check=$(best "$BIN check $CORPUS --threads $THREADS --format $format -o /dev/null --quiet --no-cache")
        python3 -c "import sys; r,c=map(float,sys.argv[2:]); print(f'{sys.argv[1]:<28} {r:9.3f} {c:9.3f} {c/r:9.2f}')" "check --format $format" "$raw" "$check"
    done
    check_rss=$(rss "$BIN check $CORPUS --threads $THREADS --format json -o /dev/null --quiet --no-cache")
    python3 -c "import sys; mb,kb=map(float,sys.argv[1:]); print(f'input {mb:.1f} MB, check peak RSS {kb/1024:.1f} MB = {100*kb*1024/(mb*1e6):.1f} % of the input')" "$mb" "$check_rss"

    # The largest org (a directory of the corpus).
    org=$(du -s "$CORPUS"/*/ | sort -n | tail -1 | cut -f2)
    org=${org%/}
    echo
    echo "largest org: $(basename "$org") ($(du -sm "$org" | cut -f1) MB)"
    printf "%-38s %9s %9s %9s %9s\n" what best_s /json cpu_s cpu/json
    json=$(best "$BIN check $org --threads $THREADS --format json -o /dev/null --quiet --no-cache")
    json_cpu=$(cat "$WORK/cpu")
    # row LABEL COMMAND [hyperfine options]: best wall time and mean CPU
    # time (user + system), and both as ratios to the cold JSON run.
    row() {
        local label=$1 t
        shift
        t=$(best "$@")
        python3 -c "import sys; t,j,c,jc=map(float,sys.argv[2:]); print(f'{sys.argv[1]:<38} {t:9.3f} {t/j:9.2f} {c:9.3f} {c/jc:9.2f}')" "$label" "$t" "$json" "$(cat "$WORK/cpu")" "$json_cpu"
    }
    row "check --format json (cold)" "$BIN check $org --threads $THREADS --format json -o /dev/null --quiet --no-cache"
    row "check text (cold)" "$BIN check $org --threads $THREADS -o /dev/null --quiet --no-cache"
    row "report --format html" "$BIN report $org --threads $THREADS --format html -o $WORK/report.html --quiet"
    row "report --format markdown" "$BIN report $org --threads $THREADS --format markdown -o $WORK/report.md --quiet"

    # pre-commit: a scratch copy (never in the repository), the cache
    # warm, one profile changed before each timed run.
    scratch="$WORK/precommit-org"
    rm -rf "$scratch"
    cp -r "$org" "$scratch"
    sleep 3
    bin_abs=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
    (cd "$scratch" && "$bin_abs" check . --quiet >/dev/null 2>&1; "$bin_abs" check . --quiet >/dev/null 2>&1) || true
    one=$(find "$scratch" -type f -name '*.profile*' | sort | head -1)
    cd "$scratch"
    row "check json, cached, nothing changed" "$bin_abs check . --threads $THREADS --format json -o /dev/null --quiet"
    row "check text, cached, nothing changed" "$bin_abs check . --threads $THREADS -o /dev/null --quiet"
    # The changed file is read again; the cache is written again once it
    # has settled (each run here comes right after the change).
    row "pre-commit: text, one file changed" "$bin_abs check . --threads $THREADS -o /dev/null --quiet" --prepare "sh -c 'echo >> \"$one\"'"
    row "pre-commit: same, change settled" "$bin_abs check . --threads $THREADS -o /dev/null --quiet" --prepare "sh -c 'echo >> \"$one\"; sleep 2.2'"
    cd - >/dev/null
    rm -rf "$scratch"
fi

json="$WORK/acme.json"
hyperfine --style none --warmup 3 --runs 30 -N --ignore-failure --export-json "$json" "$BIN check testdata/acme --quiet --no-cache" >/dev/null
python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results'][0]; print(f'\nsmall case: check testdata/acme median {r[\"median\"]*1000:.1f} ms (min {r[\"min\"]*1000:.1f}, max {r[\"max\"]*1000:.1f}, 30 runs)')" "$json"
