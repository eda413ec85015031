#!/usr/bin/env bash
# Install what cdc_pipeline needs on a fresh Debian 12 (or Ubuntu) machine:
#   1. system packages with apt (when run as root; otherwise print the one apt-get line to run),
#   2. a Python 3.11 virtualenv in .venv with the pinned packages (constraints.txt) and this project,
#      whose C++ core is compiled here.
# Maven Central artifacts (Kafka, Connect, Debezium) are fetched by `cdc up` into a cache on first use.
# Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian's own interpreter first: the sink runs as an unprivileged OS user when `cdc up` runs as root, and
# that user must reach the venv's interpreter (one under /root, e.g. pyenv's, it cannot).
if [ -z "${PYTHON:-}" ] && [ -x /usr/bin/python3.11 ]; then PYTHON=/usr/bin/python3.11; fi
PYTHON=${PYTHON:-python3}
packages=(postgresql-15 postgresql-client-15 maven librdkafka-dev libsimdjson-dev cmake ninja-build g++ make pkg-config
          googletest libgtest-dev clang clang-format libclang-rt-14-dev python3-venv)
command -v java >/dev/null && java -version 2>&1 | grep -qE 'version "(1[7-9]|2[0-9])' \
  || packages+=(openjdk-17-jre-headless)
"$PYTHON" -c 'import sysconfig,os,sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"],"Python.h")))' 2>/dev/null \
  || packages+=(python3-dev)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ]; then
    echo "• installing system packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "error: missing system packages. Run this, then run the command again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

"$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || {
  echo "error: $PYTHON is Python $("$PYTHON" -V 2>&1); cdc_pipeline needs 3.11. Set PYTHON=/path/to/python3.11" >&2
  exit 1
}
if [ ! -x .venv/bin/python ]; then
  echo "• creating .venv"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.cdc-installed
inputs=$(cat pyproject.toml constraints.txt CMakeLists.txt $(find core -type f -not -path '*/fuzz/corpus/*' | sort) | sha256sum | cut -c1-16)
if [ "$(cat "$stamp" 2>/dev/null)" != "$inputs" ]; then
  echo "• installing Python packages and building the C++ core (first time takes a few minutes)"
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -c constraints.txt scikit-build-core nanobind confluent-kafka  # its librdkafka is linked
  .venv/bin/pip install -q --no-build-isolation -c constraints.txt -e '.[dev]'
  echo "$inputs" > "$stamp"
fi
# The benchmark harness (bench/cdc_bench) is not part of the product package: it is put on the venv's path
# here, so `cdc bench ...` finds it in a development checkout and an installed cdc_pipeline does not carry it.
site=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
echo "$PWD/bench" > "$site/cdc_bench.pth"
