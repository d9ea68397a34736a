package scaling

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"testing"
)

// prototypePoints are notebook 06's aggregated points in the order the
// store returned them when the committed 06 figures were drawn: k as
// 10, 20, 5, 50 and balance as 0.5, 1, 0. The k = 5 point has one seed
// (no standard error).
func prototypePoints() []Point {
	pt := func(metric string, balance, errRate, sem float64) Point {
		return Point{Metric: metric, Keep: "hard", Fraction: 0.7, Size: 2000, Balance: balance, Mean: errRate, SEM: sem, Seeds: 2}
	}
	return []Point{
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

// The data of the 06 figures is sorted by k and by r whatever order the
// store returned the points in, each value staying with its x.
func TestPrototypeSeriesSortX(t *testing.T) {
	ps := prototypePoints()
	byK, others := PrototypeK(ps, 2000, 0.7)
	if !slices.Equal(byK.X, []float64{5, 10, 20, 50}) {
		t.Fatalf("k %v, want 5, 10, 20, 50", byK.X)
	}
	// each accuracy stays with its k: 100·(1 − error)
	for i, want := range []float64{100 * (1 - 0.6883), 100 * (1 - 0.6877), 100 * (1 - 0.69185), 100 * (1 - 0.6764)} {
		if math.Abs(byK.Acc[i]-want) > 1e-9 {
			t.Errorf("accuracy at k = %g: %v, want %v", byK.X[i], byK.Acc[i], want)
		}
	}
	if !math.IsNaN(byK.SEM[0]) {
		t.Errorf("the one-seed point's s.e. became %v, want NaN (a missing interval)", byK.SEM[0])
	}
	if len(others) != 3 || math.Abs(others["random"]-100*(1-0.67455)) > 1e-9 {
		t.Errorf("reference metrics %v", others)
	}
	bal := PrototypeBalance(ps, "ssl-prototypes", 2000, 0.7, 20)
	if !slices.Equal(bal.X, []float64{0, 0.5, 1}) || math.Abs(bal.Acc[0]-100*(1-0.69185)) > 1e-9 {
		t.Errorf("ssl balance %v %v, want r = 0, 0.5, 1 with r = 0 from k = 20", bal.X, bal.Acc)
	}
	if rnd := PrototypeBalance(ps, "random", 2000, 0.7, 20); !slices.Equal(rnd.X, []float64{0, 0.5, 1}) {
		t.Errorf("random balance %v", rnd.X)
	}
}

func TestRankCorrelations(t *testing.T) {
	a := []float64{1, 2, 3, 4, 5}
	names, rho, err := RankCorrelations(map[string][]float64{"b": {50, 40, 30, 20, 10}, "a": a, "c": {1, 4, 9, 16, 25}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(names, []string{"a", "b", "c"}) {
		t.Fatalf("names %v", names)
	}
	// Ranks: b is a reversed (ρ = −1), c is monotone in a (ρ = 1).
	want := [][]float64{{1, -1, 1}, {-1, 1, -1}, {1, -1, 1}}
	for i := range want {
		for j := range want[i] {
			if math.Abs(rho[i][j]-want[i][j]) > 1e-12 {
				t.Errorf("ρ(%s, %s) = %v, want %v", names[i], names[j], rho[i][j], want[i][j])
			}
		}
	}
	var b bytes.Buffer
	if err := WriteRankCorrelations(&b, names, rho); err != nil || strings.Count(b.String(), "\n") != 4 || !strings.Contains(b.String(), " -1.00") {
		t.Errorf("table %q, %v", b.String(), err)
	}
}

func TestWriteHardMinusEasy(t *testing.T) {
	fr, sizes, diff := HardMinusEasy(Aggregate(synthetic()), "el2n-20")
	var b bytes.Buffer
	if err := WriteHardMinusEasy(&b, fr, sizes, diff); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(b.String(), "\n"); n != len(fr)*len(sizes) {
		t.Errorf("%d lines, want %d", n, len(fr)*len(sizes))
	}
}
