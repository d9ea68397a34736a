package sweep

import (
	"fmt"
	"strings"
)

// Cluster describes where an exported job array runs.
type Cluster struct {
	SpecPath  string // the spec, on shared storage
	StorePath string // the result store, on shared storage
	Binary    string // the prune binary as seen by a task (e.g. /shared/bin/prune)
	Image     string // container image (Kubernetes)
	Volume    string // persistent volume claim holding the shared storage (Kubernetes)
	MountPath string // where it is mounted (Kubernetes)
	GPUs      int    // per task
	CPUs      int    // per task
	Parallel  int    // tasks at once (0: no limit)
	Time      string // Slurm time limit, e.g. 04:00:00
	Memory    string // per task, e.g. 16G
}

// SlurmScript is an sbatch job-array script: task i runs
// `prune sweep run --index i`; finished runs are skipped on resubmission.
// Each task's output goes to STORE/logs/JOB_TASK.log. Slurm opens that file
// before the script starts, so the folder must exist when the array is
// submitted (a script cannot create its own log folder): `prune sweep
// export` creates it, and the script says so.
func SlurmScript(s Spec, c Cluster) string {
	n := len(s.Runs())
	array := fmt.Sprintf("0-%d", n-1)
	if c.Parallel > 0 {
		array += fmt.Sprintf("%%%d", c.Parallel)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "#!/bin/bash\n")
	fmt.Fprintf(&b, "#SBATCH --job-name=%s\n", slug(s.Name))
	fmt.Fprintf(&b, "#SBATCH --array=%s\n", array)
	fmt.Fprintf(&b, "#SBATCH --cpus-per-task=%d\n", max(1, c.CPUs))
	if c.GPUs > 0 {
		fmt.Fprintf(&b, "#SBATCH --gres=gpu:%d\n", c.GPUs)
	}
	if c.Memory != "" {
		fmt.Fprintf(&b, "#SBATCH --mem=%s\n", c.Memory)
	}
	if c.Time != "" {
		fmt.Fprintf(&b, "#SBATCH --time=%s\n", c.Time)
	}
	fmt.Fprintf(&b, "#SBATCH --output=%s/logs/%%A_%%a.log\n", c.StorePath)
	fmt.Fprintf(&b, "# %d runs of sweep %q; resubmitting skips finished runs.\n", n, s.Name)
	fmt.Fprintf(&b, "# The log folder %s must exist before sbatch (Slurm opens the log files first).\n", c.StorePath+"/logs")
	fmt.Fprintf(&b, "set -euo pipefail\n")
	fmt.Fprintf(&b, "exec %q sweep run --spec %q --store %q --index \"$SLURM_ARRAY_TASK_ID\"\n", c.Binary, c.SpecPath, c.StorePath)
	return b.String()
}

// KubernetesJob is an Indexed Job manifest: completion index i runs
// `prune sweep run --index i` against a shared volume.
func KubernetesJob(s Spec, c Cluster) string {
	n := len(s.Runs())
	par := c.Parallel
	if par <= 0 {
		par = n
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %d runs of sweep %q; re-applying skips finished runs.\n", n, s.Name)
	fmt.Fprintf(&b, "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: %s\nspec:\n", slug(s.Name))
	fmt.Fprintf(&b, "  completionMode: Indexed\n  completions: %d\n  parallelism: %d\n  backoffLimitPerIndex: 2\n  template:\n    spec:\n", n, par)
	fmt.Fprintf(&b, "      restartPolicy: Never\n      containers:\n      - name: run\n        image: %q\n", c.Image)
	fmt.Fprintf(&b, "        command: [%q, \"sweep\", \"run\", \"--spec\", %q, \"--store\", %q, \"--index-from-env\", \"JOB_COMPLETION_INDEX\"]\n", c.Binary, c.SpecPath, c.StorePath)
	fmt.Fprintf(&b, "        resources:\n          limits:\n            cpu: \"%d\"\n", max(1, c.CPUs))
	if c.Memory != "" {
		fmt.Fprintf(&b, "            memory: %q\n", strings.TrimSuffix(c.Memory, "G")+"Gi")
	}
	if c.GPUs > 0 {
		fmt.Fprintf(&b, "            nvidia.com/gpu: \"%d\"\n", c.GPUs)
	}
	fmt.Fprintf(&b, "        volumeMounts:\n        - name: shared\n          mountPath: %q\n", c.MountPath)
	fmt.Fprintf(&b, "      volumes:\n      - name: shared\n        persistentVolumeClaim:\n          claimName: %q\n", c.Volume)
	return b.String()
}

func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	out := strings.Trim(b.String(), "-")
	if out == "" {
		return "sweep"
	}
	return out
}
