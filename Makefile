# Build settings live here and nowhere else.
#
#   make reproduce   the main job: install what is missing, run every notebook at
#                    this machine's default profile, write figures/ and out/notebooks/
#   make test        install what the tests need, then run them all
#   make notebook    Jupyter (classic Notebook) on http://127.0.0.1:8888 with the Go kernel
#   make bench       benchmarks (theory solver, max-margin solver against liblinear,
#                    ResNet-20/ResNet-8/MLP throughput side by side with PyTorch)
#   make race        the race detector on the packages that run goroutines (CI runs it after make test)
#   make stress      scripts/stress.sh: notebook 06's smoke sweep 50 times (STRESS_RUNS=N), counting crashes
#   make slurm-check a sweep as a Slurm job array on a one-node Slurm started on loopback (scripts/slurm-check.sh; CI runs it)
#
# PRUNE_PROFILE=smoke|cpu|paper picks the scale (default: cpu without a GPU, paper with one).
# PRUNE_SIMD=0 builds without GOEXPERIMENT=simd (slower; environment.md, "The SIMD crash").

SHELL := /bin/bash
# The project needs Go 1.27.3; machines that ship an older Go (>= 1.21) fetch it
# through the module proxy when GOTOOLCHAIN names it.
export GOTOOLCHAIN := go1.27.3
# The pure-Go GoMLX backend is several times faster with SIMD kernels
# (GOEXPERIMENT=simd). With Go 1.27.3 their partial vector loads read past the
# end of slices, which crashed programs at random ("unexpected fault address
# ... fatal error: fault"); lib/backend keeps those reads in mapped memory
# (environment.md, "The SIMD crash"). PRUNE_SIMD=0 builds without them;
# lib/notebook applies the same rule to the kernel.
export GOEXPERIMENT := $(if $(filter 0,$(PRUNE_SIMD)),,simd)
# The pinned gonb and goimports (go.mod tool directives) are built here.
export GOBIN := $(CURDIR)/.cache/bin
export PATH := $(GOBIN):$(PATH)

# Jupyter refuses to run as root unless told (containers, CI machines).
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: reproduce test race stress slurm-check notebook bench setup build vet clean

setup:
	@bash scripts/setup.sh

# With cgo, prune is built with XLA (-tags xla) so that on a machine with an
# NVIDIA GPU and jax's CUDA plugin it runs there by itself (lib/backend,
# CUDAPlugin); elsewhere it behaves as the plain build.
XLA_TAGS := $(if $(filter 1,$(shell go env CGO_ENABLED)),-tags xla,)
build: setup
	@go build $(XLA_TAGS) -o .cache/bin/prune ./cmd/prune

reproduce: build
	@bash scripts/reproduce.sh

test: setup
	@unformatted=$$(gofmt -l cmd lib notebooks theory docs third_party/compute/gobackend/onednn third_party/compute/gobackend/fusion third_party/compute/gobackend/batchnorm third_party/compute/internal/gobackend/ops/batchnorm.go third_party/compute/internal/gobackend/ops/batchnorm_simd.go third_party/compute/internal/gobackend/ops/batchnorm_nosimd.go third_party/compute/internal/gobackend/fusedops/batchnormrelu.go third_party/compute/internal/gobackend/ops/fusedelementwise.go third_party/compute/internal/gobackend/ops/fusedelementwise_simd.go third_party/compute/internal/gobackend/ops/fusedelementwise_nosimd.go third_party/compute/internal/gobackend/overread_pad_test.go third_party/compute/internal/gobackend/donated_buffer_test.go third_party/compute/internal/gobackend/donated_execution_test.go); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	@go vet ./... github.com/gomlx/compute/gobackend/onednn github.com/gomlx/compute/gobackend/fusion github.com/gomlx/compute/gobackend/batchnorm
	@CGO_ENABLED=0 go build github.com/gomlx/compute/gobackend/onednn ./cmd/prune
	@go test -timeout 40m ./... github.com/gomlx/compute/internal/gobackend
	@if [ -n "$(XLA_TAGS)" ]; then go vet $(XLA_TAGS) ./lib/backend ./lib/models ./cmd/prune && go test $(XLA_TAGS) ./lib/backend; fi

# Packages whose code runs goroutines: sweep workers, the experiment runner's
# locks, the theory's parallel jobs (theory/simulate.ForEach), the metrics' probe ensembles (lib/scoring, lib/probes, lib/ssl), training (data augmentation workers and
# compute's worker pool, which runs every graph), the notebook harness. -short
# is for tests that shrink themselves under it. lib/scoring's end-to-end test
# (TestMetricsFindFlippedLabels: hundreds of probe networks, over 12 minutes
# under the race detector) is skipped; lib/train's tests train on the pure-Go
# backend, so the race detector still sees its worker pool. Built without
# GOEXPERIMENT=simd (the race detector needs no SIMD kernels, whose reads past
# the end of slices could pass for races on neighbouring buffers) and without checkptr in
# compute's packages: -race turns checkptr on, and it kills compute's unsafe
# small-matmul kernel, which keeps pointers in uintptr variables ("checkptr:
# pointer arithmetic result points to invalid allocation"; compute's safe
# variant, -tags no_unsafe, does not build in v0.1.14; environment.md).
RACE_PACKAGES := ./lib/sweep/ ./lib/experiment/ ./lib/metrics/ ./lib/scoring/ ./lib/probes/ ./lib/ssl/ ./lib/train/ ./theory/simulate/ ./lib/data/ ./lib/progress/ ./lib/notebook/
race:
	@GOEXPERIMENT= go test -race -gcflags='github.com/gomlx/compute/...=-d=checkptr=0' -short -skip '^TestMetricsFindFlippedLabels$$' -timeout 30m $(RACE_PACKAGES)

STRESS_RUNS ?= 50
stress:
	@bash scripts/stress.sh -n $(STRESS_RUNS)

# A sweep exported with `prune sweep export --slurm` run by a real Slurm
# (Debian's slurm-wlm, installed if missing), killed and resubmitted in part,
# and compared with a local run; the script starts the daemons on loopback
# and always stops them (environment.md, "Running on a cluster").
slurm-check: setup
	@bash scripts/slurm-check.sh

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
