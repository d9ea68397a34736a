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

# oneDNN, the fast CPU route: the pure-Go backend runs its convolutions and
# dense layers (and their gradients) with Debian's libdnnl2 when it is installed, loading it at
# run time (third_party/compute/gobackend/onednn); without it they run in pure
# Go and every command says so. Skip with PRUNE_NO_ONEDNN=1.
onednn_status=.cache/onednn.status
mkdir -p .cache
onednn_lib() { /sbin/ldconfig -p 2>/dev/null | awk '$1 == "libdnnl.so.2" {print $NF; exit}'; }
if [ -n "${PRUNE_NO_ONEDNN:-}" ]; then
	echo "not installed: PRUNE_NO_ONEDNN is set" >"$onednn_status"
elif [ -z "$(onednn_lib)" ] && command -v apt-get >/dev/null; then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	step "installing Debian's libdnnl2 (oneDNN, the fast CPU convolutions and dense layers)"
	if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends libdnnl2 >/dev/null; }; then
		step "libdnnl2 could not be installed: convolutions and dense layers will run in pure Go"
	fi
fi
if [ -z "${PRUNE_NO_ONEDNN:-}" ]; then
	if lib=$(onednn_lib) && [ -n "$lib" ]; then
		echo "installed libdnnl2 $(dpkg-query -W -f='${Version}' libdnnl2 2>/dev/null) $lib" >"$onednn_status"
		step "oneDNN present: $lib (the default for convolutions and dense layers; PRUNE_ONEDNN=0 turns it off)"
	else
		echo "not installed: no libdnnl.so.2 (Debian/Ubuntu: apt-get install libdnnl2)" >"$onednn_status"
		step "oneDNN not installed: convolutions and dense layers run in pure Go"
	fi
fi

# gonb and goimports, pinned by go.mod's tool directives.
export GOBIN=${GOBIN:-$PWD/.cache/bin}
go install tool
step "Go tools built into $GOBIN: $(ls "$GOBIN" | tr '\n' ' ')"

# ONNX Runtime, the fast CPU route: GoMLX's ONNX Runtime backend (compiled in
# with cgo) loads libonnxruntime.so.1, which ships inside the npm package
# onnxruntime-node. Version and registry hash are pinned here; the library
# goes under .cache/ (never committed) and prune picks it by itself. Without
# it everything runs on the pure-Go backend. Skip with PRUNE_NO_ORT=1.
ort_version=1.30.0
ort_integrity=sha512-twhs1C2C/BFkz1yc5OY0KIU2GUq6DURO7hD4bx5Q2Qy3nAMJwRXW8xU3NVczE29VA9lolLOYepoD8fjTGOfIqw==
ort_dir=.cache/onnxruntime-$ort_version
ort_status=.cache/onnxruntime.status
ort_lib=$ort_dir/libonnxruntime.so.1
mkdir -p .cache
ort_skip() {
	echo "not installed: $*" >"$ort_status"
	step "ONNX Runtime not installed ($*): prune runs on the pure-Go backend (slower; see environment.md, CPU backends)"
}
if [ -f "$ort_lib" ]; then
	echo "installed onnxruntime-node@$ort_version $ort_integrity $PWD/$ort_lib" >"$ort_status"
	step "ONNX Runtime $ort_version present: $ort_lib (opt-in: GOMLX_BACKEND=onnx:cpu; environment.md, "CPU backends")"
elif [ -n "${PRUNE_NO_ORT:-}" ]; then
	ort_skip "PRUNE_NO_ORT is set"
elif [ "$(uname -s)/$(uname -m)" != "Linux/x86_64" ]; then
	ort_skip "the pinned library is for Linux x86-64, this is $(uname -s)/$(uname -m)"
elif ! command -v npm >/dev/null; then
	ort_skip "npm not found (Debian: apt-get install npm)"
elif [ "$(go env CGO_ENABLED)" != 1 ]; then
	ort_skip "cgo is off (CGO_ENABLED=0 or no C compiler), so the backend is not compiled in"
else
	step "fetching onnxruntime-node@$ort_version from the npm registry (113 MB; the CPU library is inside)"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	if ! (cd "$tmp" && npm pack --silent "onnxruntime-node@$ort_version" >/dev/null 2>npm.log); then
		ort_skip "npm pack onnxruntime-node@$ort_version failed: $(tail -1 "$tmp/npm.log" 2>/dev/null)"
	else
		tgz=$tmp/onnxruntime-node-$ort_version.tgz
		got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
		if [ "$got" != "$ort_integrity" ]; then
			ort_skip "onnxruntime-node-$ort_version.tgz has hash $got, want $ort_integrity"
		else
			mkdir -p "$tmp/x"
			tar xzf "$tgz" -C "$tmp/x" package/bin/napi-v6/linux/x64/libonnxruntime.so.1
			mkdir -p "$ort_dir"
			mv "$tmp/x/package/bin/napi-v6/linux/x64/libonnxruntime.so.1" "$ort_lib.tmp"
			mv "$ort_lib.tmp" "$ort_lib"
			echo "installed onnxruntime-node@$ort_version $ort_integrity $PWD/$ort_lib" >"$ort_status"
			step "ONNX Runtime $ort_version installed: $ort_lib (opt-in: GOMLX_BACKEND=onnx:cpu; environment.md, "CPU backends")"
		fi
	fi
fi
