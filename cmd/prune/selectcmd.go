package main

import (
	"fmt"
	"io"
	"strings"

	"beyondscaling/lib/atomicfile"
	"beyondscaling/lib/data"
	"beyondscaling/lib/project"
	"beyondscaling/lib/prune"
)

func init() {
	register("select", "keep a fraction of examples by score (hard/easy/random/ccs, class balancing): writes an ID file", runSelect)
}

func runSelect(args []string, stdout io.Writer) error {
	fs := newFlags("select", "--scores FILE --keep hard|easy|random|ccs --f F [--balance R] [--offset O] [--strata K] [--dataset NAME [--split train] | --labels-from-ids] --out IDS")
	scoresPath := fs.String("scores", "", "score file (ID and score per row; high = hard = keep; layout rules below)")
	keepName := fs.String("keep", "hard", "hard (highest scores), easy (lowest), random, or ccs (coverage-centric: after the --offset cut, an even share of the budget from each of --strata equal-width score strata, sampled at random; Zheng et al., ICLR 2023)")
	f := fs.Float64("f", 0, "fraction kept, in (0, 1]")
	balance := fs.Float64("balance", 0, "class-balancing ratio r in [0, 1] (needs labels: --dataset, or ILSVRC IDs)")
	offset := fs.Float64("offset", 0, "drop the hardest fraction first, in [0, 1) (for ccs: the hard cutoff β)")
	strata := fs.Int("strata", prune.DefaultStrata, "ccs: number of equal-width score strata")
	dataset := fs.String("dataset", "", "dataset the scores belong to (checks IDs and row count, gives labels)")
	split := fs.String("split", "train", "dataset split")
	labelsFromIDs := fs.Bool("labels-from-ids", false, "take class labels from ILSVRC-2012 training IDs (n01440764_10026: class n01440764) instead of a dataset; automatic when every ID is one")
	seed := fs.Uint64("seed", 0, "seed for random selection and ties")
	out := fs.String("out", "", "output file of kept example IDs, one per line")
	read := addScoreFileFlags(fs)
	withRules(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *scoresPath == "" || *out == "" {
		return fmt.Errorf("--scores and --out are required")
	}
	if *dataset != "" && *labelsFromIDs {
		return fmt.Errorf("give --dataset or --labels-from-ids, not both (with --dataset the labels come from the dataset)")
	}
	keep, err := prune.ParsePolicy(*keepName)
	if err != nil {
		return err
	}
	opt, err := read.options()
	if err != nil {
		return err
	}
	var ds *data.Index
	if *dataset != "" {
		root, err := project.Root()
		if err != nil {
			return err
		}
		cache, err := project.Data()
		if err != nil {
			return err
		}
		dir, err := data.Locate(cache, root, *dataset)
		if err != nil {
			return err
		}
		if ds, err = data.OpenIndex(dir, *dataset, *split); err != nil {
			return err
		}
		opt.Partial = true // Align checks the rows against the dataset's examples
	}
	sc, err := prune.ReadScoresWith(*scoresPath, opt)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "scores: %s: %d rows; %s\n", *scoresPath, len(sc.IDs), sc.Layout)
	ids, values := sc.IDs, sc.Values
	var labels []int32
	var classes []string
	switch {
	case ds != nil:
		if values, err = sc.Align(ds.IDs); err != nil {
			return fmt.Errorf("%s: %w", *scoresPath, err)
		}
		ids, labels, classes = ds.IDs, ds.Labels, ds.Classes
	case sc.Layout.Positional:
		return fmt.Errorf("%s has no ID column (row k is example k): give --dataset so that rows become example IDs, or --id-column if it has one", *scoresPath)
	case *labelsFromIDs || sc.Layout.ILSVRC:
		if labels, classes, err = prune.LabelsFromIDs(ids); err != nil {
			return fmt.Errorf("%s: %w", *scoresPath, err)
		}
		how := "--labels-from-ids"
		if !*labelsFromIDs {
			how = "automatic: every ID is an ILSVRC-2012 training file name"
		}
		fmt.Fprintf(stdout, "labels: from the IDs' WordNet prefixes, %d classes (%s; no images read)\n", len(classes), how)
	case *balance > 0:
		return fmt.Errorf("--balance needs class labels: give --dataset, or --labels-from-ids when the IDs are ILSVRC training IDs (n01440764_10026)")
	}
	idx, err := prune.Select(values, labels, prune.Options{Keep: keep, F: *f, Balance: *balance, Offset: *offset, Strata: *strata, Seed: *seed})
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, i := range idx {
		b.WriteString(ids[i])
		b.WriteByte('\n')
	}
	if err := atomicfile.WriteBytes(*out, []byte(b.String())); err != nil {
		return err
	}
	how := fmt.Sprintf("balance %g", *balance)
	if keep == prune.KeepCCS {
		how = fmt.Sprintf("hard cutoff β = %g, %d strata", *offset, *strata)
	}
	fmt.Fprintf(stdout, "kept %d of %d examples (keep %s, f = %g, %s) -> %s\n", len(idx), len(ids), keep, *f, how, *out)
	if labels != nil {
		counts := make([]int, len(classes))
		for _, i := range idx {
			counts[labels[i]]++
		}
		if len(classes) <= 20 {
			var parts []string
			for c, n := range counts {
				parts = append(parts, fmt.Sprintf("%s %d", classes[c], n))
			}
			fmt.Fprintf(stdout, "per class: %s\n", strings.Join(parts, ", "))
		} else {
			lo, hi := 0, 0
			for c, n := range counts {
				if n < counts[lo] {
					lo = c
				}
				if n > counts[hi] {
					hi = c
				}
			}
			fmt.Fprintf(stdout, "per class: %d (%s) to %d (%s) kept of %d classes\n", counts[lo], classes[lo], counts[hi], classes[hi], len(classes))
		}
	}
	return nil
}
