package plans

import (
	"slices"

	"beyondscaling/lib/project"
	"beyondscaling/lib/scaling"
	"beyondscaling/lib/settings"
)

// ---------------------------------------------------------------------------
// The abundant-data cpu design (lib/plans/abundant-design.md).
// ---------------------------------------------------------------------------

// Design is a whole experimental design of the scaling and benchmark
// notebooks at one profile: the network and its recipe, the grids of Figs.
// 1D/3, 5 and 6, the probe networks and the seeds, each kind named.
type Design struct {
	Profile project.Profile
	Dataset string // lib/data name
	// Label is how figures name the dataset's role.
	Label string
	// Model is the network; its training recipe and the metrics' probe
	// networks are lib/settings' rows for (Dataset, Model, Profile): the
	// methods Recipe and Probes read them.
	Model string
	// Figs. 1D and 3: initial sizes (log-spaced up to the full set),
	// fractions kept (1: the unpruned run, once per size and seed) and
	// keep policies of the metric ScalingMetric, plus random pruning.
	Sizes         []int
	Fractions     []float64
	Keeps         []string
	ScalingMetric string
	// Seeds. Pilot seeds chose this design and are never reported;
	// selection seeds choose c*(m) for the power-law test and are never
	// reported; fresh seeds are the reported runs. At the full set every
	// seed has the same initial set (its scores are computed once): a seed
	// varies the initial set below the full set, the random selection,
	// the network's initialisation and the data order.
	PilotSeeds, SelectionSeeds, FreshSeeds []uint64
	// Fig. 5: every metric keeping the hardest examples at the full set at
	// BenchmarkFractions, and class-balanced (ratio BenchmarkBalance) at
	// BalancedFraction.
	BenchmarkFractions []float64
	BalancedFraction   float64
	BenchmarkBalance   float64
	// BenchmarkCut are fractions planned for Fig. 5 and left out to keep
	// the main job within its hour (the summary lists their claims as not
	// run).
	BenchmarkCut []float64
	// Fig. 6: self-supervised prototypes at these k (clusters) against
	// supervised prototypes and memorization at PrototypeFraction, and at
	// the balancing ratios PrototypeBalances.
	PrototypeClusters []int
	PrototypeFraction float64
	PrototypeBalances []float64
	// The headline block: the primary claims at the full set (keep hard
	// against random and against keep easy at HeadlineFractions) on
	// HeadlineSeeds, the grid's fresh seeds first, with probe networks
	// drawn per seed so that the interval covers them. HeadlinePilotSeeds
	// chose its recipe and number of seeds (notebook 03) and are never
	// reported.
	HeadlineFractions  []float64
	HeadlineSeeds      []uint64
	HeadlinePilotSeeds []uint64
	// The newer selection baselines (notebook 05): coverage-centric
	// selection with BaselineMetrics at BaselineFractions against keep hard
	// and random pruning there, and dynamic pruning (InfoBatch) at ratio
	// DynamicPrune on the whole set, on the fresh seeds.
	BaselineMetrics   []string
	BaselineFractions []float64
	DynamicPrune      float64
}

// CPUAbundant is the cpu profile's design on Fashion-MNIST: the
// lean MLP mlp-256 (784-256-10) on the full training set (55,000 after the
// validation split), standing in for SVHN (Figs. 1D and 3, notebook 03) and
// ImageNet (Figs. 5 and 6, notebooks 05 and 06). The sweeps train 10
// epochs but at least 300 steps (settings.CPUAbundantMLP): the most that fits the
// main job's hour at the network's measured throughput (about 50,000
// img/s on 2 cores); at 20 epochs the grid would take about 50 minutes of
// training alone. Budget, pilot and reasons: lib/plans/abundant-design.md.
// ScalingPlan, BenchmarkPlan, HeadlinePlan and PrototypeClusters read it.
var CPUAbundant = Design{
	Profile: project.CPU, Dataset: "fashion-mnist", Label: "Fashion-MNIST (in place of SVHN / ImageNet)", Model: "mlp-256",
	// Log-spaced by e from 1,000 to the full set.
	Sizes:         []int{1000, 2700, 7400, 20000, 55000},
	Fractions:     []float64{0.2, 0.3, 0.5, 0.7, 0.9, 1},
	Keeps:         []string{"hard", "easy"},
	ScalingMetric: "el2n-20",
	PilotSeeds:    []uint64{9001}, SelectionSeeds: []uint64{101}, FreshSeeds: []uint64{201, 202, 203},
	BenchmarkFractions: []float64{0.5},
	BenchmarkCut:       []float64{0.7},
	BalancedFraction:   0.5,
	BenchmarkBalance:   BenchmarkBalance,
	PrototypeClusters:  []int{5, 10, 30, 100},
	PrototypeFraction:  0.7,
	PrototypeBalances:  PrototypeBalances,
	HeadlineFractions:  scaling.ClaimFractions,
	HeadlineSeeds:      []uint64{201, 202, 203, 204, 205, 206, 207, 208, 209, 210},
	HeadlinePilotSeeds: []uint64{9101, 9102, 9103},
	BaselineMetrics:    []string{"el2n-20", "forgetting"},
	BaselineFractions:  []float64{0.2, 0.3, 0.5, 0.7},
	DynamicPrune:       0.5,
}

