package curves

import (
	"beyondscaling/lib/profile"
	"beyondscaling/lib/settings"
	"beyondscaling/theory"
)

// Plan holds every parameter of the theory figures. The figures' CSVs and
// the notebook print it, so a figure always says how it was made.
type Plan struct {
	Profile profile.Name
	// Fig. 1A/B: ε against α_prune at fixed fractions kept.
	Fractions  []float64
	AlphaPrune []float64
	// Simulation dots on those curves.
	SimFractions  []float64
	SimAlphaPrune []float64
	SimN          int
	SimSeeds      int
	// Phase diagram: ε_hard - ε_easy over (α_tot, f).
	PhaseAlphaTotal []float64
	PhaseFractions  []float64
	// Pareto frontier and f_opt: the f grid searched and the cap on the
	// total data α_tot = α_prune/f. The frontier figures use a cap far above
	// the data so that only the f grid limits them (as in the paper);
	// f_min(θ) uses MaxAlphaTotal.
	FrontierAlphas        []float64
	FrontierFGrid         []float64
	FrontierMaxAlphaTotal float64
	MaxAlphaTotal         float64
	// f_opt against α_tot (keep hard).
	FOptAlphas []float64
	// Fig. 2: probe angles, and the angles of the f_min(θ) curve.
	Thetas     []float64
	FMinThetas []float64
	FMinAlphas []float64
}

// PlanFor returns the default plan of a profile, from the table of
// profile settings (settings.TheoryPlanFor). smoke runs in seconds, cpu in
// about a minute on 2 cores, paper at the resolution of the paper.
func PlanFor(p profile.Name) Plan {
	t := settings.TheoryPlanFor(p)
	grid := func(g settings.Grid) []float64 { return theory.LogSpace(g.Lo, g.Hi, g.N) }
	return Plan{
		Profile:               p,
		Fractions:             t.Fractions,
		AlphaPrune:            grid(t.AlphaPrune),
		SimFractions:          t.SimFractions,
		SimAlphaPrune:         t.SimAlphaPrune,
		SimN:                  t.SimN,
		SimSeeds:              t.SimSeeds,
		PhaseAlphaTotal:       grid(t.PhaseAlphaTotal),
		PhaseFractions:        grid(t.PhaseFractions),
		FrontierAlphas:        grid(t.FrontierAlphas),
		FrontierFGrid:         grid(t.FrontierFGrid),
		FrontierMaxAlphaTotal: t.FrontierMaxAlphaTotal,
		MaxAlphaTotal:         t.MaxAlphaTotal,
		FOptAlphas:            grid(t.FOptAlphas),
		Thetas:                t.Thetas,
		FMinThetas:            t.FMinThetas,
		FMinAlphas:            grid(t.FMinAlphas),
	}
}
