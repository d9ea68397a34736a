package plans

import (
	"slices"

	"beyondscaling/lib/project"
	"beyondscaling/lib/settings"
)

// ---------------------------------------------------------------------------
// The grids of the notebooks' sweeps (plans.go builds the specs from them).
// ---------------------------------------------------------------------------

// Plan is the grid of a sweep: network, initial sizes, fractions kept and
// seeds. The training recipe comes from lib/settings.
type Plan struct {
	Model     string
	Sizes     []int
	Fractions []float64
	Seeds     []uint64
}

// ScalingPlan is notebooks 02-04's scaling sweep on a dataset. The paper's
// largest size is the whole training set less the validation split.
func ScalingPlan(p project.Profile, dataset string) Plan {
	switch p {
	case project.Smoke:
		return Plan{Model: "mlp", Sizes: []int{300, 600}, Fractions: []float64{0.5, 1}, Seeds: []uint64{1}}
	case project.CPU:
		if settings.UsesCPUAbundant(p, dataset) {
			d := CPUAbundant
			return Plan{Model: d.Model, Sizes: d.Sizes, Fractions: d.Fractions, Seeds: append(slices.Clone(d.SelectionSeeds), d.FreshSeeds...)}
		}
		// CIFAR-10 at the cpu profile: the small CNN on 1,000-4,000 images,
		// the scarce regime (30-40% accuracy), sized to the hour left by
		// the Fashion-MNIST design (about 14 minutes at 1,785 img/s:
		// notebook 02); CPUAbundant's selection and fresh seeds.
		return Plan{Model: "cnn-w8", Sizes: []int{1000, 2000, 4000}, Fractions: []float64{0.3, 0.5, 1},
			Seeds: append(slices.Clone(CPUAbundant.SelectionSeeds), CPUAbundant.FreshSeeds...)}
	}
	pl := Plan{Model: "resnet18", Sizes: []int{3125, 6250, 12500, 25000, 45000},
		Fractions: []float64{0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1}, Seeds: []uint64{1, 2, 3, 4}} // seed 1 selects (scaling.DesignFor), 2-4 are the protocol's 3 fresh seeds
	switch fam, _ := settings.Family(dataset); fam {
	case "svhn":
		pl.Sizes = []int{4266, 8532, 17064, 34128, 68257} // SVHN's 73,257 training digits less 5,000
	case "mnist":
		pl.Sizes = []int{3437, 6875, 13750, 27500, 55000} // Fashion-MNIST's 60,000 less 5,000
	case "imagenet":
		pl.Model, pl.Sizes = "resnet50", []int{160000, 320000, 640000, 1271167} // 1,281,167 less 10,000
	}
	return pl
}

// WeakProbeMetric is notebook 03's EL2N from a weak probe (an early
// snapshot) against the usual one; "" where it is not run: the cpu
// profile's Fashion-MNIST design leaves it out (it would add two thirds to
// the grid of Figs. 1D/3 and does not fit the main job's hour).
func WeakProbeMetric(p project.Profile, dataset string) string {
	if settings.UsesCPUAbundant(p, dataset) {
		return ""
	}
	return project.Pick(p, "el2n-20@1", "el2n-20@1", "el2n-20@4")
}

// BenchmarkPlan is notebook 05's metric benchmark on a dataset (keep hard
// at fractions near the paper's): at the cpu profile on Fashion-MNIST,
// CPUAbundant's full set at f = 0.5 and 0.7 on its fresh seeds; CIFAR-10 at
// the cpu profile keeps the small CNN at 70% only.
func BenchmarkPlan(p project.Profile, dataset string) Plan {
	switch p {
	case project.Smoke:
		return Plan{Model: "mlp", Sizes: []int{400}, Fractions: []float64{0.5, 0.7, 1}, Seeds: []uint64{1}}
	case project.CPU:
		if settings.UsesCPUAbundant(p, dataset) {
			d := CPUAbundant
			return Plan{Model: d.Model, Sizes: d.Sizes[len(d.Sizes)-1:], Fractions: append(slices.Clone(d.BenchmarkFractions), 1), Seeds: d.FreshSeeds}
		}
		return Plan{Model: "cnn-w8", Sizes: []int{2000}, Fractions: []float64{0.7, 1}, Seeds: []uint64{1, 2}}
	}
	return Plan{Model: "resnet18", Sizes: []int{45000}, Fractions: []float64{0.5, 0.6, 0.7, 0.8, 0.9, 1}, Seeds: []uint64{1, 2, 3}}
}

// HeadlinePlan is notebook 03's headline block, the primary claims at the
// full set on more fresh seeds than the grid's (CPUAbundant): false where a
// profile has none. The smoke profile runs a small one so that tests take
// its path.
func HeadlinePlan(p project.Profile, dataset string) (Plan, bool) {
	switch {
	case settings.UsesCPUAbundant(p, dataset):
		d := CPUAbundant
		return Plan{Model: d.Model, Sizes: d.Sizes[len(d.Sizes)-1:], Fractions: d.HeadlineFractions, Seeds: d.HeadlineSeeds}, true
	case p == project.Smoke:
		pl := ScalingPlan(p, dataset)
		return Plan{Model: pl.Model, Sizes: pl.Sizes[len(pl.Sizes)-1:], Fractions: []float64{0.5}, Seeds: []uint64{2, 3}}, true
	}
	return Plan{}, false
}

// PrototypeFraction is the fraction kept of notebook 06's sensitivity to k
// (shared with notebook 05's runs at that fraction).
func PrototypeFraction(p project.Profile, dataset string) float64 {
	if settings.UsesCPUAbundant(p, dataset) {
		return CPUAbundant.PrototypeFraction
	}
	return 0.7
}

// BenchmarkCut are the fractions of the metric benchmark planned at a
// profile and left out to keep its main job within the hour.
func BenchmarkCut(p project.Profile, dataset string) []float64 {
	if settings.UsesCPUAbundant(p, dataset) {
		return CPUAbundant.BenchmarkCut
	}
	return nil
}

// BenchmarkBalance is the class-balancing ratio of the benchmark's
// balanced sweep (the paper's 50%).
const BenchmarkBalance = 0.5

// PrototypeClusters is notebook 06's grid of k for self-supervised
// prototypes.
func PrototypeClusters(p project.Profile, dataset string) []int {
	if settings.UsesCPUAbundant(p, dataset) {
		return CPUAbundant.PrototypeClusters
	}
	return project.Pick(p, []int{4, 10}, []int{5, 10, 20, 50}, []int{10, 30, 100, 300, 1000})
}

// PrototypeBalances are notebook 06's class-balancing ratios.
var PrototypeBalances = []float64{0.5, 1}
