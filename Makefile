# Build settings live here and nowhere else.
#
#   make reproduce   the main job: install what is missing, run every notebook at
#                    this machine's default profile, write figures/ and out/notebooks/
#   make test        install what the tests need, then run them all
#   make notebook    Jupyter (classic Notebook) on http://127.0.0.1:8888 with the Go kernel
#   make bench       benchmarks (theory solver, max-margin solver against liblinear,
#                    ResNet-20/ResNet-8/MLP throughput side by side with PyTorch)
#
# PRUNE_PROFILE=smoke|cpu|paper picks the scale (default: cpu without a GPU, paper with one).

SHELL := /bin/bash
# The project needs Go 1.27.3; machines that ship an older Go (>= 1.21) fetch it
# through the module proxy when GOTOOLCHAIN names it.
export GOTOOLCHAIN := go1.27.3
# The pure-Go GoMLX backend is about 2x faster with SIMD kernels.
export GOEXPERIMENT := simd
# The pinned gonb and goimports (go.mod tool directives) are built here.
export GOBIN := $(CURDIR)/.cache/bin
export PATH := $(GOBIN):$(PATH)

# Jupyter refuses to run as root unless told (containers, CI machines).
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: reproduce test notebook bench setup build vet clean

setup:
	@bash scripts/setup.sh

build: setup
	@go build -o .cache/bin/prune ./cmd/prune

reproduce: build
	@bash scripts/reproduce.sh

test: setup
	@unformatted=$$(gofmt -l cmd lib notebooks theory); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	@go vet ./...
	@go test -timeout 40m ./...

notebook: build
	@.cache/bin/prune notebooks kernel
	@echo "Open the URL printed below (token included); notebooks/ is the root."
	@jupyter-notebook --no-browser --ip=127.0.0.1 --port=8888 --notebook-dir=notebooks $(ALLOW_ROOT)

bench: build
	@go test -run '^$$' -bench . -benchtime 3x ./theory/...
	@.cache/bin/prune bench maxmargin
	@.cache/bin/prune bench train

vet:
	@go vet ./...

clean:
	rm -rf .cache out
