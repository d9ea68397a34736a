package theory

import (
	"fmt"
	"math"
	"strings"
)

// Keep says which examples pruning keeps, ranked by the unsigned probe field |z|.
type Keep int

const (
	// KeepHard keeps the examples closest to the probe's decision boundary (smallest |z|).
	KeepHard Keep = iota
	// KeepEasy keeps the examples farthest from it (largest |z|).
	KeepEasy
	// KeepRandom keeps a uniform random subsample: only α changes.
	KeepRandom
)

func (k Keep) String() string {
	switch k {
	case KeepHard:
		return "hard"
	case KeepEasy:
		return "easy"
	case KeepRandom:
		return "random"
	}
	return fmt.Sprintf("Keep(%d)", int(k))
}

// ParseKeep parses "hard", "easy" or "random".
func ParseKeep(s string) (Keep, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "hard":
		return KeepHard, nil
	case "easy":
		return KeepEasy, nil
	case "random":
		return KeepRandom, nil
	}
	return 0, fmt.Errorf("unknown keep policy %q: use hard, easy or random", s)
}

// zCut is where the Gaussian tails of p(z) are cut: φ(12)/φ(0) ≈ 5e-32.
const zCut = 12.0

// Density is the pruned density p(z) of the normalised probe field,
//
//	keep hard: p(z) = φ(z) 1{|z| < g} / f,  f = 1 - 2H(g)
//	keep easy: p(z) = φ(z) 1{|z| > g} / f,  f = 2H(g)
//	random:    p(z) = φ(z).
//
// Its support is the union of Segments (each a closed interval [lo, hi]).
type Density struct {
	Keep     Keep
	F        float64 // fraction kept
	G        float64 // threshold on |z| (hard: keep |z| < G; easy: keep |z| > G)
	Segments [][2]float64
}

// NewDensity returns the pruned density for keeping fraction f in (0, 1].
func NewDensity(keep Keep, f float64) (Density, error) {
	if !(f > 0 && f <= 1) {
		return Density{}, fmt.Errorf("fraction kept f = %v is outside (0, 1]", f)
	}
	d := Density{Keep: keep, F: f}
	switch {
	case f == 1 || keep == KeepRandom:
		d.G = math.Inf(1)
		if keep == KeepEasy {
			d.G = 0
		}
		d.Segments = [][2]float64{{-zCut, zCut}}
	case keep == KeepHard:
		d.G = gardnerHInv((1 - f) / 2)
		d.Segments = [][2]float64{{-d.G, d.G}}
	case keep == KeepEasy:
		d.G = gardnerHInv(f / 2)
		hi := math.Max(zCut, d.G+10)
		d.Segments = [][2]float64{{-hi, -d.G}, {d.G, hi}}
	default:
		return Density{}, fmt.Errorf("unknown keep policy %v", keep)
	}
	return d, nil
}

// PDF returns p(z).
func (d Density) PDF(z float64) float64 {
	for _, s := range d.Segments {
		if z >= s[0] && z <= s[1] {
			if d.Keep == KeepRandom {
				return normPDF(z)
			}
			return normPDF(z) / d.F
		}
	}
	return 0
}
