#!/usr/bin/env bash
# Runs notebooks in a real browser, as a user would: starts the classic
# Notebook server with the project's GoNB kernel, opens each notebook in
# headless Chromium, clicks Cell > Run All, waits for the kernel to finish,
# and saves a full-page screenshot and a summary of the outputs.
#
#   scripts/browser-check.sh [NOTEBOOK...]     (default: 01b-perceptron-teaching)
#
# Writes out/browser-check/NOTEBOOK.png and NOTEBOOK.json. Profile:
# $PRUNE_PROFILE, smoke by default. Figures go to the working folder
# out/figures, never the committed gallery. Needs Debian's chromium,
# chromium-driver and python3-selenium, and Jupyter (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export GOTOOLCHAIN=${GOTOOLCHAIN:-go1.27.3} GOEXPERIMENT=${GOEXPERIMENT:-simd}
export GOBIN=$root/.cache/bin PATH=$root/.cache/bin:$PATH
export PRUNE_PROFILE=${PRUNE_PROFILE:-smoke}
unset PRUNE_FIGURES
for tool in chromium chromedriver; do
	command -v "$tool" >/dev/null || { echo "browser-check: $tool is missing: apt-get install --no-install-recommends chromium chromium-driver python3-selenium" >&2; exit 1; }
done
/usr/bin/python3 -c 'import selenium' 2>/dev/null || { echo "browser-check: python3-selenium is missing: apt-get install --no-install-recommends python3-selenium" >&2; exit 1; }

notebooks=("$@")
[ ${#notebooks[@]} -gt 0 ] || notebooks=(01b-perceptron-teaching)
out=$root/out/browser-check
mkdir -p "$out"

# A private Jupyter setup: the user's kernels and configuration stay untouched.
tmp=$(mktemp -d)
export JUPYTER_DATA_DIR=$tmp/data JUPYTER_CONFIG_DIR=$tmp/config JUPYTER_RUNTIME_DIR=$tmp/runtime
go build -o .cache/bin/prune ./cmd/prune
.cache/bin/prune notebooks kernel >/dev/null

port=${BROWSER_CHECK_PORT:-$((20000 + RANDOM % 20000))}
token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
allow_root=$([ "$(id -u)" = 0 ] && echo --allow-root || true)
jupyter-notebook --no-browser --ip=127.0.0.1 --port="$port" --port-retries=0 --notebook-dir=notebooks \
	--NotebookApp.token="$token" $allow_root >"$out/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 60); do
	curl -fs "http://127.0.0.1:$port/api/status?token=$token" >/dev/null 2>&1 && break
	sleep 1
done

status=0
for nb in "${notebooks[@]}"; do
	nb=${nb%.ipynb}
	nb=${nb##*/}
	echo "browser-check: $nb (profile $PRUNE_PROFILE) ..."
	/usr/bin/python3 scripts/browser-check.py --url "http://127.0.0.1:$port" --token "$token" --notebook "$nb" \
		--screenshot "$out/$nb.png" --summary "$out/$nb.json" --timeout "${BROWSER_CHECK_TIMEOUT:-900}" || status=1
done
exit $status
