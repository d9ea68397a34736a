package scaling

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/stat"
)

// OnSeeds recomputes every point from the chosen seeds' records only,
// checked against the records themselves.
func TestOnSeeds(t *testing.T) {
	recs := synthetic()
	fresh := []uint64{2, 3, 4}
	ps := OnSeeds(Aggregate(recs), fresh)
	if len(ps) != len(Aggregate(recs)) {
		t.Fatalf("%d points on the fresh seeds, %d in all", len(ps), len(Aggregate(recs)))
	}
	for _, p := range ps {
		var xs []float64
		for _, r := range recs {
			if r.Run.Metric == p.Metric && r.Run.Keep == p.Keep && r.Run.Fraction == p.Fraction && r.Run.Size == p.Size &&
				(r.Run.Seed == 2 || r.Run.Seed == 3 || r.Run.Seed == 4) {
				xs = append(xs, r.TestError)
			}
		}
		mean, std := stat.MeanStdDev(xs, nil)
		if p.Seeds != 3 || len(p.Errors) != 3 || math.Abs(p.Mean-mean) > 1e-15 || math.Abs(p.SEM-std/math.Sqrt(3)) > 1e-15 {
			t.Errorf("%s %s f=%g n=%d: %d seeds, mean %g ± %g; records give %d, %g ± %g", p.Metric, p.Keep, p.Fraction, p.Size,
				p.Seeds, p.Mean, p.SEM, len(xs), mean, std/math.Sqrt(3))
		}
		if _, ok := p.Errors[1]; ok {
			t.Errorf("the selection seed's error kept in %+v", p)
		}
	}
	if got := OnSeeds(Aggregate(recs), []uint64{99}); len(got) != 0 {
		t.Errorf("%d points for a seed without runs", len(got))
	}
}

// The unpruned runs (f = 1) of a plan like the cpu abundant design's, with a selection
// seed: they form the unpruned curve at every initial size, enter the
// random power law, and compete in the frontier and in c*(m).
func TestUnprunedRunsAtEverySize(t *testing.T) {
	ps := powerLawSweep(0.5, 0.5, 0, 1) // keep hard worse everywhere
	fresh := []uint64{2, 3, 4, 5, 6}
	_, random, full := ScalingCurves(OnSeeds(ps, fresh), "el2n-20", []string{"hard", "easy"})
	sizes := []float64{1000, 2000, 4000, 8000, 16000}
	if len(full.Trained) != len(sizes) {
		t.Fatalf("unpruned curve at %v, want every size %v", full.Trained, sizes)
	}
	for i, n := range sizes {
		if full.Trained[i] != n || math.Abs(full.Mean[i]-2/math.Sqrt(n)) > 1e-12 {
			t.Errorf("unpruned at n = %g: trained %g, error %g, want %g", n, full.Trained[i], full.Mean[i], 2/math.Sqrt(n))
		}
	}
	law, err := RandomPowerLaw(random, full)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(law.Nu-0.5) > 1e-6 || math.Abs(law.A-2) > 1e-5 {
		t.Errorf("random power law a = %g, ν = %g; want 2 and 0.5", law.A, law.Nu)
	}
	// At m = 16,000·0.6 = 9,600 the unpruned curve (1,000-16,000) and
	// random pruning at f = 0.6 (600-9,600) both give the power law; keep
	// hard is worse. The frontier is the power law wherever it is taken.
	front, chosen := Frontier(OnSeeds(ps, fresh), "el2n-20", fresh)
	if len(front.Trained) == 0 {
		t.Fatal("empty frontier")
	}
	for i, m := range front.Trained {
		if math.Abs(front.Mean[i]-2/math.Sqrt(m)) > 1e-9 {
			t.Errorf("frontier at m = %g: %g, want the power law %g", m, front.Mean[i], 2/math.Sqrt(m))
		}
		if chosen[i].Keep == "hard" || chosen[i].Keep == "easy" {
			t.Errorf("m = %g: chose %s, which is worse than the power law", m, chosen[i])
		}
	}
}

// The frontier at fixed examples trained on follows the better keep-hard
// curve where it exists, and is not the envelope at fixed initial size.
func TestFrontierAtFixedTrained(t *testing.T) {
	fresh := []uint64{2, 3, 4, 5, 6}
	ps := powerLawSweep(-0.5, -0.5, 0, 1) // keep hard exp(−0.5) times the power law
	front, chosen := Frontier(ps, "el2n-20", fresh)
	// The random-pruning grid: 0.3 and 0.6 times 1,000-16,000, six values.
	if len(front.Trained) != 6 {
		t.Fatalf("frontier at %v, want the 6 values of the random grid", front.Trained)
	}
	for i, m := range front.Trained {
		want := math.Exp(-0.5) * 2 / math.Sqrt(m)
		if math.Abs(front.Mean[i]-want) > 1e-9 || chosen[i].Keep != "hard" {
			t.Errorf("m = %g: %g by %s, want keep hard's %g", m, front.Mean[i], chosen[i], want)
		}
	}
	// Fixed initial size instead: the envelope's points are at f·n of the
	// best configuration of each n, five of them, not the random grid.
	if env := Envelope(ps, "el2n-20"); len(env.Trained) != 5 {
		t.Errorf("envelope has %d points, want one per initial size (5)", len(env.Trained))
	}
	// Seeds without runs give no frontier point rather than a wrong one.
	if f, _ := Frontier(ps, "el2n-20", []uint64{42}); len(f.Trained) != 0 {
		t.Errorf("frontier on a seed without runs: %v", f.Trained)
	}
}
