package main

import (
	"fmt"
	"io"
	"strings"

	"beyondscaling/lib/atomicfile"
	"beyondscaling/lib/data"
	"beyondscaling/lib/paths"
	"beyondscaling/lib/prune"
)

func init() {
	register("select", "keep a fraction of examples by score (hard/easy/random, class balancing): writes an ID file", runSelect)
}

func runSelect(args []string, stdout io.Writer) error {
	fs := newFlags("select", "--scores FILE --keep hard|easy|random --f F [--balance R] [--offset O] [--dataset NAME [--split train]] --out IDS")
	scoresPath := fs.String("scores", "", "score file (CSV id,score; high = hard = keep)")
	keepName := fs.String("keep", "hard", "hard (highest scores), easy (lowest) or random")
	f := fs.Float64("f", 0, "fraction kept, in (0, 1]")
	balance := fs.Float64("balance", 0, "class-balancing ratio r in [0, 1] (needs --dataset for labels)")
	offset := fs.Float64("offset", 0, "drop the hardest fraction first, in [0, 1)")
	dataset := fs.String("dataset", "", "dataset the scores belong to (checks IDs, gives labels)")
	split := fs.String("split", "train", "dataset split")
	seed := fs.Uint64("seed", 0, "seed for random selection and ties")
	out := fs.String("out", "", "output file of kept example IDs, one per line")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *scoresPath == "" || *out == "" {
		return fmt.Errorf("--scores and --out are required")
	}
	keep, err := prune.ParsePolicy(*keepName)
	if err != nil {
		return err
	}
	sc, err := prune.ReadScores(*scoresPath)
	if err != nil {
		return err
	}
	ids, values := sc.IDs, sc.Values
	var labels []int32
	var classes []string
	if *dataset != "" {
		root, err := paths.Root()
		if err != nil {
			return err
		}
		cache, err := paths.Data()
		if err != nil {
			return err
		}
		dir, err := data.Locate(cache, root, *dataset)
		if err != nil {
			return err
		}
		ds, err := data.Open(dir, *dataset, *split)
		if err != nil {
			return err
		}
		if values, err = sc.Align(ds.IDs); err != nil {
			return err
		}
		ids, labels, classes = ds.IDs, ds.Labels, ds.Classes
	} else if *balance > 0 {
		return fmt.Errorf("--balance needs --dataset (the class labels come from it)")
	}
	idx, err := prune.Select(values, labels, prune.Options{Keep: keep, F: *f, Balance: *balance, Offset: *offset, Seed: *seed})
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
	fmt.Fprintf(stdout, "kept %d of %d examples (keep %s, f = %g, balance %g) -> %s\n", len(idx), len(ids), keep, *f, *balance, *out)
	if labels != nil {
		counts := make([]int, len(classes))
		for _, i := range idx {
			counts[labels[i]]++
		}
		var parts []string
		for c, n := range counts {
			if len(classes) <= 20 {
				parts = append(parts, fmt.Sprintf("%s %d", classes[c], n))
			}
		}
		if len(parts) > 0 {
			fmt.Fprintf(stdout, "per class: %s\n", strings.Join(parts, ", "))
		}
	}
	return nil
}
