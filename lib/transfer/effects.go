package transfer

import (
	"fmt"
	"slices"
	"sort"

	"beyondscaling/lib/scaling"
)

// UntrainedMetric names the untrained encoder's point (PolicyNone).
const UntrainedMetric = "untrained"

// Points are one panel's results as scaling's points, one per policy and
// fraction, over the seeds (Metric is the policy, "none" for all the data
// and UntrainedMetric for the untrained encoder; Keep is "hard", "random",
// "all" or UntrainedMetric; Size is 1), for scaling's curves and paired
// claims.
func Points(results []Result, panel string) []scaling.Point {
	type key struct {
		policy string
		f      float64
	}
	groups := map[key]*scaling.Point{}
	var order []key
	for _, r := range results {
		if r.Panel != panel {
			continue
		}
		k := key{r.Policy, r.F}
		p, ok := groups[k]
		if !ok {
			p = &scaling.Point{Metric: r.Policy, Keep: "hard", Fraction: r.F, Size: 1,
				Errors: map[uint64]float64{}, Correct: map[uint64]string{}, Backend: map[uint64]string{}, Passes: map[uint64]float64{}}
			switch r.Policy {
			case PolicyRandom:
				p.Keep = "random"
			case PolicyAll:
				p.Metric, p.Keep = "none", "all"
			case PolicyNone:
				p.Metric, p.Keep = UntrainedMetric, UntrainedMetric
			}
			groups[k] = p
			order = append(order, k)
		}
		p.Errors[r.Seed] = r.TestError
		p.Correct[r.Seed] = r.TestCorrect
		p.Backend[r.Seed] = r.Backend
		p.Trained += float64(r.Examples)
	}
	var out []scaling.Point
	for _, k := range order {
		p := groups[k]
		var xs []float64
		for _, s := range scaling.Seeds([]scaling.Point{*p}) {
			xs = append(xs, p.Errors[s])
		}
		p.Seeds = len(xs)
		p.Trained /= float64(p.Seeds)
		p.Mean, p.SEM = scaling.MeanSEM(xs)
		out = append(out, *p)
	}
	sort.SliceStable(out, func(a, b int) bool {
		if out[a].Metric != out[b].Metric {
			return out[a].Metric < out[b].Metric
		}
		return out[a].Fraction < out[b].Fraction
	})
	return out
}

// Effects are the experiment's claims, paired over seeds on the downstream
// test set: in the pretraining panel, pretraining on the upstream data kept
// by self-supervised prototypes beats pretraining on a random subset of the
// same size (the downstream linear probe's error); in the fine-tuning
// panel, fine-tuning on the downstream data kept by EL2N beats a random
// subset of the same size. Every seed is fresh (no claim here chooses
// anything from the results).
func Effects(results []Result, cfg Config) []scaling.Effect {
	testSize := 0
	for _, r := range results {
		testSize = max(testSize, r.TestSize)
	}
	design := scaling.ClaimDesign{TestExamples: testSize}
	var out []scaling.Effect
	tasks := fmt.Sprintf("classes %v → %v", cfg.Upstream, cfg.Downstream)
	for _, panel := range []struct{ name, hard, claim, what string }{
		{PanelPretrain, PolicyPrototypes, "pretraining on self-supervised prototypes' selection beats random pruning (downstream linear probe)", "upstream"},
		{PanelFineTune, PolicyEL2N, "fine-tuning the pretrained encoder on EL2N's selection beats random pruning", "downstream"},
	} {
		ps := Points(results, panel.name)
		for _, f := range cfg.Fractions {
			i := slices.IndexFunc(ps, func(p scaling.Point) bool { return p.Metric == panel.hard && p.Fraction == f })
			j := slices.IndexFunc(ps, func(p scaling.Point) bool { return p.Metric == PolicyRandom && p.Fraction == f })
			if i < 0 || j < 0 {
				continue
			}
			e := scaling.PairedEffect(panel.claim, fmt.Sprintf("%s, f = %g of the %s data: error(%s) − error(random)", tasks, f, panel.what, panel.hard), ps[i], ps[j], -1, design)
			e.Metric, e.Fraction = panel.hard, f
			out = append(out, e)
		}
	}
	return out
}
