package settings

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"beyondscaling/lib/profile"
)

// ---------------------------------------------------------------------------
// Training recipes: (dataset, model, profile) -> how a network is trained.
// ---------------------------------------------------------------------------

// Recipe is how a network is trained.
type Recipe struct {
	// Optimizer is "sgd" (SGD with (Nesterov) momentum), "adam" (Adam with
	// WeightDecay as L2 added to the gradient, torch.optim.Adam's rule) or
	// "adamw" (decoupled weight decay); lib/train implements all three.
	Optimizer   string  `json:"optimizer"`
	LR          float64 `json:"lr"` // base learning rate at this Batch
	Momentum    float64 `json:"momentum"`
	Nesterov    bool    `json:"nesterov"`
	WeightDecay float64 `json:"weight_decay"` // L2, not on batch norm or biases
	// Schedule is lib/train's schedule text: "cifar" (×0.2 at 30/60/80% of
	// training), "imagenet" (×0.1 at epochs 30/60/90/100 of 105), ...
	Schedule string `json:"schedule"`
	Batch    int    `json:"batch"`
	Epochs   int    `json:"epochs"`
	// MinSteps, if positive, raises a run's budget to at least that many
	// steps (small sets train for more epochs; see Recipe.Steps).
	MinSteps     int          `json:"min_steps,omitempty"`
	Augmentation Augmentation `json:"augmentation"`
}

// Augmentation is the training augmentation (evaluation uses none of it).
type Augmentation struct {
	// Normalise by the dataset's channel statistics (false: pixels/255).
	Normalise   bool    `json:"normalise"`
	Pad         int     `json:"pad,omitempty"` // zero padding, then a random crop of the original size
	Flip        bool    `json:"flip,omitempty"`
	ResizedCrop bool    `json:"resized_crop,omitempty"` // RandomResizedCrop (8-100% of the area)
	ColorJitter float64 `json:"color_jitter,omitempty"` // brightness, contrast, saturation ×[1-s, 1+s]
}

func (a Augmentation) String() string {
	var parts []string
	if a.Pad > 0 {
		parts = append(parts, fmt.Sprintf("pad %d + random crop", a.Pad))
	}
	if a.ResizedCrop {
		parts = append(parts, "random resized crop")
	}
	if a.Flip {
		parts = append(parts, "horizontal flip")
	}
	if a.ColorJitter > 0 {
		parts = append(parts, fmt.Sprintf("colour jitter %g", a.ColorJitter))
	}
	if len(parts) == 0 {
		parts = append(parts, "none")
	}
	if !a.Normalise {
		parts = append(parts, "pixels/255")
	}
	return strings.Join(parts, ", ")
}

// The paper's recipes (docs/paper.md, "Training recipes").
var (
	// CIFARResNet18 is the EL2N authors' CIFAR-10/SVHN recipe, the
	// standard choice for the paper's ResNet18 runs: SGD lr 0.1, Nesterov
	// momentum 0.9, weight decay 5e-4, batch 128, 200 epochs, ×0.2 at
	// epochs 60, 120 and 160.
	CIFARResNet18 = Recipe{Optimizer: "sgd", LR: 0.1, Momentum: 0.9, Nesterov: true, WeightDecay: 5e-4,
		Schedule: "cifar", Batch: 128, Epochs: 200}
	// ImageNetResNet50 is the authors' ImageNet recipe (VISSL supervised
	// ResNet-50): 105 epochs, SGD Nesterov momentum 0.9, weight decay 1e-4
	// (not on batch norm), lr 0.1 at batch 256 (scaled linearly with the
	// batch: WithBatch), ×0.1 at epochs 30, 60, 90 and 100.
	ImageNetResNet50 = Recipe{Optimizer: "sgd", LR: 0.1, Momentum: 0.9, Nesterov: true, WeightDecay: 1e-4,
		Schedule: "imagenet", Batch: 256, Epochs: 105}
	// Reduced recipes: the cpu profile's small CNN (12 epochs, batch 32,
	// lr 0.05: at 1,000-4,000 examples an epoch is only tens of steps) and
	// the smoke profile's seconds-long runs. Named as reduced in every
	// figure through the profile.
	cpuReduced = Recipe{Optimizer: "sgd", LR: 0.05, Momentum: 0.9, Nesterov: true, WeightDecay: 5e-4, Schedule: "cifar", Batch: 32, Epochs: 12}
	// CPUFashionMLP is the cpu profile's recipe for the MLP on
	// Fashion-MNIST, from the abundant-data design's pilot
	// (lib/settings/abundant-design.md): Adam lr 1e-3 with weight decay 1e-5 as L2
	// (as in a PyTorch pilot of the same network), batch 128, a constant learning rate,
	// 20 epochs but at least 300 steps, so that runs on 1,000 examples
	// (8 steps an epoch) still get the updates to fit their training set.
	CPUFashionMLP = Recipe{Optimizer: "adam", LR: 1e-3, WeightDecay: 1e-5, Schedule: "constant", Batch: 128, Epochs: 20, MinSteps: 300}
	// CPUAbundantMLP is CPUFashionMLP at 10 epochs (still at least 300
	// steps), the recipe of the lean mlp-256 in the cpu profile's sweeps and
	// probes on Fashion-MNIST (CPUAbundant): 20 epochs do not fit the main
	// job's hour (lib/settings/abundant-design.md).
	CPUAbundantMLP = Recipe{Optimizer: "adam", LR: 1e-3, WeightDecay: 1e-5, Schedule: "constant", Batch: 128, Epochs: 10, MinSteps: 300}
	smokeReduced   = Recipe{Optimizer: "sgd", LR: 0.05, Momentum: 0.9, Nesterov: true, WeightDecay: 5e-4, Schedule: "cifar", Batch: 32, Epochs: 2}
)

