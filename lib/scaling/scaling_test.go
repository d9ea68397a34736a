package scaling

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"beyondscaling/lib/plots"
	"beyondscaling/lib/profile"
	"beyondscaling/lib/sweep"
)

// synthetic records from a known model: random pruning follows
// ε = 2·(f n)^(−0.5); keep hard is worse than easy below n = 2000 and better
// above; two seeds with ±0.001 noise.
func synthetic() []sweep.Record {
	var recs []sweep.Record
	for _, seed := range []uint64{1, 2} {
		noise := 0.001 * (float64(seed) - 1.5)
		for _, n := range []int{1000, 2000, 4000, 8000} {
			for _, f := range []float64{0.4, 0.7, 1} {
				base := 2 / math.Sqrt(f*float64(n))
				add := func(metric, keep string, e float64) {
					recs = append(recs, sweep.Record{Run: sweep.Run{Metric: metric, Keep: keep, Fraction: f, Size: n, Seed: seed},
						TestError: e + noise, Trained: int(f * float64(n))})
				}
				if f == 1 {
					add("none", "all", base)
					continue
				}
				add("random", "random", base)
				shift := 0.02 * math.Log2(float64(n)/2000) // hard helps with more data
				add("el2n-20", "hard", base*(1-shift)-0.01*math.Log2(float64(n)/2000))
				add("el2n-20", "easy", base*(1+shift))
			}
		}
	}
	return recs
}

func TestAggregateAndEffects(t *testing.T) {
	ps := Aggregate(synthetic())
	p, ok := find(ps, "random", "random", 0.4, 1000, 0)
	if !ok || p.Seeds != 2 || math.Abs(p.Mean-2/math.Sqrt(400)) > 1e-12 || math.Abs(p.SEM-0.0005) > 1e-9 {
		t.Fatalf("random point %+v", p)
	}
	fr, sizes, diff := HardMinusEasy(ps, "el2n-20")
	if len(fr) != 2 || len(sizes) != 4 {
		t.Fatalf("map %v × %v", fr, sizes)
	}
	if !(diff[0][0].Mean > 0 && diff[1][3].Mean < 0) {
		t.Errorf("hard − easy: small n %v, large n %v", diff[0][0], diff[1][3])
	}
	effects := ScalingEffects(ps, "el2n-20")
	if len(effects) != 4 {
		t.Fatalf("%d effects", len(effects))
	}
	for _, e := range effects[:3] {
		if e.Verdict != "yes" {
			t.Errorf("%s: %s (%v)", e.Claim, e.Verdict, e.Value)
		}
	}
	_, random, full := ScalingCurves(ps, "el2n-20", []string{"hard"})
	law, err := RandomPowerLaw(random, full)
	if err != nil || math.Abs(law.Nu-0.5) > 0.01 {
		t.Errorf("random power law %v (truth ν = 0.5), %v", law, err)
	}
	e := Effect{Value: Diff{Mean: 0.01, SEM: 0.01, Seeds: 3}, Sign: -1}
	e.Judge()
	if e.Verdict != "not resolved at this scale" {
		t.Errorf("verdict %q", e.Verdict)
	}
	dir := t.TempDir()
	if err := WriteEffects(dir, "02-test", effects, nil); err != nil {
		t.Fatal(err)
	}
	if err := Summarize(dir, "profile test"); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "summary.md"))
	if !strings.Contains(string(b), "keep hard beats keep easy") || strings.Count(string(b), "\n| 02-test") != 4 {
		t.Errorf("summary:\n%s", b)
	}
}

func TestFiguresValidate(t *testing.T) {
	ps := Aggregate(synthetic())
	curves, random, full := ScalingCurves(ps, "el2n-20", []string{"hard", "easy"})
	law, _ := RandomPowerLaw(random, full)
	fr, sizes, diff := HardMinusEasy(ps, "el2n-20")
	for name, fig := range map[string]*plots.Figure{
		"scaling":   ScalingFigure("t", curves, random, full, Envelope(ps, "el2n-20"), law),
		"hardeasy":  HardEasyFigure("t", fr, sizes, diff),
		"benchmark": MetricBenchmarkFigure("t", ps, []string{"el2n-20", "random"}, 2000, 0),
	} {
		if err := fig.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if _, err := plots.SVG(fig); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestPlansValidate(t *testing.T) {
	for _, p := range []profile.Name{profile.Smoke, profile.CPU, profile.Paper} {
		specs := []sweep.Spec{CIFARScaling(p), SVHNScaling(p, "fashion-mnist")}
		a, b := MetricBenchmark(p, "cifar10")
		specs = append(specs, a, b)
		specs = append(specs, PrototypeSensitivity(p, "cifar10")...)
		for _, s := range specs {
			if err := s.Validate(); err != nil {
				t.Errorf("%s %s: %v", p, s.Name, err)
			}
		}
	}
}
