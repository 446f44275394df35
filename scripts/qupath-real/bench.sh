#!/usr/bin/env bash
# Apply speed through a REAL QuPath against the `tessera apply` command, same slide and model.
#
# usage: scripts/qupath-real/bench.sh QUPATH_LIB_DIR SLIDE MODEL [TESSERA_JAR]
#        (TESSERA_JAR defaults to qupath-extension/target/qupath-extension-tessera-0.1.0.jar)
#
# QUPATH_LIB_DIR is a runnable QuPath classpath (as for scripts/qupath-real.sh). The slide is opened
# with QuPath's own server for it, which must be OpenSlide (QuPath's qupath-extension-openslide with a
# libopenslide 4.x it can load): when QUPATH_LIB_DIR holds no qupath-extension-openslide jar, set
# QUPATH_OPENSLIDE_DIR to a folder of jars (the extension, and one carrying
# linux-x86-64/libopenslide.so for JNA) that is added to the classpath as QuPath ships it. (QuPath's
# release bundles both; a source build of QuPath needs its qupath-extension-openslide module and a
# libopenslide 4.x, e.g. the libopenslide.so.1 of the PyPI wheel openslide-bin.)
#
# Each repetition runs, one after the other (nothing in parallel, nothing niced):
#   cli      `tessera apply --model MODEL --slide SLIDE --out X.geojson` (wall time of the process,
#            tiles counted from the GeoJSON), before and after every QuPath JVM
#   native   QuPath, Tessera's default: JPEG-tiled TIFF pyramids read by the native core
#   cached   QuPath, -Dtessera.nativeReads=false (every tile through ImageServer.readRegion) with the
#            tile cache that QuPath's `script` command sets up: first apply cold, second warm
#   nocache  QuPath, -Dtessera.nativeReads=false and no tile cache
# each QuPath case in its own JVM, applying twice (run 1 = first apply in a fresh QuPath, run 2 = again);
# see bench/apply-bench.groovy. A ratio is a QuPath run's tiles/s over the mean tiles/s of the CLI runs
# just before and after its JVM (the machine's load drifts), and the table gives the median over
# repetitions; the same for tiles per CPU-second (process CPU time, all threads), which depends less on
# what else the machine runs. Then (BENCH_PROFILE=1) one more nocache JVM, whose
# threads' stacks are sampled from inside (Thread.getAllStackTraces), says where its time goes.
#
# Environment: BENCH_REPS (3), BENCH_WORK=DIR (default: a new temporary folder), TESSERA (the CLI;
# default target/release/tessera), QUPATH_JAVA (else QUPATH_LIB_DIR/../java-home, else a JDK >= 21),
# BENCH_JAVA_OPTS (default -Xmx4g: QuPath's script command gives 25 % of it to the tile cache),
# BENCH_PROFILE (1), BENCH_SAMPLE_MS (20: milliseconds between stack samples).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
usage="usage: scripts/qupath-real/bench.sh QUPATH_LIB_DIR SLIDE MODEL [TESSERA_JAR]"
lib=${1:?$usage}
slide=${2:?$usage}
model=${3:?$usage}
jar=${4:-$root/qupath-extension/target/qupath-extension-tessera-0.1.0.jar}
lib=$(cd "$lib" && pwd) || { echo "bench: no folder $1" >&2; exit 2; }
for f in "$slide" "$model" "$jar"; do [ -f "$f" ] || { echo "bench: no file $f" >&2; exit 2; }; done
slide=$(realpath "$slide"); model=$(realpath "$model"); jar=$(realpath "$jar")
tessera=${TESSERA:-$root/target/release/tessera}
[ -x "$tessera" ] || { echo "bench: no CLI $tessera (cargo build --release -p tessera-cli)" >&2; exit 2; }
reps=${BENCH_REPS:-3}