// RecipeRow is one row of the recipe table. Family and Model "" match any.
type RecipeRow struct {
	Profile profile.Name
	Family  string
	Model   string
	Recipe  Recipe
}

// Recipes is the recipe table, read top to bottom: the first row whose
// profile, dataset family and model match is the recipe. The augmentation
// comes from Augmentations (by dataset family), not from this table.
var Recipes = []RecipeRow{
	// The paper's networks: its recipes.
	{profile.Paper, "imagenet", "resnet50", ImageNetResNet50},
	{profile.Paper, "imagenet", "resnet18", ImageNetResNet50}, // ImageNet probe networks
	{profile.Paper, "cifar", "resnet18", CIFARResNet18},
	{profile.Paper, "svhn", "resnet18", CIFARResNet18},
	{profile.Paper, "mnist", "resnet18", CIFARResNet18}, // Fashion-MNIST standing in for SVHN
	// The reduced profiles' networks (sweeps and probes).
	{profile.CPU, "", "cnn-w8", cpuReduced},
	{profile.CPU, "mnist", "mlp-256", CPUAbundantMLP}, // the abundant-data design
	{profile.CPU, "mnist", "mlp", CPUFashionMLP},      // its 20-epoch pilot; SimCLR's encoder
	{profile.Smoke, "", "mlp", smokeReduced},
	{profile.Smoke, "", "cnn-w8", smokeReduced},
	// Any other model: the profile's recipe, recorded as a fallback.
	{profile.Paper, "imagenet", "", ImageNetResNet50},
	{profile.Paper, "", "", CIFARResNet18},
	{profile.CPU, "", "", cpuReduced},
	{profile.Smoke, "", "", smokeReduced},
}

// Augmentations is the training augmentation of each dataset family.
var Augmentations = map[string]Augmentation{
	"cifar":     {Normalise: true, Pad: 4, Flip: true},
	"svhn":      {Normalise: true, Pad: 4}, // digits are not mirror-symmetric: no flip
	"mnist":     {Normalise: true},
	"imagenet":  {Normalise: true, ResizedCrop: true, Flip: true, ColorJitter: 0.4},
	"synthetic": {}, // lib/data's Blobs, for tests
}

// Family is the dataset family of a lib/data dataset name: cifar, svhn,
// mnist, imagenet or synthetic.
func Family(dataset string) (string, error) {
	switch {
	case dataset == "cifar10" || dataset == "cifar100":
		return "cifar", nil
	case dataset == "svhn" || dataset == "svhn-extra":
		return "svhn", nil
	case dataset == "mnist" || dataset == "fashion-mnist":
		return "mnist", nil
	case strings.HasPrefix(dataset, "imagenet"):
		return "imagenet", nil
	case dataset == "blobs":
		return "synthetic", nil
	}
	return "", fmt.Errorf("dataset %q has no recipe in lib/settings: use cifar10, cifar100, svhn, fashion-mnist, mnist, imagenet, imagenet32 or imagenet64, or add its family to settings.Family", dataset)
}

