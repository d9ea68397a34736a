package scaling

import (
	"fmt"
	"io"

	"beyondscaling/lib/sweep"
)

// WriteHardMinusEasy prints the keep-hard minus keep-easy map (HardMinusEasy)
// one line per fraction kept and initial size.
func WriteHardMinusEasy(w io.Writer, fractions []float64, sizes []int, diff [][]Diff) error {
	for i, f := range fractions {
		for j, n := range sizes {
			if _, err := fmt.Fprintf(w, "f = %.1f, n = %5d: error(hard) − error(easy) = %v\n", f, n, diff[i][j]); err != nil {
				return err
			}
		}
	}
	return nil
}

// ScalingEffectsOf is ScalingEffects for a sweep, for each metric in turn,
// under the sweep's design (DesignFor: the first seed selects the
// configurations compared with the power law, the others are fresh; every
// run is graded on the dataset's test split). It says which seed selects.
func ScalingEffectsOf(ps []Point, spec sweep.Spec, w io.Writer, metrics ...string) ([]Effect, error) {
	n, err := TestExamples(spec.Dataset)
	if err != nil {
		return nil, err
	}
	design := DesignFor(spec.Seeds, n)
	fmt.Fprintf(w, "selection seed %v: chooses the configurations compared with the power law and is never reported; the other seeds are fresh\n", design.Selection)
	if fresh := len(spec.Seeds) - len(design.Selection); fresh < 3 {
		fmt.Fprintf(w, "only %d fresh seed(s): the experiment protocol asks for at least 3, so no claim of this sweep can be resolved at this profile\n", fresh)
	}
	var effects []Effect
	for _, m := range metrics {
		effects = append(effects, ScalingEffects(ps, m, design)...)
	}
	return effects, nil
}

// HeadlineEffectsOf is ScalingEffectsOf for a sweep with a headline block
// (notebook 03): for the first metric, the claims at the full set are
// judged on the block's points (head; its seeds other than the grid's
// selection seed are fresh), and they, the scarce claim at the smallest
// fraction and the power-law claim are the primary claims. Further
// metrics (a weak probe) are judged on the grid alone, as secondary.
func HeadlineEffectsOf(grid []Point, spec sweep.Spec, head []Point, w io.Writer, metrics ...string) ([]Effect, error) {
	n, err := TestExamples(spec.Dataset)
	if err != nil {
		return nil, err
	}
	design := DesignFor(spec.Seeds, n)
	fmt.Fprintf(w, "selection seed %v: chooses the configurations compared with the power law and is never reported; the other seeds are fresh\n", design.Selection)
	var effects []Effect
	for k, m := range metrics {
		d := design
		if k == 0 {
			d.Primary, d.Headline = true, head
			fmt.Fprintf(w, "headline block: %d fresh seeds %v at the full set\n", len(Seeds(head)), Seeds(head))
		}
		effects = append(effects, ScalingEffects(grid, m, d)...)
	}
	return effects, nil
}
