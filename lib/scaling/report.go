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
