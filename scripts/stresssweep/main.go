// Command stresssweep runs the sweeps of notebook 05 or 06 at a profile
// (smoke by default) exactly as the notebook's sweep cell does
// (plans.Execute on the profile's specs, progress to standard output),
// once, in the store under PRUNE_OUT. With -runs K it runs only the first K
// runs of the first sweep (for notebook 06, K = 1 trains the probe network of
// supervised prototypes, a CNN, and one MLP: where the SIMD crash
// (environment.md) struck, within seconds of the start, while the heap grows).
// scripts/stress.sh builds it once and runs it many times, each time in a
// fresh PRUNE_OUT so that every run trains its networks from scratch, as the
// notebook test does.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"beyondscaling/lib/backend"
	"beyondscaling/lib/experiment"
	"beyondscaling/lib/plans"
	"beyondscaling/lib/project"
	"beyondscaling/lib/sweep"
)

func main() {
	nb := flag.String("notebook", "06", "whose sweeps to run: 05 (metric benchmark) or 06 (self-supervised prototypes)")
	prof := flag.String("profile", string(project.Smoke), "profile: smoke, cpu or paper")
	dataset := flag.String("dataset", "cifar10", "dataset")
	first := flag.Int("runs", 0, "run only the first `K` runs of the first sweep (0: every run of every sweep, as the notebook)")
	flag.Parse()
	p, err := project.ParseProfile(*prof)
	if err != nil {
		fmt.Fprintln(os.Stderr, "stresssweep:", err)
		os.Exit(2)
	}
	var specs []sweep.Spec
	switch *nb {
	case "05":
		plain, balanced := plans.MetricBenchmark(p, *dataset)
		specs = []sweep.Spec{plain, balanced}
	case "06":
		specs = plans.PrototypeSensitivity(p, *dataset)
	default:
		fmt.Fprintf(os.Stderr, "stresssweep: -notebook %q: want 05 or 06\n", *nb)
		os.Exit(2)
	}
	t0 := time.Now()
	var n int
	if *first > 0 {
		n, err = runFirst(specs[0], p, *first)
	} else {
		var recs []sweep.Record
		recs, err = plans.Execute(context.Background(), p, specs, os.Stdout)
		n = len(recs)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "stresssweep:", err)
		os.Exit(1)
	}
	fmt.Printf("stresssweep: notebook %s, profile %s: %d runs finished in %s\n", *nb, p, n, time.Since(t0).Round(time.Millisecond))
}

// runFirst runs the first k runs of the spec in the profile's store, as
// plans.Execute would, and returns how many ran.
func runFirst(s sweep.Spec, prof project.Profile, k int) (int, error) {
	if err := s.Validate(); err != nil {
		return 0, err
	}
	dir, err := plans.StoreDir(prof)
	if err != nil {
		return 0, err
	}
	b, err := backend.Open()
	if err != nil {
		return 0, err
	}
	defer b.Finalize()
	st := sweep.Store{Dir: dir}
	r := &experiment.Runner{Backend: b, Store: st}
	k = min(k, len(s.Runs()))
	idx := make([]int, k)
	for i := range idx {
		idx[i] = i
	}
	return k, sweep.Execute(context.Background(), s, st, r.Run, sweep.Options{Workers: 1, Indices: idx, CodeVersion: project.CodeVersion(), Backend: backend.Name(b), Verify: r.Verify, Log: os.Stdout})
}
