// Command k8scheck validates a Kubernetes Indexed Job manifest written by
// `prune sweep export --k8s` against the Kubernetes API's own Go types
// (k8s.io/api/batch/v1.Job): the YAML is decoded strictly, so that a field
// the API does not have, a value of the wrong type or a resource quantity
// that does not parse is an error, and then checked for what a sweep's job
// array needs: an Indexed Job with one completion per run, whose container
// runs `prune sweep run` with the completion index Kubernetes sets
// (JOB_COMPLETION_INDEX), never restarted in place, with the shared volume
// mounted. It is a separate module so that the project's own module does
// not depend on the Kubernetes API packages. scripts/slurm-check.sh runs
// it; it does not need a cluster.
//
// Usage: go run . -runs N MANIFEST
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

func main() {
	runs := flag.Int("runs", 0, "the sweep's number of runs")
	flag.Parse()
	if flag.NArg() != 1 || *runs < 1 {
		fmt.Fprintln(os.Stderr, "usage: k8scheck -runs N MANIFEST")
		os.Exit(2)
	}
	if err := check(flag.Arg(0), *runs); err != nil {
		fmt.Fprintf(os.Stderr, "k8s check: %s: %v\n", flag.Arg(0), err)
		os.Exit(1)
	}
}

func check(path string, runs int) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var job batchv1.Job
	if err := yaml.UnmarshalStrict(b, &job); err != nil {
		return fmt.Errorf("not a valid batch/v1 Job: %w", err)
	}
	s := job.Spec
	switch {
	case job.APIVersion != "batch/v1" || job.Kind != "Job":
		return fmt.Errorf("apiVersion %q kind %q, want batch/v1 Job", job.APIVersion, job.Kind)
	case job.Name == "":
		return errors.New("the Job has no name")
	case s.CompletionMode == nil || *s.CompletionMode != batchv1.IndexedCompletion:
		return errors.New("completionMode is not Indexed: tasks would not get a completion index")
	case s.Completions == nil || int(*s.Completions) != runs:
		return fmt.Errorf("completions %v, want one per run (%d)", s.Completions, runs)
	case s.Parallelism == nil || *s.Parallelism < 1:
		return errors.New("parallelism is not set")
	case s.Template.Spec.RestartPolicy != corev1.RestartPolicyNever:
		return fmt.Errorf("restartPolicy %q: a failed task should be retried as a new pod (Never)", s.Template.Spec.RestartPolicy)
	case len(s.Template.Spec.Containers) != 1:
		return fmt.Errorf("%d containers, want 1", len(s.Template.Spec.Containers))
	}
	c := s.Template.Spec.Containers[0]
	cmd := c.Command
	if len(cmd) < 3 || cmd[1] != "sweep" || cmd[2] != "run" {
		return fmt.Errorf("the container runs %q, not prune sweep run", cmd)
	}
	if i := slices.Index(cmd, "--index-from-env"); i < 0 || i+1 >= len(cmd) || cmd[i+1] != "JOB_COMPLETION_INDEX" {
		return fmt.Errorf("the container does not read its run index from JOB_COMPLETION_INDEX: %q", cmd)
	}
	if len(c.VolumeMounts) == 0 || len(s.Template.Spec.Volumes) == 0 || c.VolumeMounts[0].Name != s.Template.Spec.Volumes[0].Name {
		return errors.New("the shared volume is not mounted into the container")
	}
	if s.Template.Spec.Volumes[0].PersistentVolumeClaim == nil {
		return errors.New("the shared volume is not a persistent volume claim")
	}
	fmt.Printf("k8s check: %s is a valid batch/v1 Job (decoded strictly into k8s.io/api types): Indexed, %d completions, %d at a time, each running prune sweep run with its completion index\n",
		path, *s.Completions, *s.Parallelism)
	return nil
}