// Resolved is a recipe together with how it was found.
type Resolved struct {
	Recipe
	// Row is the table row that matched, written out ("paper imagenet *").
	Row string `json:"row"`
	// Fallback is true when no row names the model, so a row for any
	// model of the profile (and family) was used: the run records it.
	Fallback bool `json:"fallback,omitempty"`
}

// RecipeFor returns the recipe of a model on a dataset at a profile.
func RecipeFor(dataset, model string, p profile.Name) (Resolved, error) {
	fam, err := Family(dataset)
	if err != nil {
		return Resolved{}, err
	}
	for _, row := range Recipes {
		if row.Profile != p || (row.Family != "" && row.Family != fam) || (row.Model != "" && row.Model != model) {
			continue
		}
		r := row.Recipe
		r.Augmentation = Augmentations[fam]
		star := func(s string) string {
			if s == "" {
				return "*"
			}
			return s
		}
		return Resolved{Recipe: r, Row: fmt.Sprintf("%s %s %s", row.Profile, star(row.Family), star(row.Model)), Fallback: row.Model == ""}, nil
	}
	return Resolved{}, fmt.Errorf("no recipe for %s on %s at profile %q in settings.Recipes: add a row", model, dataset, p)
}

// WithBatch returns the recipe at another batch size, the learning rate
// scaled linearly (lr·batch/Batch; Goyal et al., the paper's ImageNet rule).
func (r Recipe) WithBatch(batch int) Recipe {
	if batch > 0 && batch != r.Batch {
		r.LR *= float64(batch) / float64(r.Batch)
		r.Batch = batch
	}
	return r
}

// Steps is the number of steps a run of the recipe takes on n examples:
// Epochs epochs, raised to MinSteps if that is more (the trainer's rule).
func (r Recipe) Steps(n int) int { return r.StepsOver(r.StepsPerEpoch(n)) }

// StepsOver is the step rule itself: Epochs epochs of stepsPerEpoch steps,
// but at least MinSteps. Steps applies it to a set of n examples; the
// trainer applies it to what an epoch is for its objective (an objective
// that drops the last partial batch has n/Batch steps an epoch).
func (r Recipe) StepsOver(stepsPerEpoch int) int { return max(r.Epochs*stepsPerEpoch, r.MinSteps) }

// EpochsRun is the number of (partial) epochs a run on n examples starts.
func (r Recipe) EpochsRun(n int) int {
	spe := r.StepsPerEpoch(n)
	return (r.Steps(n) + spe - 1) / spe
}

// StepsPerEpoch is the number of steps of one epoch over n examples (the
// last batch may be smaller; the batch is never shrunk).
func (r Recipe) StepsPerEpoch(n int) int { return (n + r.Batch - 1) / r.Batch }

// CheckSize refuses a training set smaller than one batch: the recipe's
// batch is not shrunk silently.
func (r Recipe) CheckSize(n int) error {
	if n < r.Batch {
		return fmt.Errorf("the training set has %d examples, fewer than the recipe's batch of %d: set a smaller batch in the sweep spec (the learning rate is then scaled linearly) or use a larger initial set", n, r.Batch)
	}
	return nil
}

// Applied is the training configuration a network was actually trained
// with, written into every sweep record and score sidecar.
type Applied struct {
	Model           string  `json:"model"`
	Optimizer       string  `json:"optimizer"`
	LR              float64 `json:"lr"`
	Momentum        float64 `json:"momentum"`
	Nesterov        bool    `json:"nesterov"`
	WeightDecay     float64 `json:"weight_decay"`
	Schedule        string  `json:"schedule"`
	Batch           int     `json:"batch"`
	Epochs          int     `json:"epochs"`              // the budget (the schedule spans it)
	MinSteps        int     `json:"min_steps,omitempty"` // the budget's least number of steps
	EpochsRun       int     `json:"epochs_run"`          // epochs over the training set actually run
	Steps           int     `json:"steps"`
	EqualIterations bool    `json:"equal_iterations,omitempty"`
	Augmentation    string  `json:"augmentation"`
	Examples        int     `json:"examples"` // training set size
	Backend         string  `json:"backend"`
	RecipeRow       string  `json:"recipe_row"`
}

// Params flattens the configuration into a score sidecar's parameters,
// each key prefixed.
func (a Applied) Params(prefix string, into map[string]string) {
	b, _ := json.Marshal(a)
	var m map[string]any
	json.Unmarshal(b, &m)
	for k, v := range m {
		into[prefix+k] = fmt.Sprint(v)
	}
}

