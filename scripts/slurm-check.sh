#!/usr/bin/env bash
# Runs a sweep as a Slurm job array on a real Slurm: a one-node cluster
# (controller and node) started here on the loopback address, with its own
# munge key and configuration in a temporary folder (SLURM_CONF points
# there; the system's configuration is never written), and checks the run
# with scripts/slurmcheck (what it checks: its package comment and
# environment.md, "Running on a cluster").
#
# The daemons listen on 127.0.0.1 only (NoInAddrAny). Installs slurm-wlm
# and munge from Debian if they are missing (as root; on a machine whose
# init starts services, installing munge also enables Debian's own munge
# service with its own key, as any installation of it does; this check
# uses neither). Always cancels its jobs, stops the daemons it started by
# their process IDs and removes its folder, also when a check fails or on
# Ctrl-C or SIGTERM (not on SIGKILL, which no script can catch); set KEEP=1
# to keep the folder (logs, store) for a look.
#
# Then validates the Kubernetes export of the same sweep (scripts/k8scheck).
#
# Usage: scripts/slurm-check.sh   (or make slurm-check), as root
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export GOTOOLCHAIN=${GOTOOLCHAIN:-go1.27.3}
export GOEXPERIMENT=${GOEXPERIMENT-simd}

say() { echo "[slurm-check] $*"; }

if [ "$(id -u)" != 0 ]; then
	say "needs root (to install Slurm and start its daemons as root on loopback): run it with sudo, as CI does"
	exit 1
fi

if ! command -v sbatch >/dev/null || ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
	say "installing slurm-wlm and munge from Debian"
	apt-get update -q >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm munge >/dev/null
fi

dir=$(mktemp -d /tmp/prune-slurm.XXXXXX)
chmod 755 "$dir"
pids=()
child=
# Long steps run in the background and are waited for, so that a signal
# (Ctrl-C, a CI timeout's SIGTERM) reaches the trap at once rather than
# after the step.
in_background() {
	"$@" &
	child=$!
	wait "$child"
	child=
}
cleanup() {
	local status=$?
	trap '' INT TERM # a second signal must not cut the cleanup short
	if [ -n "$child" ]; then kill "$child" 2>/dev/null || true; fi
	# The cluster's jobs first, so that no task outlives the daemons.
	if [ -n "${SLURM_CONF:-}" ] && [ ${#pids[@]} -ge 2 ]; then
		scancel --user=root 2>/dev/null || true
		for _ in $(seq 50); do [ -z "$(squeue -h 2>/dev/null)" ] && break; sleep 0.1; done
	fi
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	for p in "${pids[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null || true
	done
	# Whatever is left of this cluster's tasks: its slurmstepd processes
	# (known by their open files in this folder) and the prune tasks.
	for p in $(pgrep -f '^slurmstepd: \[' || true); do
		if ls -l "/proc/$p/fd" 2>/dev/null | grep -q "$dir/"; then
			kill -9 "$p" 2>/dev/null || true
		fi
	done
	pkill -9 -f "$dir/bin/prune" 2>/dev/null || true
	if [ "${KEEP:-}" = 1 ]; then
		say "kept $dir"
	else
		rm -rf "$dir"
	fi
	if [ $status -ne 0 ]; then say "FAILED (exit status $status)"; fi
	exit $status
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# munge: its own key, socket and logs (the socket's folder must be
# world-searchable, the key's private to the munge user).
mkdir -p "$dir/munge" "$dir/munge-key" "$dir/state" "$dir/spool" "$dir/bin" "$dir/work"
chown munge:munge "$dir/munge" "$dir/munge-key"
chmod 755 "$dir/munge"
chmod 700 "$dir/munge-key"
head -c 1024 /dev/urandom >"$dir/munge-key/munge.key"
chown munge:munge "$dir/munge-key/munge.key"
chmod 400 "$dir/munge-key/munge.key"
# started waits for a daemon's PID file and records the PID, or shows the
# daemon's log and stops.
started() {
	local name=$1 pidfile=$2 log=$3
	for _ in $(seq 100); do [ -s "$pidfile" ] && break; sleep 0.1; done
	if [ ! -s "$pidfile" ]; then
		say "$name did not start; its log ($log):"
		tail -20 "$log" 2>/dev/null || true
		exit 1
	fi
	pids+=("$(cat "$pidfile")")
}
runuser -u munge -- munged --socket="$dir/munge/munge.socket" --key-file="$dir/munge-key/munge.key" \
	--pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed"
started munged "$dir/munge/munged.pid" "$dir/munge/munged.log"

# Ports: two free ones between 20000 and 32767 (below the kernel's range for
# outgoing connections, which could take one before Slurm binds it), so that
# a Slurm already on the machine is left alone.
free_port() {
	local p
	for _ in $(seq 100); do
		p=$((20000 + RANDOM % 12768))
		if ! ss -Htln "sport = :$p" | grep -q . && [ "$p" != "${1:-}" ]; then
			echo "$p"
			return
		fi
	done
	say "no free port found between 20000 and 32767"
	exit 1
}
ctld_port=$(free_port)
node_port=$(free_port "$ctld_port")

cpus=4 # two tasks per core on a 2-core machine: tasks overlap in every phase
cat >"$dir/slurm.conf" <<EOF
ClusterName=prunecheck
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$node_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/jobcomp.txt
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1
MpiDefault=none
ReturnToService=2
MinJobAge=3600
SlurmdParameters=config_overrides
CommunicationParameters=NoInAddrAny,NoCtldInAddrAny
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=8000 State=UNKNOWN
PartitionName=check Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$dir/slurm.conf
slurmctld -f "$SLURM_CONF"
started slurmctld "$dir/slurmctld.pid" "$dir/slurmctld.log"
slurmd -f "$SLURM_CONF" -N localhost
started slurmd "$dir/slurmd.pid" "$dir/slurmd.log"
state=
for _ in $(seq 300); do
	state=$(sinfo -h -n localhost -o %T 2>/dev/null || true)
	[ "$state" = idle ] && break
	sleep 0.1
done
if [ "$state" != idle ]; then
	say "the node did not become idle (state '$state'); slurmctld log:"
	tail -20 "$dir/slurmctld.log"
	exit 1
fi
say "Slurm $(sinfo -V | cut -d' ' -f2) up on 127.0.0.1 (controller port $ctld_port, node port $node_port): one node, $cpus CPUs"

in_background go build -o "$dir/bin/prune" ./cmd/prune
in_background go build -o "$dir/bin/slurmcheck" ./scripts/slurmcheck
PRUNE_ROOT=$root in_background "$dir/bin/slurmcheck" -prune "$dir/bin/prune" -work "$dir/work"

# The Kubernetes export of the same sweep, validated against the Kubernetes
# API's Go types (scripts/k8scheck, a module of its own; no cluster needed).
out=$("$dir/bin/prune" sweep export --spec "$dir/work/spec.json" --store /shared/store --k8s "$dir/job.yaml")
runs=$(sed -n 's/^Kubernetes Indexed Job of \([0-9]*\) completions.*/\1/p' <<<"$out")
cd scripts/k8scheck
in_background go run . -runs "$runs" "$dir/job.yaml"
