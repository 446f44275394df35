#!/usr/bin/env bash
# Checks the Tessera jar against a REAL QuPath, given as a folder of jars (QuPath's own jars and all
# their dependencies: one runnable classpath). Nothing of QuPath is built or fetched here.
#
# usage: scripts/qupath-real.sh QUPATH_LIB_DIR [TESSERA_JAR]
#        (TESSERA_JAR defaults to qupath-extension/target/qupath-extension-tessera-0.1.0.jar)
#
#  (a) signatures: every QuPath class, method and field the jar's bytecode refers to (and the
#      QuPath methods it overrides or implements) must exist in the real classes with the same
#      JVM descriptor and static-ness (scripts/qupath-real/CheckSignatures.java, Java >= 25).
#      Also, when qupath-extension/qupath-api/target/qupath-api-*.jar exists (or $QUPATH_API_JAR),
#      every class and member the compile-only API stand-in declares must exist in the real QuPath.
#  (b) scenarios: scripts/qupath-real/scenarios/*.groovy, run in order by real QuPath's own headless
#      `script` command, with the jar in the extensions folder of a throw-away QuPath user directory
#      (-Duser.home and QuPath's userPath preference point into a temporary folder); 00-setup makes
#      the images and a two-image project with classified annotations.
#  (c) scripts/qupath-real/gui.sh QUPATH_LIB_DIR JAR, when that file exists.
#
# The Java that runs QuPath: $QUPATH_JAVA, else the JDK/JRE named in QUPATH_LIB_DIR/../java-home,
# else the JDK >= 25 used for (a). QuPath 0.6 ships Java 21 and Groovy 4.0.26, which cannot compile
# scripts on Java 25; run 0.6 on a Java 21 runtime.
# Environment: QUPATH_REAL_WORK=DIR keeps the work folder there (default: a new temporary folder);
# QUPATH_REAL_SCENARIOS='10 20' runs only the scenarios whose names start with these prefixes;
# QUPATH_REAL_SKIP_GUI=1 skips (c).
# Exits non-zero when anything failed.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
lib=${1:?usage: scripts/qupath-real.sh QUPATH_LIB_DIR [TESSERA_JAR]}
jar=${2:-$root/qupath-extension/target/qupath-extension-tessera-0.1.0.jar}
lib=$(cd "$lib" && pwd) || { echo "qupath-real: no folder $1" >&2; exit 2; }
[ -f "$jar" ] || { echo "qupath-real: no jar $jar (build it: ./mvnw -f qupath-extension/pom.xml package)" >&2; exit 2; }
jar=$(cd "$(dirname "$jar")" && pwd)/$(basename "$jar")
ls "$lib"/qupath-gui-fx-*.jar >/dev/null 2>&1 || { echo "qupath-real: $lib holds no qupath-gui-fx jar" >&2; exit 2; }

java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
jdk25=
for candidate in ${JAVA_HOME:-} /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
  if [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ "$(java_major "$candidate" 2>/dev/null || echo 0)" -ge 25 ]; then
    jdk25=$candidate
    break
  fi
done
[ -n "$jdk25" ] || { echo "qupath-real: needs a JDK >= 25 (java.lang.classfile); set JAVA_HOME" >&2; exit 2; }
if [ -n "${QUPATH_JAVA:-}" ]; then
  qjava=$QUPATH_JAVA
elif [ -f "$lib/../java-home" ]; then
  qjava=$(cat "$lib/../java-home")/bin/java
else
  qjava=$jdk25/bin/java
fi
qversion=$(unzip -p "$(ls "$lib"/qupath-gui-fx-*.jar | head -1)" META-INF/MANIFEST.MF | sed -n 's/^Implementation-Version: *//p' | tr -d '\r')
echo "qupath-real: QuPath ${qversion:-?} from $lib"
echo "qupath-real: jar $jar ($(stat -c '%y' "$jar" | cut -d. -f1))"
echo "qupath-real: QuPath runs on $("$qjava" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.runtime.version = //p') ($qjava)"

failures=()
summary=()

# ---- (a) signatures
echo
echo "== signatures"
sig_out=$("$jdk25/bin/java" "$here/qupath-real/CheckSignatures.java" "$lib" "$jar" 2>&1)
sig_rc=$?
echo "$sig_out"
sig_line=$(echo "$sig_out" | grep '^signatures:' | tail -1)
summary+=("${sig_line:-signatures: did not run (exit $sig_rc)}")
[ "$sig_rc" -eq 0 ] || failures+=("signatures")