// ---------------------------------------------------------------------------
// Probe networks of the pruning metrics (lib/metrics), per profile.
// ---------------------------------------------------------------------------

// Probes fixes the probe networks' sizes and budgets; their training
// recipe is RecipeFor(dataset, Model, Profile) with Epochs replaced. The cpu
// and smoke presets are reduced versions of the paper's (fewer networks,
// epochs and clusters), named as such in every score file's sidecar.
type Probes struct {
	Profile    profile.Name `json:"profile"`
	Name       string       `json:"name"`
	Model      string       `json:"model"`       // probe network (lib/models name)
	Epochs     int          `json:"epochs"`      // full training of a probe
	EarlyEpoch int          `json:"early_epoch"` // EL2N and GraNd snapshot epoch
	EL2NModels int          `json:"el2n_models"` // networks of el2n-20 and grand (20 in the paper)
	Subsets    int          `json:"subsets"`     // 70% runs for memorization, influence, DDD, ensemble-al
	Fraction   float64      `json:"fraction"`    // of the data in each of those runs (0.7)
	Seeds      int          `json:"seeds"`       // random baselines
	// Self-supervised prototypes.
	SSLModel  string `json:"ssl_model"`
	SSLEpochs int    `json:"ssl_epochs"`
	SSLBatch  int    `json:"ssl_batch"`
	Clusters  int    `json:"clusters"` // k of k-means
}

// ProbesFor returns the probe preset of a profile on a dataset: at the cpu
// profile, Fashion-MNIST's probes are CPUAbundant's (the lean MLP), every
// other dataset's the small CNN's.
func ProbesFor(p profile.Name, dataset string) Probes {
	if UsesCPUAbundant(p, dataset) {
		return CPUAbundant.Probes
	}
	return profile.Pick(p,
		Probes{Profile: profile.Smoke, Name: "smoke (reduced)", Model: "cnn-w8", Epochs: 2, EarlyEpoch: 1, EL2NModels: 2, Subsets: 4, Fraction: 0.7, Seeds: 3,
			SSLModel: "cnn-w8", SSLEpochs: 1, SSLBatch: 64, Clusters: 10},
		Probes{Profile: profile.CPU, Name: "cpu (reduced)", Model: "cnn-w8", Epochs: 12, EarlyEpoch: 3, EL2NModels: 4, Subsets: 8, Fraction: 0.7, Seeds: 5,
			SSLModel: "cnn-w16", SSLEpochs: 10, SSLBatch: 256, Clusters: 20},
		Probes{Profile: profile.Paper, Name: "paper", Model: "resnet18", Epochs: 200, EarlyEpoch: 20, EL2NModels: 20, Subsets: 100, Fraction: 0.7, Seeds: 5,
			SSLModel: "resnet18", SSLEpochs: 200, SSLBatch: 512, Clusters: 100})
}

// ProbeRecipe is the training recipe of a preset's probe networks on a
// dataset.
func ProbeRecipe(dataset string, pr Probes) (Resolved, error) {
	r, err := RecipeFor(dataset, pr.Model, pr.Profile)
	if err != nil {
		return r, err
	}
	r.Epochs = pr.Epochs
	return r, nil
}

// MetricVersions numbers the definition of each metric. A cached score of
// an older definition is recomputed (the version is part of its key), so
// bump a metric's number whenever its definition changes. Version 2 of
// memorization, ddd, ensemble-al and grand: a revision of their definitions (undefined
// examples imputed, held-out ensembles, GraNd named last-layer).
var MetricVersions = map[string]int{
	"memorization": 2, "ddd": 2, "ensemble-al": 2, "grand-last-layer": 2,
	"influence-max": 2, "influence-sum-abs": 2, // measured on the validation split
}

// MetricVersion is the definition version of a metric name (with or
// without its @ parameter); 1 unless MetricVersions says otherwise.
func MetricVersion(metric string) int {
	base, _, _ := strings.Cut(metric, "@")
	if base == "grand" { // the alias lib/scoring accepts for grand-last-layer
		base = "grand-last-layer"
	}
	if v, ok := MetricVersions[base]; ok {
		return v
	}
	return 1
}

// ---------------------------------------------------------------------------
// The validation split.
// ---------------------------------------------------------------------------

