#!/usr/bin/env bash
# Stress test for the SIMD crash (environment.md, "The SIMD crash"): run
# notebook 06's (or 05's) sweeps at the smoke profile N times, each in a
# fresh PRUNE_OUT (so every run trains its probe and sweep networks from
# scratch, as the notebook test does), under GOTRACEBACK=all and nice, and
# count the runs that crash.
#
#   scripts/stress.sh [-n RUNS] [-notebook 05|06] [-profile smoke] [-runs K] [-logs DIR] [-- extra go build flags]
#
# -runs K runs only the first K runs of the notebook's first sweep (-runs 1 on
# notebook 06: one CNN probe network and one MLP, a few seconds; the crash
# struck there) instead of the whole sweep (half a minute on a quiet machine).
# GOEXPERIMENT is taken from the environment: make stress passes the
# Makefile's (simd unless PRUNE_SIMD=0); run by hand, none unless set.
# GOEXPERIMENT=simd PRUNE_NO_HEAP_SLACK=1 scripts/stress.sh shows the crash;
# with the heap slack (lib/backend, the default) it should not appear.
#
# A crashed run's whole log is kept in the logs folder (default
# .cache/stress); its first lines (the fatal error or panic and the first
# goroutine) are printed. The exit status is 1 when any run crashed.
set -uo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=${GOTOOLCHAIN:-go1.27.3}
# GOEXPERIMENT as given (none unless set; see the header).
export GOEXPERIMENT=${GOEXPERIMENT:-}
export GOTRACEBACK=all
if [ -z "${PRUNE_SHARED_DATA:-}" ] && [ -d ../shared/data ]; then
	export PRUNE_SHARED_DATA=$(cd ../shared/data && pwd)
fi
runs=50 notebook=06 prof=smoke first=0 logs=.cache/stress
while [ $# -gt 0 ]; do
	case "$1" in
	-n) runs=$2; shift 2 ;;
	-notebook) notebook=$2; shift 2 ;;
	-profile) prof=$2; shift 2 ;;
	-runs) first=$2; shift 2 ;;
	-logs) logs=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "stress.sh: unknown argument $1 (see the comment at the top of $0)" >&2; exit 2 ;;
	esac
done
mkdir -p "$logs"
bin=$logs/stresssweep
nice -n "${NICE:-10}" go build "$@" -o "$bin" ./scripts/stresssweep || exit 2
crashes=0 failures=0
t0=$SECONDS
for i in $(seq 1 "$runs"); do
	out=$(mktemp -d "${TMPDIR:-/tmp}/stress-out.XXXXXX")
	log=$logs/run-$notebook-$i.log
	s=$SECONDS
	PRUNE_OUT=$out nice -n "${NICE:-10}" "$bin" -notebook "$notebook" -profile "$prof" -runs "$first" >"$log" 2>&1
	rc=$?
	rm -rf "$out"
	if [ $rc -eq 0 ]; then
		echo "run $i/$runs: ok in $((SECONDS - s))s"
		rm -f "$log"
		continue
	fi
	if grep -qE '^(fatal error:|panic:|SIG[A-Z]+:|unexpected fault address)' "$log"; then
		crashes=$((crashes + 1))
		echo "run $i/$runs: CRASH (exit $rc) after $((SECONDS - s))s, log $log; first lines:"
		# The runtime's own message and the first goroutine: from the first
		# fatal error/panic line to the first blank line after a goroutine header.
		awk '/^(fatal error:|panic:|SIG[A-Z]+:|unexpected fault address)/{p=1} p{print "    " $0; if (/^goroutine /) g=1; else if (g && /^$/) exit}' "$log" | head -60
	else
		failures=$((failures + 1))
		echo "run $i/$runs: failed (exit $rc) without a crash dump, log $log:"
		tail -5 "$log" | sed 's/^/    /'
		echo "stress: stopping: an ordinary error (missing data? set PRUNE_SHARED_DATA) is not what this counts" >&2
		break
	fi
done
echo "stress: notebook $notebook, profile $prof, sweep runs $first (0 = all), GOEXPERIMENT=$GOEXPERIMENT: $i runs, $crashes crashed, $failures failed otherwise, $((SECONDS - t0))s"
[ $crashes -eq 0 ] && [ $failures -eq 0 ]
