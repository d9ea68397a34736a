package verdict

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Planning.Power against simulation: d_s = δ + e + ε_s, with e the test
// set's draw (variance TestTerm, shared by the seeds of one experiment)
// and ε_s the seed spread; the interval is the verdict rule's with the
// test-set term known. 20,000 experiments per case (binomial s.e. at most
// 0.0035): within 0.015.
func TestPowerBySimulation(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 19))
	for _, c := range []struct {
		p      Planning
		effect float64
		seeds  int
	}{
		{Planning{SeedSD: 1}, 1, 10},
		{Planning{SeedSD: 1}, 1, 5},
		{Planning{SeedSD: 0.5, TestTerm: 0.04}, 0.6, 10},
		{Planning{SeedSD: 0.3, TestTerm: 0.01}, 0.2, 3},
	} {
		const experiments = 20000
		yes := 0
		d := make([]float64, c.seeds)
		for range experiments {
			e := math.Sqrt(c.p.TestTerm) * rng.NormFloat64()
			for s := range d {
				d[s] = c.effect + e + c.p.SeedSD*rng.NormFloat64()
			}
			_, v, err := Verdict(d, c.p.TestTerm, +1)
			if err != nil {
				t.Fatal(err)
			}
			if v == Yes {
				yes++
			}
		}
		got, want := float64(yes)/experiments, c.p.Power(c.effect, c.seeds)
		t.Logf("%+v, effect %g, %d seeds: simulated %.3f, Power %.3f", c.p, c.effect, c.seeds, got, want)
		if math.Abs(got-want) > 0.015 {
			t.Errorf("%+v, effect %g, %d seeds: simulated power %.3f, Power %.3f", c.p, c.effect, c.seeds, got, want)
		}
	}
}

// SeedsFor is the first number of seeds whose power reaches the goal; a
// test-set term too large for the effect cannot be beaten by seeds.
func TestSeedsFor(t *testing.T) {
	p := Planning{SeedSD: 1}
	s, ok := p.SeedsFor(1, 0.8, 100)
	if !ok || p.Power(1, s) < 0.8 || p.Power(1, s-1) >= 0.8 {
		t.Errorf("SeedsFor = %d (%v): power %.3f there, %.3f one seed fewer", s, ok, p.Power(1, s), p.Power(1, s-1))
	}
	if _, ok := (Planning{SeedSD: 0.1, TestTerm: 1}).SeedsFor(1, 0.8, 100); ok {
		t.Error("a test-set term of s.d. 1 against an effect of 1 reached 80% power")
	}
	if h := p.HalfWidth(10); math.Abs(h-StudentT975(9)/math.Sqrt(10)) > 1e-12 {
		t.Errorf("half-width at 10 seeds %g", h)
	}
}