cp_extra=
if ! ls "$lib"/qupath-extension-openslide-*.jar >/dev/null 2>&1; then
  [ -n "${QUPATH_OPENSLIDE_DIR:-}" ] && ls "$QUPATH_OPENSLIDE_DIR"/*.jar >/dev/null 2>&1 || {
    echo "bench: $lib has no qupath-extension-openslide jar; set QUPATH_OPENSLIDE_DIR to a folder with it and libopenslide" >&2; exit 2; }
  cp_extra=:$(cd "$QUPATH_OPENSLIDE_DIR" && pwd)/*
fi
if [ -n "${QUPATH_JAVA:-}" ]; then
  qjava=$QUPATH_JAVA
elif [ -f "$lib/../java-home" ]; then
  qjava=$(cat "$lib/../java-home")/bin/java
else
  qjava=$(command -v java)
fi

work=${BENCH_WORK:-$(mktemp -d /tmp/tessera-bench.XXXXXX)}
mkdir -p "$work/home" "$work/logs" "$work/user/extensions"
cp "$jar" "$work/user/extensions/"
results=$work/results.tsv
printf 'rep\tseq\tcase\ttiles\tseconds\tcpu\n' > "$results"

qversion=$(unzip -p "$(ls "$lib"/qupath-gui-fx-*.jar | head -1)" META-INF/MANIFEST.MF | sed -n 's/^Implementation-Version: *//p' | tr -d '\r')
echo "bench: QuPath ${qversion:-?} ($lib${cp_extra:+ + ${cp_extra#:}}) on $("$qjava" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.runtime.version = //p')"
echo "bench: Tessera jar $jar; CLI $tessera"
echo "bench: slide $slide; model $model; $reps repetitions; work folder $work"
echo "bench: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

qupath() { # log jvm-options… -- script-args…
  local log=$1; shift
  local opts=()
  while [ "$1" != -- ]; do opts+=("$1"); shift; done
  shift
  local args=()
  for a in "$@"; do args+=(-a "$a"); done
  (cd "$work" && "$qjava" --enable-native-access=ALL-UNNAMED -Duser.home="$work/home" -Djava.awt.headless=true \
    ${BENCH_JAVA_OPTS:--Xmx4g} "${opts[@]}" -cp "$lib/*$cp_extra" qupath.QuPath script "$here/bench/apply-bench.groovy" "${args[@]}") > "$log" 2>&1
}

qupath "$work/logs/setup.log" -- setup "$work" || { cat "$work/logs/setup.log"; exit 1; }

cli_geojson=$work/cli.geojson
seq=0
run_cli() { # rep
  seq=$((seq + 1))
  local out=$work/cli-$seq.geojson start end wall cpu tiles
  start=$(date +%s.%N)
  /usr/bin/time -f '%U %S' -o "$work/cli-$seq.time" "$tessera" apply --model "$model" --slide "$slide" --out "$out" \
    > "$work/logs/cli-$seq.log" 2>&1 || { echo "bench: tessera apply failed:"; cat "$work/logs/cli-$seq.log"; exit 1; }
  end=$(date +%s.%N)
  wall=$(echo "$end - $start" | bc -l)
  cpu=$(awk '{ print $1 + $2 }' "$work/cli-$seq.time")
  tiles=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["features"] if isinstance(d, dict) else d))' "$out")
  printf '%s\t%s\tcli\t%s\t%s\t%s\n' "$1" "$seq" "$tiles" "$wall" "$cpu" >> "$results"
  printf '  rep %s cli: %s tiles, %.2f s wall, %.2f s CPU (it says: %s)\n' "$1" "$tiles" "$wall" "$cpu" \
    "$(grep -o '[0-9]* tiles in [0-9.]* s ([0-9.]* tiles/s)' "$work/logs/cli-$seq.log")"
  if [ -f "$cli_geojson" ]; then rm -f "$out"; else mv "$out" "$cli_geojson"; fi
}
run_qupath() { # rep mode
  seq=$((seq + 1))
  local log=$work/logs/$2-$seq.log
  local reads=-Dtessera.nativeReads=true
  [ "$2" = native ] || reads=-Dtessera.nativeReads=false
  qupath "$log" "$reads" -- "$2" "$work" "$slide" "$model" "$cli_geojson" 2 || {
    echo "bench: QuPath ($2) failed:"; grep -E 'ERROR|Exception|BENCH|INFO server' "$log" | head -20; exit 1; }
  [ "$1" = 1 ] && grep -E '^INFO ' "$log" | sed 's/^/    /'
  grep -E '^MATCH ' "$log" | sed 's/^/    /'
  local names
  case $2 in native) names=(native-first native-second) ;; cached) names=(cache-cold cache-warm) ;; nocache) names=(nocache-first nocache-second) ;; esac
  grep -E '^BENCH ' "$log" | while read -r line; do
    run=$(sed 's/.* run=\([0-9]*\).*/\1/' <<<"$line")
    tiles=$(sed 's/.* tiles=\([0-9]*\).*/\1/' <<<"$line")
    secs=$(sed 's/.* seconds=\([0-9.]*\).*/\1/' <<<"$line")
    cpu=$(sed 's/.* cpu_seconds=\([0-9.]*\).*/\1/' <<<"$line")
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$seq" "${names[$((run - 1))]}" "$tiles" "$secs" "$cpu" >> "$results"
    echo "  rep $1 ${names[$((run - 1))]}: $tiles tiles, $secs s, $cpu s CPU (cache entries after: $(sed 's/.* cache=\([^ ]*\).*/\1/' <<<"$line"))"
  done
}