// Budget is a design's training cost in example passes (one example
// through one training step), by figure; ProbePasses counts the EL2N
// probes of the scaling grid (the other metrics' networks are counted in
// lib/plans/abundant-design.md, where they are measured).
type Budget struct {
	ScalingRuns, BenchmarkRuns, PrototypeRuns       int
	ScalingPasses, BenchmarkPasses, PrototypePasses int64
	ScalingProbePasses                              int64
	SelectionShare                                  float64 // of ScalingPasses, on selection seeds
	// The headline block beyond the grid: its runs and probes on the seeds
	// the grid does not have (on the others they are the grid's).
	HeadlineRuns                        int
	HeadlinePasses, HeadlineProbePasses int64
	// The newer baselines beyond Fig. 5's runs: CCS, keep hard by the
	// baseline metrics and random pruning at the fractions Fig. 5 lacks
	// (random's at the full set are also Fig. 3's runs: counted here, they
	// train once), and the dynamic runs counted at the unpruned cost (an
	// upper bound: dynamic pruning saves a share of it).
	BaselineRuns   int
	BaselinePasses int64
}

// Recipe is the design's training recipe: lib/settings' row for its
// dataset, model and profile (no random augmentation on the Fashion-MNIST
// family; inputs standardised).
func (d Design) Recipe() settings.Recipe {
	r, err := settings.RecipeFor(d.Dataset, d.Model, d.Profile)
	if err != nil {
		panic(err) // a design names a dataset lib/settings knows
	}
	return r.Recipe
}

// Probes is the design's probe preset (EL2N from EL2NModels networks
// snapshotted at EarlyEpoch): lib/settings' for its profile and dataset.
func (d Design) Probes() settings.Probes { return settings.ProbesFor(d.Profile, d.Dataset) }

// passes is the number of example passes of one run on m examples: its
// steps (Recipe.Steps, the trainer's rule), each a full batch but the last
// of every epoch.
func passes(r settings.Recipe, m int) int64 {
	s, spe := r.Steps(m), r.StepsPerEpoch(m)
	full, rest := s/spe, s%spe
	return int64(full)*int64(m) + int64(min(rest*r.Batch, m))
}

// Budget counts a design's runs and example passes: Figs. 1D/3 on every
// (selection and fresh) seed with EL2N probes drawn per seed, the headline
// block on its seeds beyond the grid's, Figs. 5 and 6 on the fresh seeds,
// and Fig. 6's supervised-prototype and memorization runs shared with
// Fig. 5's when the fractions agree.
func (d Design) Budget() Budget { return d.budget(d.Recipe(), d.Probes()) }

func (d Design) budget(r settings.Recipe, probes settings.Probes) Budget {
	var b Budget
	full := d.Sizes[len(d.Sizes)-1]
	seeds := len(d.SelectionSeeds) + len(d.FreshSeeds)
	for _, n := range d.Sizes {
		for _, f := range d.Fractions {
			m := int(f*float64(n) + 0.5)
			k := 1
			if f < 1 {
				k = len(d.Keeps) + 1 // and random
			}
			b.ScalingRuns += k * seeds
			b.ScalingPasses += int64(k*seeds) * passes(r, m)
		}
		// EL2N probes, snapshotted at EarlyEpoch, drawn per seed.
		b.ScalingProbePasses += int64(probes.EL2NModels * probes.EarlyEpoch * n * seeds)
	}
	b.SelectionShare = float64(len(d.SelectionSeeds)) / float64(seeds)
	for _, s := range d.HeadlineSeeds {
		if slices.Contains(d.SelectionSeeds, s) || slices.Contains(d.FreshSeeds, s) {
			continue
		}
		for _, f := range d.HeadlineFractions {
			b.HeadlineRuns += len(d.Keeps) + 1
			b.HeadlinePasses += int64(len(d.Keeps)+1) * passes(r, int(f*float64(full)+0.5))
		}
		b.HeadlineProbePasses += int64(probes.EL2NModels * probes.EarlyEpoch * full)
	}
	fresh := len(d.FreshSeeds)
	const metrics = 11 // the ten of the paper and random
	for _, f := range d.BenchmarkFractions {
		b.BenchmarkRuns += metrics * fresh
		b.BenchmarkPasses += int64(metrics*fresh) * passes(r, int(f*float64(full)+0.5))
	}
	b.BenchmarkRuns += metrics * fresh
	b.BenchmarkPasses += int64(metrics*fresh) * passes(r, int(d.BalancedFraction*float64(full)+0.5))
	shared := 0
	for _, f := range d.BenchmarkFractions {
		if f == d.PrototypeFraction {
			shared = 3 // supervised prototypes, memorization and random
		}
	}
	for _, f := range d.BaselineFractions {
		m := passes(r, int(f*float64(full)+0.5))
		k := len(d.BaselineMetrics) // ccs by each metric
		if !slices.Contains(d.BenchmarkFractions, f) {
			k += len(d.BaselineMetrics) + 1 // keep hard by each, and random
		}
		b.BaselineRuns += k * fresh
		b.BaselinePasses += int64(k*fresh) * m
	}
	if d.DynamicPrune > 0 {
		b.BaselineRuns += fresh
		b.BaselinePasses += int64(fresh) * passes(r, full)
	}
	mp := passes(r, int(d.PrototypeFraction*float64(full)+0.5))
	k := len(d.PrototypeClusters) + 3 - shared + 2*len(d.PrototypeBalances) // + (ssl, random) per ratio
	b.PrototypeRuns = k * fresh
	b.PrototypePasses = int64(k*fresh) * mp
	return b
}
