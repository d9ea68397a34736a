#!/usr/bin/env bash
# Installs what the project needs and is missing; safe to run again.
# Debian/Ubuntu packages go through apt (with sudo when not root); Go tools are
# built from the versions pinned in go.mod.
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$SECONDS
step() { printf '[setup %3ds] %s\n' $((SECONDS - t0)) "$*"; }

# Go: any Go >= 1.21 can fetch the pinned toolchain (GOTOOLCHAIN=go1.27.3).
if ! command -v go >/dev/null; then
	echo "setup: no Go found. Install Go 1.21 or newer (https://go.dev/dl/ or your distribution); the project then fetches Go 1.27.3 itself." >&2
	exit 1
fi
export GOTOOLCHAIN=${GOTOOLCHAIN:-go1.27.3}
step "Go toolchain: $(go version)"

# Debian packages: Jupyter's headless runner and classic server (run on
# Debian's own python3), liblinear for the max-margin benchmark, and
# Fashion-MNIST (the real dataset the tests and the cpu profile use).
packages=(jupyter-nbconvert jupyter-notebook liblinear-tools dataset-fashion-mnist)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
	if ! command -v apt-get >/dev/null; then
		echo "setup: missing ${missing[*]} and no apt-get: install Jupyter nbconvert + notebook (pip install nbconvert notebook) and liblinear yourself; see environment.md" >&2
		exit 1
	fi
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	step "installing Debian packages: ${missing[*]}"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
step "Debian packages present: ${packages[*]}"

# gonb and goimports, pinned by go.mod's tool directives.
export GOBIN=${GOBIN:-$PWD/.cache/bin}
go install tool
step "Go tools built into $GOBIN: $(ls "$GOBIN" | tr '\n' ' ')"
