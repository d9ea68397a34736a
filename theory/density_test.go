package theory

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/integrate/quad"
)

func TestDensityMassAndFraction(t *testing.T) {
	for _, keep := range []Keep{KeepHard, KeepEasy, KeepRandom} {
		for _, f := range []float64{0.001, 0.05, 0.3, 0.7, 1} {
			d, err := NewDensity(keep, f)
			if err != nil {
				t.Fatal(err)
			}
			// The pruned density has unit mass, and the kept probability under
			// the unpruned Gaussian is f (independent: numerical integration).
			mass, kept := 0.0, 0.0
			for _, s := range d.Segments {
				mass += quad.Fixed(d.PDF, s[0], s[1], 4000, nil, 0)
				kept += quad.Fixed(normPDF, s[0], s[1], 4000, nil, 0)
			}
			if math.Abs(mass-1) > 1e-9 {
				t.Errorf("%v f=%v: mass %v", keep, f, mass)
			}
			if keep != KeepRandom && math.Abs(kept-f) > 1e-9 {
				t.Errorf("%v f=%v: kept fraction %v", keep, f, kept)
			}
		}
	}
}

func TestDensityRejectsBadFraction(t *testing.T) {
	for _, f := range []float64{0, -0.1, 1.5, math.NaN()} {
		if _, err := NewDensity(KeepHard, f); err == nil {
			t.Errorf("f = %v accepted", f)
		}
	}
}

func TestParseKeep(t *testing.T) {
	for s, want := range map[string]Keep{"hard": KeepHard, "Easy": KeepEasy, " random ": KeepRandom} {
		if got, err := ParseKeep(s); err != nil || got != want {
			t.Errorf("ParseKeep(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := ParseKeep("hardest"); err == nil {
		t.Error("unknown policy accepted")
	}
}