// ValidationSizes is the size of the held-out validation split of each
// dataset family's training data: class-balanced, drawn once with
// ValidationSeed, never in any initial set, and where influence is
// measured. The "full set" of a dataset is the rest (45,000 for CIFAR-10,
// 55,000 for Fashion-MNIST).
var ValidationSizes = map[string]int{
	"cifar": 5000, "svhn": 5000, "mnist": 5000,
	"imagenet":  10000, // 10 per class
	"synthetic": 40,    // lib/data/datatest.Blobs in tests
}

// ValidationSeed draws the validation split; it is fixed so that every
// run, profile and notebook holds out the same examples.
const ValidationSeed = 0x5a11d

// ValidationSize is the validation split's size for a dataset.
func ValidationSize(dataset string) (int, error) {
	fam, err := Family(dataset)
	if err != nil {
		return 0, err
	}
	return ValidationSizes[fam], nil
}

// ---------------------------------------------------------------------------
// Sweep plans of the notebooks (lib/scaling builds sweep specs from them).
// ---------------------------------------------------------------------------

// Plan is the grid of a sweep: network, initial sizes, fractions kept and
// seeds. The training recipe comes from Recipes.
type Plan struct {
	Model     string
	Sizes     []int
	Fractions []float64
	Seeds     []uint64
}

