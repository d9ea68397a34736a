package settings

import (
	"encoding/json"
	"fmt"
	"strings"

	"beyondscaling/lib/project"
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
	// (lib/plans/abundant-design.md): Adam lr 1e-3 with weight decay 1e-5 as L2
	// (as in a PyTorch pilot of the same network), batch 128, a constant learning rate,
	// 20 epochs but at least 300 steps, so that runs on 1,000 examples
	// (8 steps an epoch) still get the updates to fit their training set.
	CPUFashionMLP = Recipe{Optimizer: "adam", LR: 1e-3, WeightDecay: 1e-5, Schedule: "constant", Batch: 128, Epochs: 20, MinSteps: 300}
	// CPUAbundantMLP is CPUFashionMLP at 10 epochs (still at least 300
	// steps), the recipe of the lean mlp-256 in the cpu profile's sweeps and
	// probes on Fashion-MNIST (lib/plans.CPUAbundant): 20 epochs do not fit the main
	// job's hour (lib/plans/abundant-design.md).
	CPUAbundantMLP = Recipe{Optimizer: "adam", LR: 1e-3, WeightDecay: 1e-5, Schedule: "constant", Batch: 128, Epochs: 10, MinSteps: 300}
	smokeReduced   = Recipe{Optimizer: "sgd", LR: 0.05, Momentum: 0.9, Nesterov: true, WeightDecay: 5e-4, Schedule: "cifar", Batch: 32, Epochs: 2}
)

// RecipeRow is one row of the recipe table. Family and Model "" match any.
type RecipeRow struct {
	Profile project.Profile
	Family  string
	Model   string
	Recipe  Recipe
}

// Recipes is the recipe table, read top to bottom: the first row whose
// profile, dataset family and model match is the recipe. The augmentation
// comes from Augmentations (by dataset family), not from this table.
var Recipes = []RecipeRow{
	// The paper's networks: its recipes.
	{project.Paper, "imagenet", "resnet50", ImageNetResNet50},
	{project.Paper, "imagenet", "resnet18", ImageNetResNet50}, // ImageNet probe networks
	{project.Paper, "cifar", "resnet18", CIFARResNet18},
	{project.Paper, "svhn", "resnet18", CIFARResNet18},
	{project.Paper, "mnist", "resnet18", CIFARResNet18}, // Fashion-MNIST standing in for SVHN
	// The reduced profiles' networks (sweeps and probes).
	{project.CPU, "", "cnn-w8", cpuReduced},
	{project.CPU, "mnist", "mlp-256", CPUAbundantMLP}, // the abundant-data design
	{project.CPU, "mnist", "mlp", CPUFashionMLP},      // its 20-epoch pilot; SimCLR's encoder
	{project.Smoke, "", "mlp", smokeReduced},
	{project.Smoke, "", "cnn-w8", smokeReduced},
	// Any other model: the profile's recipe, recorded as a fallback.
	{project.Paper, "imagenet", "", ImageNetResNet50},
	{project.Paper, "", "", CIFARResNet18},
	{project.CPU, "", "", cpuReduced},
	{project.Smoke, "", "", smokeReduced},
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
func RecipeFor(dataset, model string, p project.Profile) (Resolved, error) {
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
	// ExamplePasses is the examples presented to the network over the
	// run (forward and backward): epochs × examples, less what dynamic
	// pruning (DynamicPrune, its ratio) left out.
	ExamplePasses int     `json:"example_passes,omitempty"`
	DynamicPrune  float64 `json:"dynamic_prune,omitempty"`
	Backend       string  `json:"backend"`
	RecipeRow     string  `json:"recipe_row"`
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
	Profile    project.Profile `json:"profile"`
	Name       string          `json:"name"`
	Model      string          `json:"model"`       // probe network (lib/models name)
	Epochs     int             `json:"epochs"`      // full training of a probe
	EarlyEpoch int             `json:"early_epoch"` // EL2N and GraNd snapshot epoch
	EL2NModels int             `json:"el2n_models"` // networks of el2n-20 and grand (20 in the paper)
	Subsets    int             `json:"subsets"`     // 70% runs for memorization, influence, DDD, ensemble-al
	Fraction   float64         `json:"fraction"`    // of the data in each of those runs (0.7)
	Seeds      int             `json:"seeds"`       // random baselines
	// Self-supervised prototypes.
	SSLModel  string `json:"ssl_model"`
	SSLEpochs int    `json:"ssl_epochs"`
	SSLBatch  int    `json:"ssl_batch"`
	Clusters  int    `json:"clusters"` // k of k-means
}

// ProbesFor returns the probe preset of a profile on a dataset: at the cpu
// profile, Fashion-MNIST's probes are CPUAbundantProbes (the lean MLP, the
// probes of lib/plans.CPUAbundant), every other dataset's the small CNN's.
func ProbesFor(p project.Profile, dataset string) Probes {
	if UsesCPUAbundant(p, dataset) {
		return CPUAbundantProbes
	}
	return project.Pick(p,
		Probes{Profile: project.Smoke, Name: "smoke (reduced)", Model: "cnn-w8", Epochs: 2, EarlyEpoch: 1, EL2NModels: 2, Subsets: 4, Fraction: 0.7, Seeds: 3,
			SSLModel: "cnn-w8", SSLEpochs: 1, SSLBatch: 64, Clusters: 10},
		Probes{Profile: project.CPU, Name: "cpu (reduced)", Model: "cnn-w8", Epochs: 12, EarlyEpoch: 3, EL2NModels: 4, Subsets: 8, Fraction: 0.7, Seeds: 5,
			SSLModel: "cnn-w16", SSLEpochs: 10, SSLBatch: 256, Clusters: 20},
		Probes{Profile: project.Paper, Name: "paper", Model: "resnet18", Epochs: 200, EarlyEpoch: 20, EL2NModels: 20, Subsets: 100, Fraction: 0.7, Seeds: 5,
			SSLModel: "resnet18", SSLEpochs: 200, SSLBatch: 512, Clusters: 100})
}

// UsesCPUAbundant reports whether a profile on a dataset trains the cpu
// abundant-data design's network and probes (lib/plans.CPUAbundant, which
// its grids follow too): the cpu profile on the Fashion-MNIST family.
func UsesCPUAbundant(p project.Profile, dataset string) bool {
	fam, _ := Family(dataset)
	return p == project.CPU && fam == "mnist"
}

// CPUAbundantProbes are the probe networks of the cpu profile on
// Fashion-MNIST, the abundant-data design (lib/plans.CPUAbundant): the lean
// MLP itself, 10 epochs, EL2N snapshotted at epoch 2.
var CPUAbundantProbes = Probes{Profile: project.CPU, Name: "cpu abundant (reduced)", Model: "mlp-256", Epochs: 10, EarlyEpoch: 2, EL2NModels: 4,
	Subsets: 8, Fraction: 0.7, Seeds: 3, SSLModel: "mlp", SSLEpochs: 10, SSLBatch: 256, Clusters: 10}

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
