package main

import (
	"fmt"
	"io"

	"beyondscaling/theory"
	"beyondscaling/theory/simulate"
)

func init() {
	register("simulate", "teacher-student simulation with a max-margin student", runSimulate)
}

func runSimulate(args []string, stdout io.Writer) error {
	fs := newFlags("simulate", "--n 200 --seeds 10 --theta DEG --keep hard|easy|random --f F --alpha-total A")
	n := fs.Int("n", 200, "input dimension N")
	seeds := fs.Int("seeds", 10, "number of independent draws (seeds 0..seeds-1)")
	theta := fs.Float64("theta", 0, "probe angle to the teacher, degrees")
	keepName := fs.String("keep", "hard", "hard, easy or random")
	f := fs.Float64("f", 1, "fraction kept in (0, 1]")
	a := fs.Float64("alpha-total", 0, "α_tot = P/N before pruning")
	if err := fs.Parse(args); err != nil {
		return err
	}
	keep, err := theory.ParseKeep(*keepName)
	if err != nil {
		return err
	}
	st, err := simulate.Run(simulate.Config{N: *n, AlphaTotal: *a, F: *f, ThetaDeg: *theta, Keep: keep}, *seeds, simulate.Options{})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "eps_mean=%.6g eps_sem=%.3g seeds=%d\n", st.EpsMean, st.EpsSEM, st.Seeds)
	return nil
}
