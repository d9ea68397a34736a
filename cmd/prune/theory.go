package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"strconv"

	"beyondscaling/lib/calibration"
	"beyondscaling/theory"
)

func init() {
	register("theory", "solve the replica theory (ε, R, ρ, κ, residuals); theory advise: how much data to keep; theory calibrate: fit the theory to a sweep", runTheory)
}

func runTheory(args []string, stdout io.Writer) error {
	if len(args) > 0 && args[0] == "advise" {
		return runTheoryAdvise(args[1:], stdout)
	}
	if len(args) > 0 && args[0] == "calibrate" {
		return runTheoryCalibrate(args[1:], stdout)
	}
	fs := newFlags("theory", "--theta DEG --keep hard|easy|random --f F[,F...] --alpha-total A[,A...] [--csv]\n       prune theory advise --help   (how much of my data should I keep?)\n       prune theory calibrate --help   (fit the theory to a real sweep, predict larger sizes)")
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

// runTheoryAdvise answers "how much of my data should I keep?" from the
// perceptron model (theory.Advise) and prints its report.
func runTheoryAdvise(args []string, stdout io.Writer) error {
	fs := newFlags("theory advise", "--alpha-total A [--theta DEG] [--tolerance T] [--budget B]\n       prune theory advise --calibration FILE --n N [--tolerance T]")
	alphaTotal := fs.Float64("alpha-total", 0, "the data you have, α_tot = P/N (examples per dimension), in [0.1, 1000]")
	theta := fs.Float64("theta", 0, "pruning metric's error as the probe angle to the teacher, degrees, in [0, 45] (0: perfect)")
	tolerance := fs.Float64("tolerance", 0, "relative error increase that counts as no cost (default 0.01, with --calibration 0.05)")
	budget := fs.Float64("budget", 0, "training budget α_prune = B ≤ α_tot (0: do not ask question 2)")
	calib := fs.String("calibration", "", "a calibration saved by prune theory calibrate --out: answer for a real dataset of --n examples")
	n := fs.Float64("n", 0, "with --calibration: the number of examples you have")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("theory advise: unexpected argument %q: every input is a flag (see --help)", fs.Arg(0))
	}
	tolSet := false
	fs.Visit(func(f *flag.Flag) { tolSet = tolSet || f.Name == "tolerance" })
	if !tolSet {
		*tolerance = theory.DefaultAdviceTolerance
		if *calib != "" {
			*tolerance = calibration.DefaultTolerance
		}
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if *calib != "" {
		switch {
		case given["alpha-total"] || given["theta"] || given["budget"]:
			return fmt.Errorf("theory advise: --calibration sets α_tot (n/d_eff) and θ itself: drop --alpha-total, --theta and --budget")
		case *n == 0:
			return fmt.Errorf("theory advise: --calibration needs --n N, the number of examples you have")
		}
		return runCalibratedAdvice(*calib, *n, *tolerance, stdout)
	}
	if *n != 0 {
		return fmt.Errorf("theory advise: --n is for --calibration; without one, give --alpha-total (P/N)")
	}
	if *alphaTotal == 0 {
		return fmt.Errorf("theory advise: --alpha-total is required (the data you have, P/N)")
	}
	if *tolerance <= 0 {
		return fmt.Errorf("theory advise: --tolerance %v must be positive, e.g. 0.01 for 1%%", *tolerance)
	}
	adv, err := theory.Advise(theory.AdviceQuery{AlphaTotal: *alphaTotal, ThetaDeg: *theta, Tolerance: *tolerance, Budget: *budget})
	if err != nil {
		return err
	}
	return adv.WriteReport(stdout)
}
