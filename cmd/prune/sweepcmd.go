package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"

	"beyondscaling/lib/atomicfile"
	"beyondscaling/lib/backend"
	"beyondscaling/lib/experiment"
	"beyondscaling/lib/project"
	"beyondscaling/lib/sweep"
	"beyondscaling/lib/textlog"
)

func init() {
	register("sweep", "run, check, collect or export (Slurm, Kubernetes) a resumable pruning sweep", runSweep)
}

func runSweep(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: prune sweep run|status|collect|export --spec FILE --store DIR ...")
	}
	sub, args := args[0], args[1:]
	fs := newFlags("sweep "+sub, "--spec FILE --store DIR ...")
	specPath := fs.String("spec", "", "sweep spec (JSON)")
	storeDir := fs.String("store", "", "result store folder (shared storage for job arrays)")
	index := fs.Int("index", -1, "run only this run index (a job-array task)")
	indexEnv := fs.String("index-from-env", "", "read the run index from this environment variable (e.g. JOB_COMPLETION_INDEX)")
	workers := fs.Int("workers", 1, "runs in parallel (each uses all cores; more helps only for tiny models)")
	recompute := fs.Bool("recompute", false, "recompute finished runs, scores and probe networks made by another code version (default: reuse them with a warning)")
	out := fs.String("out", "", "collect: CSV of finished runs")
	slurm := fs.String("slurm", "", "export: write an sbatch job-array script here")
	k8s := fs.String("k8s", "", "export: write a Kubernetes Indexed Job manifest here")
	var c sweep.Cluster
	fs.StringVar(&c.Binary, "binary", "prune", "export: path of the prune binary as a task sees it")
	fs.StringVar(&c.Image, "image", "beyondscaling:latest", "export: container image (Kubernetes)")
	fs.StringVar(&c.Volume, "volume", "pruning-shared", "export: persistent volume claim with the shared storage (Kubernetes)")
	fs.StringVar(&c.MountPath, "mount", "/shared", "export: where the shared storage is mounted (Kubernetes)")
	fs.IntVar(&c.GPUs, "gpus", 1, "export: GPUs per task")
	fs.IntVar(&c.CPUs, "cpus", 8, "export: CPUs per task")
	fs.IntVar(&c.Parallel, "parallel", 0, "export: tasks at once (0: no limit)")
	fs.StringVar(&c.Time, "time", "24:00:00", "export: Slurm time limit")
	fs.StringVar(&c.Memory, "mem", "32G", "export: memory per task")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *specPath == "" || *storeDir == "" {
		return fmt.Errorf("--spec and --store are required")
	}
	spec, err := sweep.ReadSpec(*specPath)
	if err != nil {
		return err
	}
	st := sweep.Store{Dir: *storeDir}
	runs := spec.Runs()
	switch sub {
	case "run":
		var indices []int
		if *indexEnv != "" {
			v, err := strconv.Atoi(os.Getenv(*indexEnv))
			if err != nil {
				return fmt.Errorf("--index-from-env %s: %q is not an index", *indexEnv, os.Getenv(*indexEnv))
			}
			*index = v
		}
		if *index >= 0 {
			indices = []int{*index}
		}
		b, err := backend.Open()
		if err != nil {
			return err
		}
		defer b.Finalize()
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		r := &experiment.Runner{Backend: b, Store: st, Logger: textlog.New(os.Stderr, slog.LevelDebug), Recompute: *recompute}
		opt := sweep.Options{Workers: *workers, Indices: indices, CodeVersion: project.CodeVersion(), Recompute: *recompute, Backend: backend.Name(b), Verify: r.Verify, Log: stdout}
		if err := sweep.Execute(ctx, spec, st, r.Run, opt); err != nil {
			return err
		}
		done, _ := st.Collect(spec)
		fmt.Fprintf(stdout, "sweep %s: %d of %d runs done\n", spec.Name, len(done), len(runs))
	case "status":
		done, missing := st.Collect(spec)
		fmt.Fprintf(stdout, "sweep %s: %d of %d runs done, %d missing\n", spec.Name, len(done), len(runs), len(missing))
		for i, m := range missing {
			if i == 10 {
				fmt.Fprintf(stdout, "  ... and %d more\n", len(missing)-10)
				break
			}
			fmt.Fprintf(stdout, "  missing: %s\n", m)
		}
	case "collect":
		if *out == "" {
			return fmt.Errorf("collect needs --out FILE.csv")
		}
		done, missing := st.Collect(spec)
		sort.SliceStable(done, func(a, b int) bool { return done[a].Run.Size < done[b].Run.Size })
		err := atomicfile.Write(*out, func(w io.Writer) error {
			cw := csv.NewWriter(w)
			cw.Write([]string{"dataset", "model", "epochs", "metric", "keep", "fraction", "size", "seed", "balance", "trained", "test_error", "test_top5", "seconds", "selection_seconds", "batch", "lr", "weight_decay", "schedule", "steps", "backend", "key"})
			for _, d := range done {
				r := d.Run
				cw.Write([]string{r.Dataset, r.Model, strconv.Itoa(r.Recipe.Epochs), r.Metric, r.Keep, ftoa(r.Fraction), strconv.Itoa(r.Size),
					strconv.FormatUint(r.Seed, 10), ftoa(r.Balance), strconv.Itoa(d.Trained), ftoa(d.TestError), ftoa(d.TestTop5), ftoa(d.Seconds), ftoa(d.SelectionSeconds),
					strconv.Itoa(d.Training.Batch), ftoa(d.Training.LR), ftoa(d.Training.WeightDecay), d.Training.Schedule, strconv.Itoa(d.Training.Steps), d.Training.Backend, d.Key})
			}
			cw.Flush()
			return cw.Error()
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d runs written to %s (%d missing)\n", len(done), *out, len(missing))
	case "export":
		if *slurm == "" && *k8s == "" {
			return fmt.Errorf("export needs --slurm FILE and/or --k8s FILE")
		}
		c.SpecPath, c.StorePath = *specPath, *storeDir
		if *slurm != "" {
			if err := atomicfile.WriteBytes(*slurm, []byte(sweep.SlurmScript(spec, c))); err != nil {
				return err
			}
			// Slurm opens each task's log file before the task starts, so
			// the log folder must exist at submission. The store is named as
			// the tasks see it; where it is not reachable from here, say so.
			// Only where the store's parent exists here: on a login node
			// without the shared mount, a folder made here would hide it.
			logs := filepath.Join(*storeDir, "logs")
			if _, err := os.Stat(filepath.Dir(filepath.Clean(*storeDir))); err != nil {
				fmt.Fprintf(stdout, "note: %s is not reachable from here: create %s on the cluster before sbatch\n", filepath.Dir(filepath.Clean(*storeDir)), logs)
			} else if err := os.MkdirAll(logs, 0o755); err != nil {
				fmt.Fprintf(stdout, "note: could not create the log folder here (%v): create %s on the cluster before sbatch\n", err, logs)
			}
			fmt.Fprintf(stdout, "Slurm array of %d tasks: sbatch %s\n", len(runs), *slurm)
		}
		if *k8s != "" {
			if err := atomicfile.WriteBytes(*k8s, []byte(sweep.KubernetesJob(spec, c))); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "Kubernetes Indexed Job of %d completions: kubectl apply -f %s\n", len(runs), *k8s)
		}
	default:
		return fmt.Errorf("unknown sweep subcommand %q: use run, status, collect or export", sub)
	}
	return nil
}

func ftoa(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
