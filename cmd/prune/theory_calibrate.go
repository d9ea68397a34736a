package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"beyondscaling/lib/calibration"
	"beyondscaling/lib/scaling"
)

// runTheoryCalibrate fits the perceptron theory to a sweep's runs at its
// smaller sizes and checks the prediction on the larger ones
// (lib/calibration).
func runTheoryCalibrate(args []string, stdout io.Writer) error {
	fs := newFlags("theory calibrate", "--results RUNS.csv [--metric M] [--seeds S,S,...] [--fit-max-n N] [--out CALIBRATION.json] [--csv CELLS.csv]\n\nRUNS.csv is what prune sweep collect --out writes for a grid of keep hard, keep easy,\nrandom pruning and no pruning over initial sizes n and fractions f.")
	results := fs.String("results", "", "the sweep's runs (prune sweep collect's CSV)")
	metric := fs.String("metric", "el2n-20", "pruning metric whose keep hard and keep easy runs are calibrated")
	seedList := fs.String("seeds", "", "seeds whose runs are used, comma-separated (default: the fresh seeds, every seed but the smallest, which the project's sweeps keep for selection; all of them when there is one)")
	fitMax := fs.Int("fit-max-n", 0, "largest initial size fitted; larger ones are predicted and compared (0: the smaller half of the sizes)")
	tolerance := fs.Float64("tolerance", calibration.DefaultTolerance, "relative error increase that counts as no cost, for the best fraction")
	testExamples := fs.Int("test-examples", 0, "size of the test set every run was graded on (0: from the dataset column, which needs the dataset in data/)")
	out := fs.String("out", "", "save the calibration here (JSON), for prune theory advise --calibration")
	cellsCSV := fs.String("csv", "", "write every cell, measured and predicted, to this CSV")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("theory calibrate: unexpected argument %q: every input is a flag (see --help)", fs.Arg(0))
	}
	if *results == "" {
		return fmt.Errorf("theory calibrate: --results RUNS.csv is required (write it with prune sweep collect --spec SPEC --store STORE --out RUNS.csv)")
	}
	runs, err := calibration.ReadRunsCSV(*results)
	if err != nil {
		return err
	}
	seeds, _ := scaling.ReportedSeeds(runs.Seeds)
	if *seedList != "" {
		seeds = nil
		for _, s := range strings.Split(*seedList, ",") {
			v, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
			if err != nil {
				return fmt.Errorf("theory calibrate: --seeds: %q is not a seed", s)
			}
			seeds = append(seeds, v)
		}
	}
	t := *testExamples
	if t == 0 {
		if len(runs.Datasets) != 1 {
			return fmt.Errorf("theory calibrate: %s names datasets %v: give the test set's size with --test-examples N", *results, runs.Datasets)
		}
		if t, err = scaling.TestExamples(runs.Datasets[0]); err != nil {
			return fmt.Errorf("theory calibrate: the test set of %s: %v (or give its size with --test-examples N)", runs.Datasets[0], err)
		}
	}
	cells, err := calibration.Cells(runs.Points, *metric, seeds, t)
	if err != nil {
		return fmt.Errorf("theory calibrate: %s: %w", *results, err)
	}
	fmt.Fprintf(stdout, "%s: %d cells of metric %s, seeds %v, graded on %d test examples\n\n", *results, len(cells), *metric, seeds, t)
	r, err := calibration.Calibrate(cells, calibration.Options{FitMaxSize: *fitMax, Tolerance: *tolerance})
	if err != nil {
		return fmt.Errorf("theory calibrate: %s: %w", *results, err)
	}
	if err := r.WriteReport(stdout); err != nil {
		return err
	}
	if *cellsCSV != "" {
		if err := r.WriteCSV(*cellsCSV); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "cells written to %s\n", *cellsCSV)
	}
	if *out != "" {
		f := calibration.File{Calibration: r.Calibration, Metric: *metric, Source: *results, Seeds: seeds, FitSizes: r.FitSizes}
		if err := f.Save(*out); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "calibration saved to %s: prune theory advise --calibration %s --n N\n", *out, *out)
	}
	return nil
}

// runCalibratedAdvice is prune theory advise --calibration FILE --n N.
func runCalibratedAdvice(path string, n, tolerance float64, stdout io.Writer) error {
	f, err := calibration.Load(path)
	if err != nil {
		return err
	}
	return calibration.WriteAdvice(stdout, f, n, tolerance)
}
