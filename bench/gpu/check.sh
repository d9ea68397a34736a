#!/usr/bin/env bash
# The GPU check: one prepared run on a machine with an NVIDIA GPU and an
# installed jax CUDA plugin (the jax_plugins/xla_cuda* package of jax's CUDA
# wheels), with one stripped binary built on a CPU machine and copied there
# in the ignored folder .carry/ (the GPU machine needs no Go toolchain):
#
#   GOTOOLCHAIN=go1.27.3 GOEXPERIMENT=simd go build -tags xla -ldflags='-s -w' -o .carry/prune-xla ./cmd/prune
#   bash bench/gpu/check.sh            # on the GPU machine, from the project root
#
# and, optionally, the two XLA test binaries, compressed with xz to keep the
# copy small (step 3 runs them when present):
#
#   for p in models train; do GOTOOLCHAIN=go1.27.3 GOEXPERIMENT=simd go test -c -tags xla -ldflags='-s -w' \
#     -o .carry/$p-xla.test ./lib/$p && xz -f -T2 .carry/$p-xla.test; done
#
# It finds the PJRT CUDA plugin and the CUDA data directory, then runs
#  0. `prune backend` with no GOMLX_BACKEND: the default route picks XLA on
#     the GPU by itself (lib/backend, CUDAPlugin);
#  1. `prune backend --agree`: a matmul check and the Go-vs-XLA agreement of
#     every network of models.AgreementCases (logits within 1e-4, gradients
#     within 1e-3), with TF32 off (tf32=false, NVIDIA_TF32_OVERRIDE=0);
#  2. `prune bench train`: training and inference throughput of ResNet18 and
#     ResNet-20 on CIFAR-shaped generated data, batch 128, fp32 with XLA's
#     defaults (TF32 on), beside PyTorch on the same GPU when python3 has it.
# Everything it prints also goes to $OUT/gpu-check.log (out/gpu-check here).
set -uo pipefail
out=${OUT:-out/gpu-check}
mkdir -p "$out"
exec > >(tee "$out/gpu-check.log") 2>&1
bin=${PRUNE_XLA_BIN:-.carry/prune-xla}
echo "== machine"
date -u
git rev-parse HEAD 2>/dev/null || true
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || { echo "no nvidia-smi: not a GPU machine"; exit 1; }
echo "cores: $(nproc)"
[ -x "$bin" ] || { echo "$bin missing: build it as the header of $0 says"; exit 1; }

py=$(command -v python3 || true)
site=""
[ -n "$py" ] && site=$("$py" -c 'import site; print(site.getsitepackages()[0])' 2>/dev/null)
plugin=$(ls "$site"/jax_plugins/xla_cuda*/xla_cuda_plugin.so 2>/dev/null | head -1)
[ -n "$plugin" ] || plugin=$(find / -name xla_cuda_plugin.so -not -path '/proc/*' 2>/dev/null | head -1)
[ -n "$plugin" ] || { echo "no PJRT CUDA plugin (jax_plugins/xla_cuda*/xla_cuda_plugin.so) found"; exit 1; }
echo "PJRT plugin: $plugin"
# XLA compiles its kernels with ptxas and links libdevice from the CUDA data
# directory: the pip-installed toolkit next to jax, or the system's.
cudadir=""
for d in "$site"/nvidia/cu13 "$site"/nvidia/cuda_nvcc /usr/local/cuda; do
	if [ -x "$d/bin/ptxas" ] && [ -d "$d/nvvm/libdevice" ]; then cudadir=$d; break; fi
done
echo "CUDA data directory: ${cudadir:-none found (XLA searches itself)}"
[ -n "$cudadir" ] && export XLA_FLAGS="--xla_gpu_cuda_data_dir=$cudadir ${XLA_FLAGS:-}"
# The plugin finds NVIDIA's libraries by its RPATH; name the wheels' folders too.
ld_before=${LD_LIBRARY_PATH:-}
libs=$(ls -d "$site"/nvidia/*/lib "$site"/nvidia/cu13/lib 2>/dev/null | tr '\n' ':')
export LD_LIBRARY_PATH="${libs}${LD_LIBRARY_PATH:-}"
export GOMLX_NO_AUTO_INSTALL=1

status=0
echo
echo "== 0. the default route: no GOMLX_BACKEND, no XLA_FLAGS, the machine's library path"
env -u XLA_FLAGS LD_LIBRARY_PATH="$ld_before" timeout 120 "$bin" backend --n 2048 || status=1

echo
echo "== 1. agreement with the pure-Go backend (TF32 off)"
GOMLX_BACKEND="xla:$plugin,tf32=false" NVIDIA_TF32_OVERRIDE=0 timeout 180 "$bin" backend --n 4096 --agree || status=1

echo
echo "== 2. training and inference throughput, batch 128 (XLA defaults: TF32 on)"
GOMLX_BACKEND="xla:$plugin" timeout 270 "$bin" bench train --models resnet18,resnet20 --batch 128 --steps 20 --rounds 1 \
	--python "${py:-}" --peer-device auto || status=1
for p in models train; do
	t=.carry/$p-xla.test
	[ -f "$t.xz" ] && { xz -dkf "$t.xz" || echo "cannot decompress $t.xz (no xz?)"; }
	[ -f "$t" ] || continue
	echo
	echo "== 3. go test -tags xla -run XLA ./lib/$p (full float32)"
	chmod +x "$t"
	(cd "lib/$p" && GOMLX_BACKEND="xla:$plugin,tf32=false" NVIDIA_TF32_OVERRIDE=0 timeout 180 "../../$t" -test.run XLA -test.v) || status=1
done
nvidia-smi --query-gpu=name,memory.used,memory.total --format=csv || true
echo "gpu check finished, status $status"
exit $status