# CLI runs bracket every QuPath JVM: cli native cli cached cli nocache cli native cli …
run_cli 1
for rep in $(seq 1 "$reps"); do
  echo "== repetition $rep (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  for mode in native cached nocache; do
    run_qupath "$rep" "$mode"
    run_cli "$rep"
  done
done

echo
echo "== QuPath ${qversion:-?}: medians over $reps repetitions; x CLI = QuPath's rate over the mean rate of the two CLI runs"
echo "   just before and after that QuPath JVM, per repetition, then the median (CPU: tiles per CPU-second, all threads)"
python3 - "$results" <<'EOF'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter='\t'))
cases = ['cli', 'native-first', 'native-second', 'cache-cold', 'cache-warm', 'nocache-first', 'nocache-second']
what = {
    'cli': '`tessera apply` (whole process)',
    'native-first': '(a) native reads, first apply in the JVM',
    'native-second': '(a) native reads, second apply',
    'cache-cold': '(b) ImageServer + tile cache, first (cold)',
    'cache-warm': '(b) ImageServer + tile cache, second (warm)',
    'nocache-first': '(c) ImageServer, no tile cache, first',
    'nocache-second': '(c) ImageServer, no tile cache, second',
}
rate = lambda r: int(r['tiles']) / float(r['seconds'])
cpu_rate = lambda r: int(r['tiles']) / float(r['cpu'])
cli = {int(r['seq']): r for r in rows if r['case'] == 'cli'}
def bracket(r, f):
    around = [cli[s] for s in (int(r['seq']) - 1, int(r['seq']) + 1) if s in cli]
    return f(r) / statistics.mean(f(c) for c in around)
print(f"{'case':<44} {'tiles':>11} {'seconds':>7} {'tiles/s':>7} {'x CLI':>5} {'tiles/CPU-s':>11} {'x CLI':>5}   tiles/s of each run")
for case in cases:
    rs = [r for r in rows if r['case'] == case]
    if not rs:
        continue
    tiles = '/'.join(map(str, sorted({int(r['tiles']) for r in rs})))
    ratio = '1.00' if case == 'cli' else f"{statistics.median(bracket(r, rate) for r in rs):.2f}"
    cratio = '1.00' if case == 'cli' else f"{statistics.median(bracket(r, cpu_rate) for r in rs):.2f}"
    print(f"{what[case]:<44} {tiles:>11} {statistics.median(float(r['seconds']) for r in rs):>7.2f} "
          f"{statistics.median(rate(r) for r in rs):>7.0f} {ratio:>5} {statistics.median(cpu_rate(r) for r in rs):>11.0f} {cratio:>5}   "
          + ' '.join(f'{rate(r):.0f}' for r in rs))
EOF

if [ "${BENCH_PROFILE:-1}" = 1 ]; then
  echo
  echo "== where (c) nocache's time goes: one more nocache JVM, every thread's stack sampled each ${BENCH_SAMPLE_MS:-20} ms (slows it a little)"
  plog=$work/logs/nocache-profile.log
  qupath "$plog" -Dtessera.nativeReads=false -- nocache "$work" "$slide" "$model" "" 1 "${BENCH_SAMPLE_MS:-20}" || echo "bench: profiling run failed"
  grep -E '^(BENCH|PROFILE) ' "$plog" | sed 's/^/  /'
fi
echo
echo "bench: results in $results; logs in $work/logs"