# ---- (a2) the compile-only API stand-in (qupath-extension/qupath-api), when it is built
api_jar=${QUPATH_API_JAR:-$(ls "$root"/qupath-extension/qupath-api/target/qupath-api-*.jar 2>/dev/null | head -1)}
if [ -n "$api_jar" ] && [ -f "$api_jar" ]; then
  echo
  echo "== qupath-api stand-in ($api_jar) against the real classes"
  api_out=$("$jdk25/bin/java" "$here/qupath-real/CheckSignatures.java" --api "$lib" "$api_jar" 2>&1)
  api_rc=$?
  echo "$api_out"
  api_line=$(echo "$api_out" | grep '^signatures:' | tail -1)
  summary+=("qupath-api ${api_line:-signatures: did not run (exit $api_rc)}")
  [ "$api_rc" -eq 0 ] || failures+=("qupath-api")
fi

# ---- (b) scenarios
work=${QUPATH_REAL_WORK:-$(mktemp -d /tmp/qupath-real.XXXXXX)}
mkdir -p "$work/logs"
home=$work/home
mkdir -p "$home"
userdir=$work/user
mkdir -p "$userdir/extensions"
cp "$jar" "$userdir/extensions/"
qupath_script() { # script-file log
  # a script error that escapes as an Error leaves QuPath's JVM running: bound each run
  (cd "$work" && timeout -k 20 "${QUPATH_REAL_TIMEOUT:-900}" "$qjava" --enable-native-access=ALL-UNNAMED -Duser.home="$home" -Djava.awt.headless=true \
    -Xmx3g ${QUPATH_JAVA_OPTS:-} -cp "$lib/*" qupath.QuPath script "$1" -a "$work") > "$2" 2>&1
}
echo
echo "== scenarios (work folder $work)"
for scenario in "$here"/qupath-real/scenarios/*.groovy; do
  name=$(basename "$scenario" .groovy)
  if [ -n "${QUPATH_REAL_SCENARIOS:-}" ] && [ "${name#00}" = "$name" ]; then
    wanted=false
    for p in $QUPATH_REAL_SCENARIOS; do case "$name" in "$p"*) wanted=true ;; esac; done
    $wanted || continue
  fi
  log=$work/logs/$name.log
  # Every scenario but the setup runs after the shared helpers of scenario-common.groovy.
  script=$scenario
  if [ "$name" != 00-setup ]; then
    script=$work/scripts/$name.groovy
    mkdir -p "$work/scripts"
    cat "$here/qupath-real/scenario-common.groovy" "$scenario" > "$script"
  fi
  start=$(date +%s)
  qupath_script "$script" "$log"
  rc=$?
  secs=$(( $(date +%s) - start ))
  grep -E '^(INFO|PASS|FAIL) ' "$log" | sed 's/^/  /'
  verdict=$(grep -E '^(PASS|FAIL) ' "$log" | tail -1)
  if [ "$rc" -ne 0 ] || [ -z "$verdict" ] || [ "${verdict#FAIL}" != "$verdict" ]; then
    if [ -z "$verdict" ] || [ "${verdict#PASS}" != "$verdict" ]; then
      err=$(grep -m1 -E 'ERROR|Exception|Error:' "$log" | cut -c1-300)
      verdict="FAIL $name: exit $rc; ${err:-see $log}"
      echo "  $verdict"
    fi
    failures+=("$name")
  fi
  summary+=("$verdict  [$name, ${secs}s]")
  if [ "$name" = 00-setup ] && [ "${verdict#PASS}" = "$verdict" ]; then
    summary+=("scenarios skipped: setup failed")
    break
  fi
done

# ---- (c) the GUI driver, when there is one
if [ -f "$here/qupath-real/gui.sh" ] && [ "${QUPATH_REAL_SKIP_GUI:-0}" != 1 ]; then
  echo
  echo "== gui ($here/qupath-real/gui.sh)"
  QUPATH_JAVA=$qjava bash "$here/qupath-real/gui.sh" "$lib" "$jar"
  gui_rc=$?
  summary+=("gui: $([ "$gui_rc" -eq 0 ] && echo PASS || echo "FAIL (exit $gui_rc)")")
  [ "$gui_rc" -eq 0 ] || failures+=("gui")
fi

echo
echo "== summary (QuPath ${qversion:-?}; logs in $work/logs)"
printf '%s\n' "${summary[@]}"
if [ ${#failures[@]} -gt 0 ]; then
  echo "qupath-real: FAILED: ${failures[*]}"
  exit 1
fi
echo "qupath-real: all passed"
