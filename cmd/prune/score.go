package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"beyondscaling/lib/backend"
	"beyondscaling/lib/data"
	"beyondscaling/lib/metrics"
	"beyondscaling/lib/paths"
	"beyondscaling/lib/profile"
)

func init() {
	register("score", "score training examples with a pruning metric (EL2N, forgetting, memorization, prototypes, ...): writes a score file", runScore)
}

func runScore(args []string, stdout io.Writer) error {
	fs := newFlags("score", "--metric NAME[,NAME...]|all --dataset D [--subset IDS] [--profile P] --out FILE_OR_DIR")
	metricNames := fs.String("metric", "", "metric name(s), comma-separated, or all: "+strings.Join(metrics.Names(), ", "))
	dataset := fs.String("dataset", "cifar10", "dataset whose training split is scored")
	subset := fs.String("subset", "", "score only these training example IDs (file from prune select)")
	prof := fs.String("profile", "", "preset of probe networks: smoke, cpu or paper (default: PRUNE_PROFILE, else by machine)")
	out := fs.String("out", "", "score file (one metric) or folder (several: NAME.csv each)")
	work := fs.String("work", "", "folder keeping finished probe networks (resume); default out/scores/DATASET-PRESET")
	embeddings := fs.String("embeddings", "", "for ssl-prototypes: your own embeddings (.npy with .npy.ids, or CSV id,v1,...) instead of training an encoder")
	seed := fs.Uint64("seed", 0, "seed of random scores and k-means")
	list := fs.Bool("list", false, "describe every metric (definition, labels, cost) and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *list {
		for _, m := range metrics.Metrics() {
			labels := "no labels"
			if m.NeedsLabels {
				labels = "needs labels"
			}
			fmt.Fprintf(stdout, "%-22s %s\n%-22s (%s; cost: %s)\n", m.Name, m.Definition, "", labels, m.Cost)
		}
		fmt.Fprintln(stdout, "\nAll scores: high = hard = keep. el2n-1, el2n-20 and grand-last-layer take @EPOCH (snapshot epoch), ssl-prototypes @K (clusters).")
		return nil
	}
	if *metricNames == "" || *out == "" {
		return fmt.Errorf("--metric and --out are required")
	}
	names := strings.Split(*metricNames, ",")
	if *metricNames == "all" {
		names = metrics.Names()
	}
	for _, n := range names {
		if _, err := metrics.Lookup(n); err != nil {
			return err
		}
	}
	p, _, err := profile.Current()
	if err != nil {
		return err
	}
	if *prof != "" {
		if p, err = profile.Parse(*prof); err != nil {
			return err
		}
	}
	preset := metrics.PresetFor(p)
	_, testDS, set, err := loadSplits(*dataset, *subset)
	if err != nil {
		return err
	}
	aug, err := data.AugmentFor(*dataset, 1)
	if err != nil {
		return err
	}
	if *work == "" {
		o, err := paths.Out()
		if err != nil {
			return err
		}
		*work = filepath.Join(o, "scores", fmt.Sprintf("%s-%s-%d", *dataset, p, len(set.Idx)))
	}
	b, err := backend.Open()
	if err != nil {
		return err
	}
	defer b.Finalize()
	env := &metrics.Env{Backend: b, Train: set, Test: testDS, Augment: aug, Preset: preset, WorkDir: *work, Log: os.Stderr}
	if *embeddings != "" {
		if env.Embeddings, err = metrics.ReadEmbeddings(*embeddings); err != nil {
			return err
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	fmt.Fprintf(stdout, "scoring %d %s training examples, preset %s, probe %s, work folder %s\n", len(set.Idx), *dataset, preset.Name, preset.Model, *work)
	for _, n := range names {
		sc, err := metrics.Compute(ctx, env, n, *seed)
		if err != nil {
			return fmt.Errorf("%w (finished probe networks are kept in %s; re-run to resume)", err, *work)
		}
		path := *out
		if len(names) > 1 || isDir(*out) {
			if err := os.MkdirAll(*out, 0o755); err != nil {
				return err
			}
			path = filepath.Join(*out, sc.Meta.Metric+".csv") // the canonical name: grand is written as grand-last-layer
		}
		if err := sc.Write(path); err != nil {
			return err
		}
		s := metrics.SortedCopy(sc.Values)
		fmt.Fprintf(stdout, "%-22s %s: min %.4g, median %.4g, max %.4g\n", n, path, s[0], s[len(s)/2], s[len(s)-1])
	}
	return nil
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
