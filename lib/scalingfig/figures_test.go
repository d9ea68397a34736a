package scalingfig

import (
	"io"
	"math"
	"slices"
	"strings"
	"testing"

	"beyondscaling/lib/plots"
	"beyondscaling/lib/scaling"
	"beyondscaling/lib/sweep"
	"beyondscaling/lib/train"
)

// points are a sweep's aggregated points from a noiseless power law,
// ε = 2·(f n)^(−0.5), with keep hard below and keep easy above random
// pruning by 1%, and each seed's error offset by ±0.5%.
func points() []scaling.Point {
	var recs []sweep.Record
	for _, seed := range []uint64{1, 2, 3} {
		for _, n := range []int{1000, 2000, 4000} {
			for _, f := range []float64{0.4, 0.7, 1} {
				e := 2 / math.Sqrt(f*float64(n)) * (1 + 0.005*float64(int(seed)-2))
				rec := func(metric, keep string, scale float64) sweep.Record {
					return sweep.Record{Run: sweep.Run{Metric: metric, Keep: keep, Fraction: f, Size: n, Seed: seed}, TestError: e * scale, Trained: int(f * float64(n))}
				}
				if f == 1 {
					recs = append(recs, rec("none", "all", 1))
					continue
				}
				recs = append(recs, rec("random", "random", 1), rec("el2n-20", "hard", 0.99), rec("el2n-20", "easy", 1.01))
			}
		}
	}
	return scaling.Aggregate(recs)
}

// prototypePoints are notebook 06's aggregated points in the order the
// store returned them when the committed 06 figures were drawn: k as
// 10, 20, 5, 50 and balance as 0.5, 1, 0. The k = 5 point has one seed
// (no standard error).
func prototypePoints() []scaling.Point {
	pt := func(metric string, balance, errRate, sem float64) scaling.Point {
		return scaling.Point{Metric: metric, Keep: "hard", Fraction: 0.7, Size: 2000, Balance: balance, Mean: errRate, SEM: sem, Seeds: 2}
	}
	return []scaling.Point{
		pt("ssl-prototypes@10", 0, 0.6877, 0.0117),
		pt("ssl-prototypes@20", 0, 0.69185, 0.01235),
		pt("ssl-prototypes@5", 0, 0.6883, math.NaN()),
		pt("ssl-prototypes@50", 0, 0.6764, 0.0067),
		pt("supervised-prototypes", 0, 0.72625, 0.00085),
		pt("memorization", 0, 0.6782, 0.001),
		pt("random", 0, 0.67455, 0.00375),
		pt("ssl-prototypes", 0.5, 0.69185, 0.01235),
		pt("ssl-prototypes", 1, 0.6731, 0.0008),
		pt("random", 0.5, 0.67455, 0.00375),
		pt("random", 1, 0.67485, 0.00625),
	}
}

func prototypeSpec() sweep.Spec {
	return sweep.Spec{Sizes: []int{2000}, Fractions: []float64{0.7, 1}, Preset: "cpu"}
}

// The 06 figures pass the figure checks, the reference lines span the
// range of k, and the missing interval at k = 5 is named in the caption.
func TestPrototypeFigures(t *testing.T) {
	ps := prototypePoints()
	kFig := PrototypeK("Synthetic", ps, prototypeSpec(), []string{"supervised-prototypes", "memorization", "random"})
	if err := plots.Check(kFig); err != nil {
		t.Errorf("k figure: %v", err)
	}
	if ref := kFig.Series[1]; ref.X[0] != 5 || ref.X[1] != 50 {
		t.Errorf("reference line over k = %v, want the range 5-50", ref.X)
	}
	if c := kFig.Caption(); !strings.Contains(c, "x = 5") {
		t.Errorf("caption %q does not name the missing interval at k = 5", c)
	}

	if err := plots.Check(PrototypeBalance("Synthetic", ps, prototypeSpec(), 20)); err != nil {
		t.Errorf("balance figure: %v", err)
	}
}

// The benchmark's curves are sorted by fraction even when the store returns
// the points out of order.
func TestMetricBenchmarkSorted(t *testing.T) {
	ps := points()
	slices.Reverse(ps)
	fig := MetricBenchmark("t", ps, []string{"el2n-20", "random"}, 2000, 0)
	for _, s := range fig.Series {
		if !slices.IsSorted(s.X) || s.X[len(s.X)-1] != 1 {
			t.Errorf("%s: x %v", s.Label, s.X)
		}
	}
	if err := plots.Check(fig); err != nil {
		t.Error(err)
	}
}

func TestSchedule(t *testing.T) {
	fig := Schedule("t", "l", train.ImageNetSchedule, 0.1, 105, 10)
	s := fig.Series[0]
	if len(s.X) != 1051 || s.X[1050] != 105 {
		t.Fatalf("%d samples ending at %v", len(s.X), s.X[len(s.X)-1])
	}
	// The paper's recipe: 0.1 until epoch 30, ×0.1 at 30, 60, 90 and 100.
	for epoch, want := range map[int]float64{0: 0.1, 29: 0.1, 31: 0.01, 61: 0.001, 91: 1e-4, 101: 1e-5} {
		if got := s.Y[epoch*10]; math.Abs(got-want) > 1e-12*want+1e-15 {
			t.Errorf("lr at epoch %d = %g, want %g", epoch, got, want)
		}
	}
	if err := plots.Check(fig); err != nil {
		t.Error(err)
	}
}

func TestFiguresValidate(t *testing.T) {
	ps := points()
	curves, random, full := scaling.ScalingCurves(ps, "el2n-20", []string{"hard", "easy"})
	law, _ := scaling.RandomPowerLaw(random, full)
	fr, sizes, diff := scaling.HardMinusEasy(ps, "el2n-20")
	for name, fig := range map[string]*plots.Figure{
		"scaling":   Scaling("t", curves, random, full, frontierOf(ps), law),
		"hardeasy":  HardMinusEasy("t", fr, sizes, diff),
		"benchmark": MetricBenchmark("t", ps, []string{"el2n-20", "random"}, 2000, 0),
	} {
		if err := fig.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if _, err := plots.SVG(fig); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// frontierOf is the best-f frontier of the points on their seeds.
func frontierOf(ps []scaling.Point) scaling.Curve {
	c, _ := scaling.Frontier(ps, "el2n-20", []uint64{1, 2, 3})
	return c
}

// Fig. 3 draws the best-f frontier at fixed examples trained on (not the
// envelope at fixed initial size) and the random power law's exponent with
// its interval.
func TestScalingOfDrawsFrontier(t *testing.T) {
	fig, err := ScalingOf("t", points(), "el2n-20", []string{"hard", "easy"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var frontier, law bool
	for _, s := range fig.Series {
		frontier = frontier || (s.Label == "best f at fixed examples trained on" && len(s.X) > 0)
		law = law || (strings.HasPrefix(s.Label, "power law fit to random: ν = ") && strings.Count(s.Label, "[") == 1)
	}
	if !frontier || !law {
		t.Errorf("frontier drawn %v, power law with interval %v", frontier, law)
	}
}
