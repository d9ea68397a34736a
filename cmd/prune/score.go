package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"

	"beyondscaling/lib/backend"
	"beyondscaling/lib/cachekey"
	"beyondscaling/lib/data"
	"beyondscaling/lib/embeddings"
	"beyondscaling/lib/experiment"
	"beyondscaling/lib/project"
	"beyondscaling/lib/scoring"
	"beyondscaling/lib/settings"
	"beyondscaling/lib/textlog"
	"beyondscaling/lib/train"
)

func init() {
	register("score", "score training examples with a pruning metric (EL2N, forgetting, memorization, prototypes, ...): writes a score file", runScore)
}

func runScore(args []string, stdout io.Writer) error {
	fs := newFlags("score", "--metric NAME[,NAME...]|all --dataset D [--subset IDS] [--profile P] --out FILE_OR_DIR")
	metricNames := fs.String("metric", "", "metric name(s), comma-separated, or all: "+strings.Join(scoring.Names(), ", "))
	dataset := fs.String("dataset", "cifar10", "dataset whose training split is scored")
	subset := fs.String("subset", "", "score only these training example IDs (file from prune select)")
	prof := fs.String("profile", "", "preset of probe networks: smoke, cpu or paper (default: PRUNE_PROFILE, else by machine)")
	out := fs.String("out", "", "score file (one metric) or folder (several: NAME.csv each)")
	work := fs.String("work", "", "folder keeping finished probe networks (resume); default out/scores/DATASET-PRESET")
	embeddingsFile := fs.String("embeddings", "", "for ssl-prototypes: your own embeddings (.npy with .npy.ids, or CSV id,v1,...) instead of training an encoder")
	seed := fs.Uint64("seed", 0, "seed of random scores and k-means")
	recompute := fs.Bool("recompute", false, "retrain cached probe networks made by another code version (default: reuse them with a warning)")
	list := fs.Bool("list", false, "describe every metric (definition, labels, cost) and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *list {
		for _, m := range scoring.Metrics() {
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
		names = scoring.Names()
	}
	for _, n := range names {
		if _, err := scoring.Lookup(n); err != nil {
			return err
		}
	}
	p, _, err := project.CurrentProfile()
	if err != nil {
		return err
	}
	if *prof != "" {
		if p, err = project.ParseProfile(*prof); err != nil {
			return err
		}
	}
	preset := scoring.PresetFor(p, *dataset)
	trainDS, _, set, err := loadSplits(*dataset, *subset)
	if err != nil {
		return err
	}
	// Influence is measured on the held-out validation split, which is
	// never scored: without --subset the scored set is the full set (the
	// training split less the validation split).
	val, err := experiment.Validation(trainDS)
	if err != nil {
		return err
	}
	if *subset == "" {
		if set, err = experiment.FullSet(trainDS); err != nil {
			return err
		}
	} else if n := overlap(set, val); n > 0 {
		// A subset chosen by hand may include validation examples: they
		// are scored, and influence is measured on the rest of the split.
		val = minus(val, set)
		fmt.Fprintf(stdout, "--subset holds %d examples of the validation split: influence is measured on the other %d\n", n, len(val.Idx))
	}
	recipe, err := settings.ProbeRecipe(*dataset, preset)
	if err != nil {
		return err
	}
	aug, err := train.AugmentFor(*dataset, recipe.Augmentation, 1)
	if err != nil {
		return err
	}
	if *work == "" {
		o, err := project.Out()
		if err != nil {
			return err
		}
		// Keyed by the examples scored: a second subset of the same size
		// gets its own folder (and each probe inside is keyed by its
		// configuration too).
		*work = filepath.Join(o, "scores", fmt.Sprintf("%s-%s-%d-%s", *dataset, p, len(set.Idx), cachekey.HashStrings(set.IDs())))
	}
	b, err := backend.Open()
	if err != nil {
		return err
	}
	defer b.Finalize()
	env := &scoring.Env{Backend: b, Train: set, Validation: val, Augment: aug, Preset: preset, Recipe: recipe, WorkDir: *work, Logger: textlog.New(os.Stderr, slog.LevelDebug), Recompute: *recompute}
	if *embeddingsFile != "" {
		if env.Embeddings, err = embeddings.Read(*embeddingsFile); err != nil {
			return err
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	fmt.Fprintf(stdout, "scoring %d %s training examples, preset %s, probe %s, work folder %s\n", len(set.Idx), *dataset, preset.Name, preset.Model, *work)
	for _, n := range names {
		sc, err := scoring.Compute(ctx, env, n, *seed)
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
		s := slices.Sorted(slices.Values(sc.Values))
		fmt.Fprintf(stdout, "%-22s %s: min %.4g, median %.4g, max %.4g\n", n, path, s[0], s[len(s)/2], s[len(s)-1])
		if s[0] == s[len(s)-1] {
			// A constant score ranks nothing: selection by it is random
			// tie-breaking. Influence-max saturates this way when a few
			// subset networks face thousands of validation examples.
			fmt.Fprintf(stdout, "%-22s warning: every example scores %.4g, so this score ranks nothing; more probe networks (a larger preset) resolve it\n", n, s[0])
		}
	}
	return nil
}

// overlap counts the examples of a that are in b.
func overlap(a, b data.Subset) int {
	in := make(map[int]bool, len(b.Idx))
	for _, i := range b.Idx {
		in[i] = true
	}
	n := 0
	for _, i := range a.Idx {
		if in[i] {
			n++
		}
	}
	return n
}

// minus is a without the examples of b.
func minus(a, b data.Subset) data.Subset {
	in := make(map[int]bool, len(b.Idx))
	for _, i := range b.Idx {
		in[i] = true
	}
	out := data.Subset{DS: a.DS}
	for _, i := range a.Idx {
		if !in[i] {
			out.Idx = append(out.Idx, i)
		}
	}
	return out
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
