package scaling

import (
	"encoding/csv"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"

	"beyondscaling/lib/atomicfile"
	"beyondscaling/lib/prune"
)

// BalancingChange is how much class balancing changes one metric's
// selection: of the Kept examples kept, Changed are kept only with
// balancing (as many others are kept only without it).
type BalancingChange struct {
	Metric            string
	Fraction, Balance float64 // the selection: fraction kept and balance ratio
	Kept, Changed     int
}

// String says what balancing changed, for a claim's note.
func (c BalancingChange) String() string {
	if c.Changed == 0 {
		return fmt.Sprintf("balancing changes none of the %d kept examples: the selection is the unbalanced one", c.Kept)
	}
	return fmt.Sprintf("balancing changes %d of the %d kept examples", c.Changed, c.Kept)
}

// BalancingChanges counts, for each metric's scores (keep hard, fraction
// kept f), how many kept examples class balancing at ratio r changes: the
// examples of the balanced selection that the unbalanced one lacks. Random
// pruning is left out (it draws its own random subset). Metrics are in
// alphabetical order. A count of 0 means balancing is idle at this f: the
// metric already keeps every class's quota.
func BalancingChanges(scores map[string][]float64, labels []int32, f, r float64, seed uint64) ([]BalancingChange, error) {
	var names []string
	for m := range scores {
		if m != "random" {
			names = append(names, m)
		}
	}
	sort.Strings(names)
	out := make([]BalancingChange, 0, len(names))
	for _, m := range names {
		plain, err := prune.Select(scores[m], labels, prune.Options{Keep: prune.KeepHard, F: f, Seed: seed})
		if err != nil {
			return nil, fmt.Errorf("scores of %s: %w", m, err)
		}
		balanced, err := prune.Select(scores[m], labels, prune.Options{Keep: prune.KeepHard, F: f, Balance: r, Seed: seed})
		if err != nil {
			return nil, fmt.Errorf("scores of %s: %w", m, err)
		}
		inPlain := make(map[int]bool, len(plain))
		for _, i := range plain {
			inPlain[i] = true
		}
		c := BalancingChange{Metric: m, Fraction: f, Balance: r, Kept: len(balanced)}
		for _, i := range balanced {
			if !inPlain[i] {
				c.Changed++
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// WriteBalancingChanges prints BalancingChanges a line per metric, under a
// header naming the selection (BalancingChanges makes every change at the
// same fraction and ratio).
func WriteBalancingChanges(w io.Writer, changes []BalancingChange) error {
	header := "class balancing: no metric to compare\n"
	if len(changes) > 0 {
		header = fmt.Sprintf("class balancing r = %g at f = %g: kept examples it changes\n", changes[0].Balance, changes[0].Fraction)
	}
	if _, err := io.WriteString(w, header); err != nil {
		return err
	}
	for _, c := range changes {
		if _, err := fmt.Fprintf(w, "  %-24s %6d of %6d (%.1f%%)\n", c.Metric, c.Changed, c.Kept, 100*float64(c.Changed)/float64(max(1, c.Kept))); err != nil {
			return err
		}
	}
	return nil
}

// WriteBalancingChangesCSV writes BalancingChanges as DIR/NAME.csv,
// atomically, beside the figures whose selections it describes.
func WriteBalancingChangesCSV(dir, name string, changes []BalancingChange) error {
	return atomicfile.Write(filepath.Join(dir, name+".csv"), func(w io.Writer) error {
		cw := csv.NewWriter(w)
		cw.Write([]string{"metric", "fraction_kept", "balance_ratio", "kept", "changed_by_balancing"})
		for _, c := range changes {
			cw.Write([]string{c.Metric, strconv.FormatFloat(c.Fraction, 'g', -1, 64), strconv.FormatFloat(c.Balance, 'g', -1, 64), strconv.Itoa(c.Kept), strconv.Itoa(c.Changed)})
		}
		cw.Flush()
		return cw.Error()
	})
}
