package plans

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"beyondscaling/lib/data"
	"beyondscaling/lib/project"
	"beyondscaling/lib/settings"
	"beyondscaling/lib/sweep"
)

// The sweeps of notebooks 02-06, built from the grids (network, sizes,
// fractions, seeds) of grids.go: ScalingPlan, BenchmarkPlan, HeadlinePlan
// and PrototypeClusters; every network's training recipe is lib/settings'
// row for (dataset, model, profile), resolved when the spec's runs are
// listed.

// CIFARScaling is notebook 02's sweep: EL2N keep-hard and keep-easy at
// several fractions and initial sizes, with random pruning, on CIFAR-10.
// The cpu profile is a reduced preset (small CNN, 12 epochs, 4 probe
// networks, a selection seed and three fresh seeds, sizes up to 4,000: the
// scarce regime) sized to the main job's hour on 2 cores beside the
// Fashion-MNIST design; paper is the paper's ResNet18 recipe at 200 epochs.
func CIFARScaling(p project.Profile) sweep.Spec {
	return scalingSpec(p, "cifar10", "02 CIFAR-10 scaling")
}

// SVHNScaling is notebook 03's sweep on SVHN, or on Fashion-MNIST where
// SVHN is absent (the caller passes the dataset), adding EL2N from a weak
// probe (an early snapshot) against the usual one where the profile runs
// it (WeakProbeMetric).
//
// Where the profile has a headline block (Headline), the grid draws probe
// networks per seed as the block does, so that the grid's runs at the full
// set are the block's runs on the seeds they share (one run each).
func SVHNScaling(p project.Profile, dataset string) sweep.Spec {
	s := scalingSpec(p, dataset, "03 "+dataset+" scaling")
	if weak := WeakProbeMetric(p, dataset); weak != "" {
		s.Metrics = append(s.Metrics, weak)
	}
	_, s.ProbesPerSeed = HeadlinePlan(p, dataset)
	return s
}

// Headline is notebook 03's headline block (HeadlinePlan): EL2N
// keep hard and keep easy with random pruning at the full set, on the
// block's fresh seeds, probes drawn per seed, with the grid's recipe. It
// is one spec, or none where the profile has no block.
func Headline(p project.Profile, dataset string) []sweep.Spec {
	pl, ok := HeadlinePlan(p, dataset)
	if !ok {
		return nil
	}
	return []sweep.Spec{{Name: "03 " + dataset + " headline", Dataset: dataset, Preset: p, Keeps: []string{"hard", "easy"},
		Metrics: []string{"el2n-20", "random"}, Model: pl.Model, Sizes: pl.Sizes, Fractions: pl.Fractions, Seeds: pl.Seeds, ProbesPerSeed: true}}
}

// HeadlineCandidates are the recipes the headline pilot compared, each as
// a schedule and a number of epochs of the design's optimiser (Adam, lr
// 1e-3, batch 128): today's constant rate at 10 epochs, a cosine decay to
// zero at the same cost, and the cosine at twice the cost.
var HeadlineCandidates = []struct {
	Schedule string
	Epochs   int
}{{"constant", 10}, {"cosine", 10}, {"cosine", 20}}

// HeadlinePilot is the pilot that chose the headline block's recipe: each
// candidate recipe on the pilot seeds at the full set, keep hard, keep easy
// and random at the block's fractions and the unpruned run, probes per
// seed. Run it with prune sweep run (its records are embedded:
// HeadlinePilotRecords).
func HeadlinePilot(p project.Profile, dataset string) []sweep.Spec {
	blocks := Headline(p, dataset)
	if len(blocks) == 0 || !settings.UsesCPUAbundant(p, dataset) {
		return nil
	}
	block := blocks[0]
	var out []sweep.Spec
	for _, c := range HeadlineCandidates {
		s := block
		s.Name = fmt.Sprintf("03 headline pilot, %s %d epochs", c.Schedule, c.Epochs)
		s.Schedule, s.Epochs = c.Schedule, c.Epochs
		s.Fractions = append(slices.Clone(block.Fractions), 1)
		s.Seeds = CPUAbundant.HeadlinePilotSeeds
		out = append(out, s)
	}
	return out
}

// headlinePilotRecords are the pilot's run records as the sweeps wrote
// them, one JSON record a line (made by prune sweep run on the
// HeadlinePilot specs; lib/plans/abundant-design.md gives the command).
//
//go:embed headline-pilot.jsonl
var headlinePilotRecords []byte

// HeadlinePilotRecords reads the headline pilot's records.
func HeadlinePilotRecords() ([]sweep.Record, error) {
	var out []sweep.Record
	sc := bufio.NewScanner(bytes.NewReader(headlinePilotRecords))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for line := 1; sc.Scan(); line++ {
		var r sweep.Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("lib/plans/headline-pilot.jsonl, line %d: %w", line, err)
		}
		out = append(out, r)
	}
	return out, sc.Err()
}

// ImageNetScaling is notebook 04's sweep on an ImageNet variant: at the
// paper profile ResNet50 with the paper's ImageNet recipe.
func ImageNetScaling(p project.Profile, dataset string) sweep.Spec {
	return scalingSpec(p, dataset, "04 "+dataset+" scaling")
}

