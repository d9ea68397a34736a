package plans

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"beyondscaling/lib/atomicfile"
	"beyondscaling/lib/calibration"
	"beyondscaling/lib/project"
	"beyondscaling/lib/scaling"
	"beyondscaling/lib/settings"
	"beyondscaling/lib/sweep"
)

// CalibrationFitMaxSize is notebook 07's largest fitted initial size: on
// the cpu design's Fashion-MNIST grid the sizes up to 7,400 (three of five:
// 1,000, 2,700 and 7,400), so that 20,000 and the full set are held out;
// elsewhere 0, calibration.Calibrate's default (the smaller half of the
// sizes, at least two).
func CalibrationFitMaxSize(p project.Profile, dataset string) int {
	if settings.UsesCPUAbundant(p, dataset) {
		return 7400
	}
	return 0
}

// CalibrationMetric is the metric notebook 07 calibrates: notebook 03's.
const CalibrationMetric = "el2n-20"

// Calibrate fits the theory to notebook 03's grid (spec) on its fresh seeds
// and predicts the held-out sizes (calibration.Calibrate). It trains
// nothing: the runs must be finished, except at the smoke profile, where
// the grid takes seconds and is run here when notebook 03 has not run in
// this store (as in the notebook tests, which give each notebook its own).
func Calibrate(ctx context.Context, prof project.Profile, spec sweep.Spec, log io.Writer) (*calibration.Result, error) {
	recs, err := Collect(prof, []sweep.Spec{spec})
	if err != nil {
		if prof != project.Smoke {
			return nil, fmt.Errorf("notebook 07 calibrates on notebook 03's runs and trains none: run notebook 03 first (%w)", err)
		}
		fmt.Fprintln(log, "notebook 03's smoke grid is not in this store: running it (seconds)")
		if recs, err = Execute(ctx, prof, []sweep.Spec{spec}, log); err != nil {
			return nil, err
		}
	}
	ps, note := scaling.Reported(scaling.Aggregate(recs), spec.Seeds)
	t, err := scaling.TestExamples(spec.Dataset)
	if err != nil {
		return nil, err
	}
	cells, err := calibration.Cells(ps, CalibrationMetric, nil, t)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "%d cells of %s (%s): %s\n\n", len(cells), spec.Name, CalibrationMetric, note)
	return calibration.Calibrate(cells, calibration.Options{FitMaxSize: CalibrationFitMaxSize(prof, spec.Dataset)})
}

// SaveCalibration writes notebook 07's calibration of spec to
// OUT/calibration/NAME.json (for prune theory advise --calibration; NAME
// is the spec's name with dashes for spaces) and the spec to
// OUT/calibration/NAME-spec.json, and prints the prune commands
// that repeat the calibration from the command line.
func SaveCalibration(w io.Writer, prof project.Profile, spec sweep.Spec, r *calibration.Result) error {
	out, err := project.Out()
	if err != nil {
		return err
	}
	store, err := StoreDir(prof)
	if err != nil {
		return err
	}
	dir := filepath.Join(out, "calibration")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	name := strings.ReplaceAll(spec.Name, " ", "-")
	specPath := filepath.Join(dir, name+"-spec.json")
	b, err := json.MarshalIndent(spec, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteBytes(specPath, append(b, '\n')); err != nil {
		return err
	}
	calPath := filepath.Join(dir, name+".json")
	fresh, _ := scaling.ReportedSeeds(spec.Seeds) // the seeds Calibrate used
	f := calibration.File{Calibration: r.Calibration, Metric: CalibrationMetric, Source: "notebook 03's sweep " + spec.Name, Seeds: fresh, FitSizes: r.FitSizes}
	if err := f.Save(calPath); err != nil {
		return err
	}
	runs := filepath.Join(dir, name+"-runs.csv")
	var seeds []string
	for _, s := range f.Seeds {
		seeds = append(seeds, strconv.FormatUint(s, 10))
	}
	fitFlag := ""
	if m := CalibrationFitMaxSize(prof, spec.Dataset); m > 0 {
		fitFlag = fmt.Sprintf(" --fit-max-n %d", m)
	}
	n := spec.Sizes[len(spec.Sizes)-1]
	_, err = fmt.Fprintf(w, "calibration saved to %s; the same from the command line:\n  prune sweep collect --spec %s --store %s --out %s\n  prune theory calibrate --results %s --metric %s --seeds %s%s\n  prune theory advise --calibration %s --n %d\n",
		calPath, specPath, store, runs, runs, CalibrationMetric, strings.Join(seeds, ","), fitFlag, calPath, n)
	return err
}
