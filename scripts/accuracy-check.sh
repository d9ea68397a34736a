#!/usr/bin/env bash
# The backend accuracy check (environment.md, "CPU backends"): 5-epoch
# ResNet-8 on CIFAR-10, seeds 1-5, once on the pure-Go backend's own
# convolutions (PRUNE_ONEDNN=0), once with oneDNN convolutions (the default),
# once in the PyTorch peer; the seed fixes initialisation, data order and
# augmentation, so the two GoMLX runs of a seed are paired. Then it prints
# each side's mean test accuracy +- standard error and the mean paired
# difference (oneDNN minus pure Go) +- its standard error.
#
# The PyTorch peer is given the cpu recipe's batch 32 and learning rate 0.05.
# Slow on 2 cores at batch 32: about 18 min per pure-Go run, 12 min per oneDNN
# run, 4-5 min per PyTorch run (about 3 h in all). Resumable: a run whose log ends with its test
# accuracy is not repeated. Logs go to out/accuracy-check/.
#
#   scripts/accuracy-check.sh [SEEDS...]     (default: 1 2 3 4 5)
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=("$@")
((${#seeds[@]})) || seeds=(1 2 3 4 5)
dir=out/accuracy-check
mkdir -p "$dir"
make -s build
data=${PRUNE_SHARED_DATA:-data}/cifar-10-batches-bin
[ -d "$data" ] || data=data/cifar-10-batches-bin
[ -d "$data" ] || { echo "accuracy-check: no CIFAR-10 binary files in $data (prune data fetch cifar10)" >&2; exit 1; }

# run NAME SEED CMD...: runs CMD unless NAME-SEED.log already has a result
# of the cpu recipe (batch 32, lr 0.05: each side's log names them).
run() {
	local log=$dir/$1-$2.log
	shift 2
	if grep -q "^test accuracy: top-1" "$log" 2>/dev/null && grep -Eq "(batch 32, lr 0.05|lr 0.05, .*batch 32)" "$log"; then
		echo "accuracy-check: $log done already"
		return
	fi
	echo "accuracy-check: $* > $log"
	"$@" >"$log.tmp" 2>&1 || { echo "accuracy-check: failed, see $log.tmp" >&2; exit 1; }
	mv "$log.tmp" "$log"
}

for s in "${seeds[@]}"; do
	run go "$s" env GOMLX_BACKEND=go PRUNE_ONEDNN=0 .cache/bin/prune train --profile cpu --dataset cifar10 --model resnet8 --epochs 5 --seed "$s"
	run onednn "$s" env GOMLX_BACKEND=go .cache/bin/prune train --profile cpu --dataset cifar10 --model resnet8 --epochs 5 --seed "$s"
	run pytorch "$s" /usr/bin/python3 bench/peer/train_cifar.py --data "$data" --model resnet8 --epochs 5 --batch 32 --lr 0.05 --seed "$s"
done

# The summary: test top-1 accuracy per run, in percent.
for s in "${seeds[@]}"; do
	for side in go onednn pytorch; do
		printf '%s %s %s\n' "$side" "$s" "$(sed -n 's/^test accuracy: top-1 \([0-9.]*\).*/\1/p' "$dir/$side-$s.log" | tail -1)"
	done
done | awk '
	{ acc[$1, $2] = 100 * $3; if (!($2 in seen)) order[++ns] = $2; seen[$2] = 1 }
	function stats(side,   s, n, m, v) {
		n = 0; m = 0
		for (s in seen) { n++; m += acc[side, s] }
		m /= n; v = 0
		for (s in seen) v += (acc[side, s] - m)^2
		return sprintf("%.2f +- %.2f (n=%d)", m, n > 1 ? sqrt(v / (n - 1) / n) : 0, n)
	}
	END {
		for (i = 1; i <= ns; i++) {
			s = order[i]
			printf "seed %s: pure Go %.2f, oneDNN %.2f, PyTorch %.2f\n", s, acc["go", s], acc["onednn", s], acc["pytorch", s]
		}
		print "pure Go:  " stats("go")
		print "oneDNN:   " stats("onednn")
		print "PyTorch:  " stats("pytorch")
		n = 0; m = 0
		for (s in seen) { d[s] = acc["onednn", s] - acc["go", s]; n++; m += d[s] }
		m /= n; v = 0
		for (s in seen) v += (d[s] - m)^2
		se = n > 1 ? sqrt(v / (n - 1) / n) : 0
		printf "paired difference, oneDNN minus pure Go: %+.2f +- %.2f points (goal: within 1 point)\n", m, se
	}'
