package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"beyondscaling/theory"
)

func init() {
	register("theory", "solve the replica theory: test error, R, ρ, κ and residuals", runTheory)
}

func runTheory(args []string, stdout io.Writer) error {
	fs := newFlags("theory", "--theta DEG --keep hard|easy|random --f F[,F...] --alpha-total A[,A...] [--csv]")
	theta := fs.Float64("theta", 0, "probe angle to the teacher, degrees, in [0, 45]")
	keepName := fs.String("keep", "hard", "which examples pruning keeps: hard, easy or random")
	fList := fs.String("f", "", "fraction kept in (0, 1]; a comma list for several")
	aList := fs.String("alpha-total", "", "α_tot = P/N before pruning; a comma list for several")
	asCSV := fs.Bool("csv", false, "print a CSV header and one row per point")
	if err := fs.Parse(args); err != nil {
		return err
	}
	keep, err := theory.ParseKeep(*keepName)
	if err != nil {
		return err
	}
	fsv, err := floatList("f", *fList)
	if err != nil {
		return err
	}
	as, err := floatList("alpha-total", *aList)
	if err != nil {
		return err
	}
	var cw *csv.Writer
	if *asCSV {
		cw = csv.NewWriter(stdout)
		cw.Write([]string{"theta_deg", "keep", "f", "alpha_total", "alpha_prune", "eps", "R", "rho", "kappa", "res1", "res2", "res3"})
	}
	var s theory.Solver
	for _, f := range fsv {
		var warm *theory.Solution
		for _, a := range as {
			sol, err := s.Solve(theory.Params{AlphaTotal: a, F: f, ThetaDeg: *theta, Keep: keep}, warm)
			if err != nil {
				return err
			}
			warm = &sol
			g := func(x float64) string { return strconv.FormatFloat(x, 'g', 10, 64) }
			switch {
			case cw != nil:
				cw.Write([]string{g(*theta), keep.String(), g(f), g(a), g(sol.Alpha), g(sol.Eps), g(sol.R), g(sol.Rho), g(sol.Kappa), g(sol.Res1), g(sol.Res2), g(sol.Res3)})
			case len(fsv) == 1 && len(as) == 1:
				fmt.Fprintf(stdout, "eps=%.10g R=%.10g rho=%.10g kappa=%.10g res1=%.3g res3=%.3g\n", sol.Eps, sol.R, sol.Rho, sol.Kappa, sol.Res1, sol.Res3)
			default:
				fmt.Fprintf(stdout, "f=%g alpha_total=%g eps=%.10g R=%.10g rho=%.10g kappa=%.10g res1=%.3g res3=%.3g\n", f, a, sol.Eps, sol.R, sol.Rho, sol.Kappa, sol.Res1, sol.Res3)
			}
		}
	}
	if cw != nil {
		cw.Flush()
		return cw.Error()
	}
	return nil
}
