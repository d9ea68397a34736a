package theory

import (
	"fmt"
	"io"
	"strings"
)

// WriteReport writes the advice as text for a researcher: the two questions
// by name, each answer with the numbers behind it, and a plain statement
// that they are the perceptron model's predictions.
func (a Advice) WriteReport(w io.Writer) error {
	var b strings.Builder
	q := a.Query
	fmt.Fprintf(&b, "Predictions of the teacher-student perceptron model (replica theory, Sorscher et al. 2022),\n")
	fmt.Fprintf(&b, "not measurements on your network: use them as a guide to the shape of the answer.\n")
	fmt.Fprintf(&b, "Pruning metric: probe angle θ = %g° to the teacher (0° is a perfect metric). Tolerance: %g%% relative error.\n", q.ThetaDeg, 100*q.Tolerance)

	fmt.Fprintf(&b, "\nQuestion 1. With the data you have (α_tot = %g), how much can be dropped at no cost?\n", q.AlphaTotal)
	fmt.Fprintf(&b, "  unpruned test error (f = 1): ε = %.4g\n", a.Unpruned)
	fmt.Fprintf(&b, "  test error ε at fraction kept f:\n")
	fmt.Fprintf(&b, "  %6s", "f")
	for _, c := range a.Curves {
		fmt.Fprintf(&b, " %10s", policyName(c.Keep))
	}
	fmt.Fprintf(&b, "   lowest\n")
	for i, f := range q.Fractions {
		fmt.Fprintf(&b, "  %6.3g", f)
		for _, c := range a.Curves {
			fmt.Fprintf(&b, " %10.4g", c.Eps[i])
		}
		if f == 1 {
			fmt.Fprintf(&b, "   (all equal)\n")
		} else {
			fmt.Fprintf(&b, "   %s\n", policyName(a.Better[i]))
		}
	}
	fmt.Fprintf(&b, "  smallest f whose error is within %g%% of the unpruned error:\n", 100*q.Tolerance)
	for _, c := range a.Curves {
		switch {
		case c.NoCostBelowFloor:
			fmt.Fprintf(&b, "    %-10s f < %g (within tolerance even at the solver's smallest fraction; the model cannot say how much lower)\n", policyName(c.Keep)+":", c.NoCostF)
		case c.NoCostF >= 1:
			fmt.Fprintf(&b, "    %-10s f = 1 (nothing can be dropped at no cost)\n", policyName(c.Keep)+":")
		default:
			fmt.Fprintf(&b, "    %-10s f = %.3g (drop %.1f%% of the data), ε = %.4g\n", policyName(c.Keep)+":", c.NoCostF, 100*(1-c.NoCostF), c.NoCostEps)
		}
	}
	fmt.Fprintf(&b, "  better policy at α_tot = %g: %s\n", q.AlphaTotal, a.betterSummary())
	if q.ThetaDeg == 0 {
		fmt.Fprintf(&b, "  f_min(0°) = 0: with a perfect metric the best fraction keeps falling as the data grow.\n")
	} else {
		if a.FMin != nil {
			fmt.Fprintf(&b, "  f_min(%g°) ≈ %.3g (keep hard's optimal fraction at α_tot = %.3g, α_prune = %.3g): with this metric,\n", q.ThetaDeg, a.FMin.FOpt, a.FMin.AlphaTotal, a.FMin.Alpha)
			fmt.Fprintf(&b, "    keeping less than about f_min does not pay however much data you have.\n")
		} else {
			fmt.Fprintf(&b, "  f_min(%g°): not resolved (%s)\n", q.ThetaDeg, a.FMinNote)
		}
	}

	if a.Budget == nil {
		fmt.Fprintf(&b, "\nQuestion 2. With a training budget α_prune = B ≤ α_tot: not asked (give a budget).\n")
	} else {
		bu := a.Budget
		fmt.Fprintf(&b, "\nQuestion 2. With a training budget α_prune = %g, which policy and fraction f ≥ B/α_tot = %.3g?\n", bu.Budget, bu.FLow)
		if bu.AtDataLimit {
			fmt.Fprintf(&b, "  best: %s, f = %.3g (prune all your data to f), ε = %.4g\n", policyName(bu.Best.Keep), bu.Best.F, bu.Best.Eps)
		} else {
			fmt.Fprintf(&b, "  best: %s, f = %.3g (take a random α_tot = %.4g of your %g, then prune it to f), ε = %.4g\n", policyName(bu.Best.Keep), bu.Best.F, bu.Best.AlphaTotal, q.AlphaTotal, bu.Best.Eps)
		}
		for _, c := range bu.PerPolicy {
			fmt.Fprintf(&b, "    %-10s best f = %.3g, ε = %.4g\n", policyName(c.Keep)+":", c.F, c.Eps)
		}
		fmt.Fprintf(&b, "  against training on a random %.3g%% of the data (α_prune = %g, no pruning): ε = %.4g", 100*bu.FLow, bu.Budget, bu.RandomEps)
		if bu.Best.Eps < bu.RandomEps {
			fmt.Fprintf(&b, "; pruning lowers the error by %.1f%% (a factor %.3g)\n", 100*(1-bu.Best.Eps/bu.RandomEps), bu.RandomEps/bu.Best.Eps)
		} else {
			fmt.Fprintf(&b, "; pruning does not help at this budget\n")
		}
		if bu.AtDataLimit && bu.FLow < 1 {
			fmt.Fprintf(&b, "  the best f is the data limit B/α_tot: all your data are used, and more data would lower the error further.\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// betterSummary says which policy has the lowest ε over which fractions,
// as runs of consecutive grid points (f = 1, where all coincide, left out).
func (a Advice) betterSummary() string {
	var parts []string
	fs := a.Query.Fractions
	for i := 0; i < len(fs); {
		if fs[i] == 1 {
			i++
			continue
		}
		j := i
		for j+1 < len(fs) && a.Better[j+1] == a.Better[i] {
			j++
		}
		if i == j {
			parts = append(parts, fmt.Sprintf("%s at f = %.3g", policyName(a.Better[i]), fs[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%s for f from %.3g down to %.3g", policyName(a.Better[i]), fs[i], fs[j]))
		}
		i = j + 1
	}
	if len(parts) == 0 {
		return "no fraction below 1 on the grid"
	}
	return strings.Join(parts, "; ")
}

func policyName(k Keep) string {
	if k == KeepRandom {
		return "random"
	}
	return "keep " + k.String()
}