// ScalingPlan is notebooks 02-04's scaling sweep on a dataset. The paper's
// largest size is the whole training set less the validation split.
func ScalingPlan(p profile.Name, dataset string) Plan {
	switch p {
	case profile.Smoke:
		return Plan{Model: "mlp", Sizes: []int{300, 600}, Fractions: []float64{0.5, 1}, Seeds: []uint64{1}}
	case profile.CPU:
		if UsesCPUAbundant(p, dataset) {
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
	switch fam, _ := Family(dataset); fam {
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
func WeakProbeMetric(p profile.Name, dataset string) string {
	if UsesCPUAbundant(p, dataset) {
		return ""
	}
	return profile.Pick(p, "el2n-20@1", "el2n-20@1", "el2n-20@4")
}

// BenchmarkPlan is notebook 05's metric benchmark on a dataset (keep hard
// at fractions near the paper's): at the cpu profile on Fashion-MNIST,
// CPUAbundant's full set at f = 0.5 and 0.7 on its fresh seeds; CIFAR-10 at
// the cpu profile keeps the small CNN at 70% only.
func BenchmarkPlan(p profile.Name, dataset string) Plan {
	switch p {
	case profile.Smoke:
		return Plan{Model: "mlp", Sizes: []int{400}, Fractions: []float64{0.5, 0.7, 1}, Seeds: []uint64{1}}
	case profile.CPU:
		if UsesCPUAbundant(p, dataset) {
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
func HeadlinePlan(p profile.Name, dataset string) (Plan, bool) {
	switch {
	case UsesCPUAbundant(p, dataset):
		d := CPUAbundant
		return Plan{Model: d.Model, Sizes: d.Sizes[len(d.Sizes)-1:], Fractions: d.HeadlineFractions, Seeds: d.HeadlineSeeds}, true
	case p == profile.Smoke:
		pl := ScalingPlan(p, dataset)
		return Plan{Model: pl.Model, Sizes: pl.Sizes[len(pl.Sizes)-1:], Fractions: []float64{0.5}, Seeds: []uint64{2, 3}}, true
	}
	return Plan{}, false
}

// PrototypeFraction is the fraction kept of notebook 06's sensitivity to k
// (shared with notebook 05's runs at that fraction).
func PrototypeFraction(p profile.Name, dataset string) float64 {
	if UsesCPUAbundant(p, dataset) {
		return CPUAbundant.PrototypeFraction
	}
	return 0.7
}

// BenchmarkCut are the fractions of the metric benchmark planned at a
// profile and left out to keep its main job within the hour.
func BenchmarkCut(p profile.Name, dataset string) []float64 {
	if UsesCPUAbundant(p, dataset) {
		return CPUAbundant.BenchmarkCut
	}
	return nil
}

// BenchmarkBalance is the class-balancing ratio of the benchmark's
// balanced sweep (the paper's 50%).
const BenchmarkBalance = 0.5

// PrototypeClusters is notebook 06's grid of k for self-supervised
// prototypes.
func PrototypeClusters(p profile.Name, dataset string) []int {
	if UsesCPUAbundant(p, dataset) {
		return CPUAbundant.PrototypeClusters
	}
	return profile.Pick(p, []int{4, 10}, []int{5, 10, 20, 50}, []int{10, 30, 100, 300, 1000})
}

// PrototypeBalances are notebook 06's class-balancing ratios.
var PrototypeBalances = []float64{0.5, 1}

// ---------------------------------------------------------------------------
// Theory plans of notebooks 01 and 01b (theory/curves builds its Plan from
// these: log-spaced grids are written as their ends and point counts).
// ---------------------------------------------------------------------------

// Grid is a log-spaced grid of N points from Lo to Hi (theory.LogSpace).
type Grid struct {
	Lo, Hi float64
	N      int
}

// TheoryPlan is every parameter of the theory figures at a profile; the
// fields are those of curves.Plan, where each is documented.
type TheoryPlan struct {
	Fractions                            []float64
	AlphaPrune                           Grid
	SimFractions, SimAlphaPrune          []float64
	SimN, SimSeeds                       int
	PhaseAlphaTotal, PhaseFractions      Grid
	FrontierAlphas, FrontierFGrid        Grid
	FrontierMaxAlphaTotal, MaxAlphaTotal float64
	FOptAlphas                           Grid
	Thetas, FMinThetas                   []float64
	FMinAlphas                           Grid
}

// TheoryPlanFor returns the theory plan of a profile: smoke runs in
// seconds, cpu in about a minute on 2 cores, paper at the paper's
// resolution.
func TheoryPlanFor(p profile.Name) TheoryPlan {
	pick := func(s, c, pa int) int { return profile.Pick(p, s, c, pa) }
	return TheoryPlan{
		Fractions:             []float64{0.2, 0.4, 0.6, 0.8, 1},
		AlphaPrune:            Grid{0.2, 20, pick(8, 40, 80)},
		SimFractions:          profile.Pick(p, []float64{0.4}, []float64{0.2, 0.6, 1}, []float64{0.2, 0.4, 0.6, 0.8, 1}),
		SimAlphaPrune:         profile.Pick(p, []float64{1, 4}, []float64{0.5, 1, 2, 4, 8}, []float64{0.5, 1, 2, 3, 4, 6, 8, 12}),
		SimN:                  pick(50, 200, 200),
		SimSeeds:              pick(2, 10, 20),
		PhaseAlphaTotal:       Grid{0.3, 300, pick(6, 30, 60)},
		PhaseFractions:        Grid{0.05, 1, pick(5, 20, 40)},
		FrontierAlphas:        Grid{0.3, 40, pick(5, 16, 40)},
		FrontierFGrid:         Grid{0.005, 1, pick(8, 25, 50)},
		FrontierMaxAlphaTotal: 1e5,
		MaxAlphaTotal:         1000,
		FOptAlphas:            Grid{2, 40, pick(4, 10, 20)},
		Thetas:                []float64{0, 10, 20},
		FMinThetas:            profile.Pick(p, []float64{10, 30}, []float64{5, 10, 15, 20, 25, 30, 40}, []float64{2.5, 5, 7.5, 10, 15, 20, 25, 30, 35, 40, 45}),
		FMinAlphas:            Grid{2, 40, pick(3, 8, 16)},
	}
}

// ---------------------------------------------------------------------------
// Cache keys.
// ---------------------------------------------------------------------------

// Hash is a short hex digest of the canonical JSON of v: the key of a
// cache entry computed from v. Two values with equal JSON share a key.
func Hash(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("settings.Hash: %v", err)) // only plain data is hashed
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:8])
}

// HashStrings is the digest of a list of strings (example IDs), order
// included.
func HashStrings(xs []string) string {
	h := sha256.New()
	for _, x := range xs {
		h.Write([]byte(x))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// Diff names the fields in which two values' JSON forms differ (nested
// fields as a.b), sorted: what a cache message says changed.
func Diff(a, b any) []string {
	var ma, mb any
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	json.Unmarshal(ja, &ma)
	json.Unmarshal(jb, &mb)
	var out []string
	diff("", ma, mb, &out)
	sort.Strings(out)
	return out
}

func diff(path string, a, b any, out *[]string) {
	ma, okA := a.(map[string]any)
	mb, okB := b.(map[string]any)
	if !okA || !okB {
		if ja, jb := fmt.Sprint(a), fmt.Sprint(b); ja != jb {
			*out = append(*out, strings.TrimPrefix(path, "."))
		}
		return
	}
	keys := map[string]bool{}
	for k := range ma {
		keys[k] = true
	}
	for k := range mb {
		keys[k] = true
	}
	for k := range keys {
		diff(path+"."+k, ma[k], mb[k], out)
	}
}
