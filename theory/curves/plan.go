package curves

import (
	"beyondscaling/lib/project"
	"beyondscaling/theory"
)

// Plan holds every parameter of the theory figures. The figures' CSVs and
// the notebook print it, so a figure always says how it was made.
type Plan struct {
	Profile project.Profile
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

// PlanFor returns the default plan of a profile: smoke runs in seconds, cpu
// in about a minute on 2 cores, paper at the resolution of the paper.
// Log-spaced grids are written as their ends and point counts.
func PlanFor(p project.Profile) Plan {
	pick := func(s, c, pa int) int { return project.Pick(p, s, c, pa) }
	grid := theory.LogSpace
	return Plan{
		Profile:               p,
		Fractions:             []float64{0.2, 0.4, 0.6, 0.8, 1},
		AlphaPrune:            grid(0.2, 20, pick(8, 40, 80)),
		SimFractions:          project.Pick(p, []float64{0.4}, []float64{0.2, 0.6, 1}, []float64{0.2, 0.4, 0.6, 0.8, 1}),
		SimAlphaPrune:         project.Pick(p, []float64{1, 4}, []float64{0.5, 1, 2, 4, 8}, []float64{0.5, 1, 2, 3, 4, 6, 8, 12}),
		SimN:                  pick(50, 200, 200),
		SimSeeds:              pick(2, 10, 20),
		PhaseAlphaTotal:       grid(0.3, 300, pick(6, 30, 60)),
		PhaseFractions:        grid(0.05, 1, pick(5, 20, 40)),
		FrontierAlphas:        grid(0.3, 40, pick(5, 16, 40)),
		FrontierFGrid:         grid(0.005, 1, pick(8, 25, 50)),
		FrontierMaxAlphaTotal: 1e5,
		MaxAlphaTotal:         1000,
		FOptAlphas:            grid(2, 40, pick(4, 10, 20)),
		Thetas:                []float64{0, 10, 20},
		FMinThetas:            project.Pick(p, []float64{10, 30}, []float64{5, 10, 15, 20, 25, 30, 40}, []float64{2.5, 5, 7.5, 10, 15, 20, 25, 30, 35, 40, 45}),
		FMinAlphas:            grid(2, 40, pick(3, 8, 16)),
	}
}
