package scaling

import (
	"fmt"

	"beyondscaling/lib/profile"
	"beyondscaling/lib/sweep"
)

// CIFARScaling is notebook 02's sweep: EL2N keep-hard and keep-easy at
// several fractions and initial sizes, with random pruning, on CIFAR-10.
// The cpu profile is a reduced preset (small CNN, 8 epochs, 4 probe
// networks, two seeds, sizes up to 8,000) that fits the main job's hour on
// 2 cores; paper is the paper's ResNet18 at 200 epochs.
func CIFARScaling(p profile.Name) sweep.Spec {
	return scalingSpec(p, "cifar10", "02 CIFAR-10 scaling")
}

// SVHNScaling is notebook 03's sweep on SVHN, or on Fashion-MNIST where
// SVHN is absent (the caller passes the dataset), adding EL2N from a weak
// probe (snapshot after one epoch) against the usual one.
func SVHNScaling(p profile.Name, dataset string) sweep.Spec {
	s := scalingSpec(p, dataset, "03 "+dataset+" scaling")
	weak := profile.Pick(p, "el2n-20@1", "el2n-20@1", "el2n-20@4")
	s.Metrics = append(s.Metrics, weak)
	return s
}

func scalingSpec(p profile.Name, dataset, name string) sweep.Spec {
	s := sweep.Spec{Name: name, Dataset: dataset, Preset: string(p), Keeps: []string{"hard", "easy"},
		Metrics: []string{"el2n-20", "random"}}
	switch p {
	case profile.Smoke:
		s.Model, s.Epochs, s.Batch = "mlp", 2, 32
		s.Sizes, s.Fractions, s.Seeds = []int{300, 600}, []float64{0.5, 1}, []uint64{1}
	case profile.CPU:
		// Small batches: at these sizes an epoch is only tens of steps.
		s.Model, s.Epochs, s.Batch = "cnn-w8", 12, 32
		s.Sizes, s.Fractions, s.Seeds = []int{1000, 2000, 4000}, []float64{0.4, 0.7, 1}, []uint64{1, 2}
	default:
		s.Model, s.Epochs = "resnet18", 200
		s.Sizes = []int{3125, 6250, 12500, 25000, 50000}
		s.Fractions, s.Seeds = []float64{0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1}, []uint64{1, 2, 3}
	}
	if dataset != "cifar10" && p == profile.Paper {
		s.Sizes = []int{4578, 9156, 18312, 36625, 73257} // SVHN's 73,257 training digits
	}
	return s
}

// MetricBenchmark is notebook 05's sweep: every metric and random pruning
// keeping the hardest examples at fractions near the paper's
// (70-90% kept; the cpu profile runs 70% only, to fit its hour), with and
// without class balancing (r = 0.5).
func MetricBenchmark(p profile.Name, dataset string) (plain, balanced sweep.Spec) {
	metrics := []string{"ssl-prototypes", "supervised-prototypes", "memorization", "influence-max", "influence-sum-abs",
		"forgetting", "el2n-1", "el2n-20", "ddd", "ensemble-al", "random"}
	s := sweep.Spec{Name: "05 metric benchmark", Dataset: dataset, Preset: string(p), Keeps: []string{"hard"}, Metrics: metrics}
	switch p {
	case profile.Smoke:
		s.Model, s.Epochs = "mlp", 2
		s.Sizes, s.Fractions, s.Seeds = []int{400}, []float64{0.7, 1}, []uint64{1}
	case profile.CPU:
		s.Model, s.Epochs, s.Batch = "cnn-w8", 12, 32
		s.Sizes, s.Fractions, s.Seeds = []int{2000}, []float64{0.7, 1}, []uint64{1, 2}
	default:
		s.Model, s.Epochs = "resnet18", 200
		s.Sizes, s.Fractions, s.Seeds = []int{50000}, []float64{0.5, 0.6, 0.7, 0.8, 0.9, 1}, []uint64{1, 2, 3}
	}
	balanced = s
	balanced.Name += " (class-balanced)"
	balanced.Balance = 0.5
	balanced.Fractions = s.Fractions[:1] // the most aggressive fraction, where balancing matters
	return s, balanced
}

// PrototypeSensitivity is notebook 06's sweeps: self-supervised prototypes
// at several k (clusters) against supervised prototypes and memorization at
// one fraction kept, then at class-balancing ratios 0.5 and 1, on the
// benchmark's initial sets (scores and probe networks are shared).
func PrototypeSensitivity(p profile.Name, dataset string) []sweep.Spec {
	plain, _ := MetricBenchmark(p, dataset)
	s := plain
	s.Name = "06 self-supervised prototypes"
	var ks []int
	switch p {
	case profile.Smoke:
		ks = []int{4, 10}
	case profile.CPU:
		ks = []int{5, 10, 20, 50}
	default:
		ks = []int{10, 30, 100, 300, 1000}
	}
	s.Metrics = []string{"supervised-prototypes", "memorization", "random"}
	for _, k := range ks {
		s.Metrics = append(s.Metrics, fmt.Sprintf("ssl-prototypes@%d", k))
	}
	s.Fractions = []float64{plain.Fractions[0], 1}
	out := []sweep.Spec{s}
	for _, r := range []float64{0.5, 1} {
		b := s
		b.Name = fmt.Sprintf("06 self-supervised prototypes, balance %g", r)
		b.Metrics = []string{"ssl-prototypes", "random"}
		b.Fractions = []float64{plain.Fractions[0]}
		b.Balance = r
		out = append(out, b)
	}
	return out
}
