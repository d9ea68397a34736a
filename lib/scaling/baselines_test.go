package scaling

import (
	"math"
	"strings"
	"testing"

	"beyondscaling/lib/settings"
	"beyondscaling/lib/sweep"
	"beyondscaling/lib/verdict"
)

func baselineRecord(metric, keep string, f float64, seed uint64, dynamic float64, testErr float64, passes int) sweep.Record {
	return sweep.Record{Run: sweep.Run{Dataset: "d", Metric: metric, Keep: keep, Fraction: f, Size: 1000, Seed: seed, DynamicPrune: dynamic},
		TestError: testErr, Trained: int(f * 1000), Training: settings.Applied{ExamplePasses: passes, EpochsRun: 10}}
}

// Hand-computed: between (100 passes, error 0.2) and (200, 0.1), the
// interpolation in log error against log passes at the geometric mean
// 141.42 passes is √(0.2 · 0.1); outside [100, 200] there is none.
func TestStaticAtPasses(t *testing.T) {
	ps := Aggregate([]sweep.Record{
		baselineRecord("random", "random", 0.5, 1, 0, 0.2, 100),
		baselineRecord("none", "all", 1, 1, 0, 0.1, 200),
	})
	got, lo, hi, ok := StaticAtPasses(ps, 1, math.Sqrt(100*200))
	if !ok || math.Abs(got-math.Sqrt(0.02)) > 1e-12 || lo != 0.5 || hi != 1 {
		t.Errorf("at √(100·200) passes: %v between f = %v and %v (%v), want %v between 0.5 and 1", got, lo, hi, ok, math.Sqrt(0.02))
	}
	for _, m := range []float64{50, 250} {
		if _, _, _, ok := StaticAtPasses(ps, 1, m); ok {
			t.Errorf("%v passes, outside the runs' [100, 200]: interpolated anyway", m)
		}
	}
	if _, _, _, ok := StaticAtPasses(ps, 2, 150); ok {
		t.Error("a seed without runs was interpolated")
	}
}

// A dynamic run at f = 1 is its own point: the unpruned run is still found
// as the unpruned one, and the dynamic point keeps each seed's passes.
func TestAggregateKeepsDynamicRunsApart(t *testing.T) {
	ps := Aggregate([]sweep.Record{
		baselineRecord("none", "all", 1, 1, 0.5, 0.12, 7000),
		baselineRecord("none", "all", 1, 1, 0, 0.10, 10000),
	})
	if len(ps) != 2 {
		t.Fatalf("%d points, want the dynamic and the unpruned apart", len(ps))
	}
	full, ok := find(ps, "", "", 1, 1000, 0)
	if !ok || full.DynamicPrune != 0 || full.Errors[1] != 0.10 {
		t.Errorf("unpruned point %+v (%v): want the plain run's", full, ok)
	}
	for _, p := range ps {
		if p.DynamicPrune == 0.5 && p.Passes[1] != 7000 {
			t.Errorf("dynamic point's passes %v, want 7000", p.Passes)
		}
	}
}

// Dynamic pruning 0.01 below the static curve at its passes on every seed
// is judged "yes"; a run whose passes no two static runs bracket is "not
// measured" and says why.
func TestDynamicEffects(t *testing.T) {
	var recs []sweep.Record
	var dyn []sweep.Record
	for s := uint64(1); s <= 3; s++ {
		e := 0.01 * float64(s) // each seed its own level
		recs = append(recs,
			baselineRecord("random", "random", 0.5, s, 0, 0.2+e, 100),
			baselineRecord("el2n", "hard", 0.5, s, 0, 0.18+e, 100),
			baselineRecord("none", "all", 1, s, 0, 0.1+e, 200))
		const m = 141 // example passes of the dynamic runs
		w := math.Log(m/100.0) / math.Log(2)
		st := math.Exp((1-w)*math.Log(0.2+e) + w*math.Log(0.1+e)) // random interpolated at m passes
		dyn = append(dyn, baselineRecord("none", "all", 1, s, 0.5, st-0.01, m))
	}
	ps := Aggregate(recs)
	d := Aggregate(dyn)[0]
	effects := DynamicEffects(ps, d, [][2]string{{"random", "random"}, {"el2n", "hard"}}, ClaimDesign{TestExamples: 1_000_000})
	if len(effects) != 2 {
		t.Fatalf("%d effects, want 2", len(effects))
	}
	r := effects[0]
	if !strings.Contains(r.Claim, "beats random pruning at equal compute") || math.Abs(r.Value.Mean+0.01) > 1e-12 || r.Verdict != verdict.Yes {
		t.Errorf("against random: %s = %v (%s), want about −0.01, yes", r.Claim, r.Value, r.Verdict)
	}
	if !strings.Contains(r.Setting, "70% of unpruned training") {
		t.Errorf("setting %q does not give the share of passes (141 of 200)", r.Setting)
	}
	far := d
	far.Passes = map[uint64]float64{1: 500, 2: 500, 3: 500}
	e := DynamicEffects(ps, far, [][2]string{{"random", "random"}}, ClaimDesign{TestExamples: 1_000_000})[0]
	if e.Verdict != verdict.NotMeasured || !strings.Contains(e.Note, "bracket") {
		t.Errorf("passes beyond every static run: %s, %q; want not measured, saying why", e.Verdict, e.Note)
	}
}

// CCS is compared with random pruning and with keep hard by its metric at
// each fraction, its setting naming β; a fraction without CCS runs gives
// no claim.
func TestCCSEffects(t *testing.T) {
	var recs []sweep.Record
	for s := uint64(1); s <= 3; s++ {
		recs = append(recs,
			baselineRecord("el2n", "ccs", 0.2, s, 0, 0.15, 2000),
			baselineRecord("el2n", "hard", 0.2, s, 0, 0.40+0.001*float64(s), 2000),
			baselineRecord("random", "random", 0.2, s, 0, 0.18, 2000),
			baselineRecord("el2n", "hard", 0.5, s, 0, 0.12, 5000),
			baselineRecord("random", "random", 0.5, s, 0, 0.13, 5000))
	}
	effects := CCSEffects(Aggregate(recs), []string{"el2n"}, 1000, []float64{0.2, 0.5}, func(f float64) float64 { return 0.1 }, ClaimDesign{TestExamples: 10000})
	if len(effects) != 2 {
		t.Fatalf("%d effects, want 2 (f = 0.5 has no CCS runs)", len(effects))
	}
	if !strings.Contains(effects[0].Setting, "β = 0.1: error(ccs el2n) − error(random)") || math.Abs(effects[0].Value.Mean+0.03) > 1e-12 {
		t.Errorf("against random: %q = %v, want −0.03", effects[0].Setting, effects[0].Value.Mean)
	}
	if !strings.Contains(effects[1].Claim, "beats keep hard") || math.Abs(effects[1].Value.Mean+0.252) > 1e-12 {
		t.Errorf("against keep hard: %q = %v, want −0.252", effects[1].Claim, effects[1].Value.Mean)
	}
}
