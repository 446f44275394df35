#!/usr/bin/env bash
# Drives every Extensions>Tessera menu command in the REAL QuPath GUI (under Xvfb + openbox) on a
# fresh two-image project and checks that each command ends with its results (or error) dialog /
# notification still on screen 2 s after its progress window closed. Screenshots, the window
# timeline, QuPath's log and report.txt go into OUT_DIR. Exit status: 0 all PASS, 1 any FAIL,
# 2 usage, 3 driver error, 124 timeout.
#
# usage: scripts/qupath-real/gui.sh QUPATH_LIB_DIR [TESSERA_JAR] [OUT_DIR]
#   QUPATH_LIB_DIR  a complete QuPath runtime classpath (e.g. /work/qupath-real/v0.7.0/lib)
#   TESSERA_JAR     default qupath-extension/target/qupath-extension-tessera-0.1.0.jar
#   OUT_DIR         default /tmp/qupath-real-gui/<tag> (<tag> = name of QUPATH_LIB_DIR's parent); emptied first
# environment: JAVA_HOME (default Temurin 25), GUI_TIMEOUT_S (default 900), GUI_KEEP_X=1 keeps Xvfb running,
#   GUI_NO_WM=1 runs without a window manager.
# Buttons (form OK, result OK, Cancel, Show results…, Delete…) are pressed with real mouse clicks (xdotool);
# GUI_MOUSE=0 fires them directly instead.
# needs: apt-get install -y xvfb openbox imagemagick xdotool libgtk-3-0 fonts-dejavu-core
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
if [[ $# -lt 1 || ! -d "$1" ]]; then
	sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
fi
lib="$(cd "$1" && pwd)"
jar="${2:-$repo/qupath-extension/target/qupath-extension-tessera-0.1.0.jar}"
tag="$(basename "$(dirname "$lib")")"
out="${3:-/tmp/qupath-real-gui/$tag}"
java_home="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
[[ -x "$java_home/bin/javac" ]] || java_home=/usr/lib/jvm/temurin-25-jdk-amd64
timeout_s="${GUI_TIMEOUT_S:-900}"
[[ -f "$jar" ]] || { echo "gui.sh: no Tessera jar at $jar" >&2; exit 2; }
for tool in Xvfb import; do
	command -v "$tool" >/dev/null || { echo "gui.sh: $tool missing (apt-get install -y xvfb imagemagick openbox xdotool)" >&2; exit 2; }
done
mouse=true
if [[ "${GUI_MOUSE:-1}" == 0 ]]; then
	mouse=false
elif ! command -v xdotool >/dev/null; then
	echo "gui.sh: xdotool missing: buttons are fired directly, not clicked (apt-get install -y xdotool)" >&2
	mouse=false
fi

# 1. Build the driver against this QuPath's jars: the launcher goes on the classpath, the driver
#    extension into <user dir>/extensions beside Tessera's jar.
build="$(mktemp -d /tmp/qupath-real-gui-build.XXXXXX)"
mkdir -p "$build/classes" "$build/launcher/tessera/guidriver"
nice -n 10 "$java_home/bin/javac" --release 21 -nowarn -encoding UTF-8 -cp "$lib/*" -d "$build/classes" \
	"$here"/gui/src/tessera/guidriver/*.java
cp -r "$here/gui/resources/META-INF" "$build/classes/"
mv "$build/classes/tessera/guidriver/Launcher.class" "$build/launcher/tessera/guidriver/"
"$java_home/bin/jar" --create --file "$build/tessera-gui-driver.jar" -C "$build/classes" .

# One run per OUT_DIR at a time.
mkdir -p "$(dirname "$out")"
exec 9>"$out.lock"
flock -n 9 || { echo "gui.sh: another gui.sh is running with $out" >&2; exit 2; }
rm -rf "$out"
mkdir -p "$out/user/extensions" "$out/home" "$out/screenshots"
cp "$jar" "$out/user/extensions/"
cp "$build/tessera-gui-driver.jar" "$out/user/extensions/"

jar_info="$(basename "$jar") sha256 $(sha256sum "$jar" | cut -c1-16)… modified $(date -u -r "$jar" '+%Y-%m-%d %H:%M:%S UTC')"
echo "$jar_info" >"$out/jar.txt"

# 2. A private X display with a window manager (focus and window stacking as on a desktop).
display=""
for n in $(seq 99 140); do
	if [[ ! -e /tmp/.X11-unix/X$n && ! -e /tmp/.X$n-lock ]]; then display=":$n"; break; fi
done
[[ -n "$display" ]] || { echo "gui.sh: no free X display" >&2; exit 2; }
Xvfb "$display" -screen 0 1600x1000x24 -nolisten tcp >"$out/xvfb.log" 2>&1 &
xvfb_pid=$!
wm_pid=""
cleanup() {
	[[ -n "$wm_pid" ]] && kill "$wm_pid" 2>/dev/null || true
	[[ "${GUI_KEEP_X:-0}" == 1 ]] || kill "$xvfb_pid" 2>/dev/null || true
	rm -rf "$build"
}
trap cleanup EXIT
export DISPLAY="$display"
for _ in $(seq 50); do
	[[ -e /tmp/.X11-unix/X${display#:} ]] && break
	sleep 0.2
done
if [[ "${GUI_NO_WM:-0}" != 1 ]] && command -v openbox >/dev/null; then
	openbox >"$out/openbox.log" 2>&1 &
	wm_pid=$!
	sleep 1
fi

# 3. QuPath itself, quiet launch (no welcome/update dialogs), user directory and preferences in $out.
echo "gui.sh: QuPath $tag from $lib on $display, Tessera $jar ($jar_info) -> $out"
set +e
timeout -k 30 "$timeout_s" "$java_home/bin/java" -Xmx4g -XX:MaxRAMPercentage=50 \
	--enable-native-access=ALL-UNNAMED \
	-Duser.home="$out/home" -Djava.util.prefs.userRoot="$out/home/.java" \
	-Dprism.order=sw -Dtessera.gui.out="$out" -Dtessera.gui.jar="$jar_info" -Dtessera.gui.mouse="$mouse" \
	-cp "$build/launcher:$lib/*" tessera.guidriver.Launcher "$out/user" -q >"$out/qupath.log" 2>&1
rc=$?
set -e

echo "gui.sh: QuPath exited with $rc; log $out/qupath.log"
if [[ -f "$out/report.txt" ]]; then
	cat "$out/report.txt"
else
	echo "FAIL  (no report: QuPath or the driver did not finish; last log lines below)"
	tail -40 "$out/qupath.log"
	[[ $rc -eq 0 ]] && rc=3
fi
echo "--- exceptions / errors in QuPath's log:"
grep -nE "ERROR|Exception|Error:" "$out/qupath.log" | grep -v "^\S*\[tessera-gui-driver\]" | head -30 || true
echo "--- screenshots: $out/screenshots"
ls "$out/screenshots"
exit "$rc"
