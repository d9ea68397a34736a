#!/usr/bin/env bash
# The main job: run every notebook headless at this machine's default profile
# (or $PRUNE_PROFILE), writing figures/ and the executed notebooks in out/.
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$SECONDS
prune=.cache/bin/prune
"$prune" notebooks run
printf '[reproduce] done in %ds: figures in figures/, executed notebooks in out/notebooks/\n' $((SECONDS - t0))
