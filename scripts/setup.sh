#!/usr/bin/env bash
# Installs what Tessera's build and tests need on a fresh Debian/Ubuntu machine, from package
# registries only: Debian packages (OpenSlide, libclang for bindgen, pkg-config), Python test
# packages (pytest, Snakemake) from PyPI, ONNX Runtime from its PyPI wheel. Safe to run again: it skips what is there.
# Source it to also get JAVA_HOME pointing at a JDK >= 21 (the Maven build needs one).
#
# usage: source scripts/setup.sh      (or: bash scripts/setup.sh)
set -euo pipefail

tessera_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

apt_packages=(libopenslide-dev libclang-dev pkg-config curl unzip)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then sudo_cmd=(); else sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# pytest runs the end-to-end tests; Snakemake runs the cohort workflow (workflows/apply).
python3 -c 'import pytest' 2>/dev/null || python3 -m pip install --quiet pytest
python3 -c 'import snakemake' 2>/dev/null || python3 -m pip install --quiet "snakemake==9.27.1"

# A JDK that can compile for Java 21 (QuPath 0.6); Temurin 25 or any JDK >= 21.
java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
if [ -z "${JAVA_HOME:-}" ] || [ "$(java_major "$JAVA_HOME" 2>/dev/null || echo 0)" -lt 21 ]; then
  JAVA_HOME=
  for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
    if [ -x "$candidate/bin/javac" ] && [ "$(java_major "$candidate")" -ge 21 ]; then
      JAVA_HOME=$candidate
      break
    fi
  done
  if [ -z "$JAVA_HOME" ]; then
    echo "setup: no JDK >= 21 found under /usr/lib/jvm; install one and set JAVA_HOME" >&2
    exit 1
  fi
fi
export JAVA_HOME

"$tessera_root/scripts/fetch-onnxruntime.sh" "$tessera_root/target/onnxruntime"
