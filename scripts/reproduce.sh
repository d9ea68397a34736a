#!/usr/bin/env bash
# The main job: obtain the datasets, then run every notebook headless at this
# machine's default profile (or $PRUNE_PROFILE), writing figures/ and the
# executed notebooks in out/.
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$SECONDS
prune=.cache/bin/prune
step() { printf '[reproduce %4ds] %s\n' $((SECONDS - t0)) "$*"; }

# Data: an offline mirror when there is one (CI machines keep CIFAR-10 in
# ../shared/data), otherwise the official downloads, checksums verified.
mirror=${PRUNE_SHARED_DATA:-}
[ -n "$mirror" ] || { [ -d ../shared/data ] && mirror=$(cd ../shared/data && pwd); } || true
if [ -n "$mirror" ] && [ -d "$mirror/cifar-10-batches-bin" ]; then
	"$prune" data fetch cifar10 --mirror "$mirror"
else
	"$prune" data fetch cifar10
fi
if [ -d /usr/share/datasets/fashion-mnist ]; then
	"$prune" data fetch fashion-mnist --mirror /usr/share/datasets/fashion-mnist
else
	"$prune" data fetch fashion-mnist
fi
step "datasets ready in data/"

# The committed gallery is refreshed only here: interactive runs write to
# out/figures (lib/project).
export PRUNE_FIGURES="$PWD/figures"
"$prune" notebooks run
step "done: figures in figures/, executed notebooks in out/notebooks/"