func scalingSpec(p project.Profile, dataset, name string) sweep.Spec {
	pl := ScalingPlan(p, dataset)
	return sweep.Spec{Name: name, Dataset: dataset, Preset: p, Keeps: []string{"hard", "easy"},
		Metrics: []string{"el2n-20", "random"}, Model: pl.Model, Sizes: pl.Sizes, Fractions: pl.Fractions, Seeds: pl.Seeds}
}

// BenchmarkDataset is the dataset of notebooks 05 and 06 at a profile and
// the name figures give it: CIFAR-10 at the paper profile (the paper's
// ResNet18 recipe), Fashion-MNIST in place of ImageNet at the reduced
// profiles (CPUAbundant: the abundant regime on 2 cores).
func BenchmarkDataset(p project.Profile) (dataset, label string) {
	if p == project.Paper {
		return "cifar10", "CIFAR-10"
	}
	return "fashion-mnist", "Fashion-MNIST (in place of ImageNet)"
}

// MetricBenchmark is notebook 05's sweep: every metric and random pruning
// keeping the hardest examples at fractions near the paper's
// (50-90% kept; the cpu profile runs 50%, to fit its hour, and lists 70% as
// cut: BenchmarkCut), with and
// without class balancing (r = 0.5) at the most aggressive fraction.
func MetricBenchmark(p project.Profile, dataset string) (plain, balanced sweep.Spec) {
	metrics := []string{"ssl-prototypes", "supervised-prototypes", "memorization", "influence-max", "influence-sum-abs",
		"forgetting", "el2n-1", "el2n-20", "ddd", "ensemble-al", "random"}
	pl := BenchmarkPlan(p, dataset)
	s := sweep.Spec{Name: "05 metric benchmark", Dataset: dataset, Preset: p, Keeps: []string{"hard"}, Metrics: metrics,
		Model: pl.Model, Sizes: pl.Sizes, Fractions: pl.Fractions, Seeds: pl.Seeds}
	balanced = s
	balanced.Name += " (class-balanced)"
	balanced.Balance = BenchmarkBalance
	balanced.Fractions = s.Fractions[:1] // the most aggressive fraction, where balancing matters
	return s, balanced
}

// PrototypeSensitivity is notebook 06's sweeps: self-supervised prototypes
// at several k (clusters) against supervised prototypes and memorization at
// one fraction kept, then at class-balancing ratios 0.5 and 1, on the
// benchmark's initial sets (scores and probe networks are shared).
func PrototypeSensitivity(p project.Profile, dataset string) []sweep.Spec {
	plain, _ := MetricBenchmark(p, dataset)
	s := plain
	s.Name = "06 self-supervised prototypes"
	ks := PrototypeClusters(p, dataset)
	f := PrototypeFraction(p, dataset)
	s.Metrics = []string{"supervised-prototypes", "memorization", "random"}
	for _, k := range ks {
		s.Metrics = append(s.Metrics, fmt.Sprintf("ssl-prototypes@%d", k))
	}
	s.Fractions = []float64{f, 1}
	out := []sweep.Spec{s}
	for _, r := range PrototypeBalances {
		b := s
		b.Name = fmt.Sprintf("06 self-supervised prototypes, balance %g", r)
		b.Metrics = []string{"ssl-prototypes", "random"}
		b.Fractions = []float64{f}
		b.Balance = r
		out = append(out, b)
	}
	return out
}

// Write describes sweeps: what is trained, on what, how many runs.
func Write(w io.Writer, specs ...sweep.Spec) error {
	for _, s := range specs {
		r, err := s.Recipe() // the epochs trained: the spec's, else its recipe's
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "sweep %q: %s on %s for %d epochs; initial sizes %v, fractions kept %v, seeds %v, balance %g, metrics %v (preset %s): %d runs\n",
			s.Name, s.Model, s.Dataset, r.Epochs, s.Sizes, s.Fractions, s.Seeds, s.Balance, s.Metrics, s.Preset, len(s.Runs()))
		if err != nil {
			return err
		}
	}
	return nil
}

// SVHNOrStandIn returns the dataset notebook 03 uses and the name its
// figures give it: SVHN where it is present, else Fashion-MNIST in its
// place, said in every title, with a line to w on how to get SVHN.
func SVHNOrStandIn(w io.Writer) (dataset, label string) {
	if data.Present("svhn") == nil {
		return "svhn", "SVHN"
	}
	fmt.Fprintln(w, "SVHN is not present here: using Fashion-MNIST in its place (prune data fetch svhn to get SVHN)")
	return "fashion-mnist", "Fashion-MNIST (in place of SVHN)"
}

// ImageNetVariant returns the ImageNet variant a profile can use here, or
// "" when none is present, writing to w why each candidate is missing.
func ImageNetVariant(p project.Profile, w io.Writer) string {
	candidates := []string{"imagenet32", "imagenet64"}
	if p == project.Paper {
		candidates = []string{"imagenet", "imagenet64", "imagenet32"}
	}
	for _, name := range candidates {
		if data.Present(name) == nil {
			return name
		}
		fmt.Fprintf(w, "%s: not present here (%s)\n", name, data.HowToGet(name))
	}
	return ""
}
