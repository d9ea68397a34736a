package settings

import (
	"math"
	"testing"

	"beyondscaling/lib/project"
)

// The paper profile resolves to the paper's recipes (docs/paper.md,
// "Training recipes"), written out here independently of the table.
func TestPaperRecipes(t *testing.T) {
	for _, c := range []struct {
		dataset, model string
		lr, wd         float64
		batch, epochs  int
		schedule       string
		aug            Augmentation
	}{
		{"cifar10", "resnet18", 0.1, 5e-4, 128, 200, "cifar", Augmentation{Normalise: true, Pad: 4, Flip: true}},
		{"svhn", "resnet18", 0.1, 5e-4, 128, 200, "cifar", Augmentation{Normalise: true, Pad: 4}},
		{"imagenet", "resnet50", 0.1, 1e-4, 256, 105, "imagenet", Augmentation{Normalise: true, ResizedCrop: true, Flip: true, ColorJitter: 0.4}},
		{"imagenet64", "resnet50", 0.1, 1e-4, 256, 105, "imagenet", Augmentation{Normalise: true, ResizedCrop: true, Flip: true, ColorJitter: 0.4}},
	} {
		r, err := RecipeFor(c.dataset, c.model, project.Paper)
		if err != nil {
			t.Fatal(err)
		}
		if r.Optimizer != "sgd" || r.LR != c.lr || r.Momentum != 0.9 || !r.Nesterov || r.WeightDecay != c.wd || r.Batch != c.batch ||
			r.Epochs != c.epochs || r.Schedule != c.schedule || r.Augmentation != c.aug || r.Fallback {
			t.Errorf("%s %s: %+v", c.dataset, c.model, r)
		}
	}
	// ImageNet: lr 0.1 at batch 256, scaled linearly.
	r, _ := RecipeFor("imagenet", "resnet50", project.Paper)
	if got := r.WithBatch(1024); got.Batch != 1024 || math.Abs(got.LR-0.4) > 1e-12 {
		t.Errorf("ImageNet at batch 1024: lr %g, want 0.4", got.LR)
	}
}

func TestRecipeLookup(t *testing.T) {
	if r, err := RecipeFor("cifar10", "resnet20", project.Paper); err != nil || !r.Fallback || r.Row != "paper * *" {
		t.Errorf("a model without a row: %+v, %v (want the profile's row, marked as a fallback)", r, err)
	}
	if r, err := RecipeFor("cifar10", "cnn-w8", project.CPU); err != nil || r.Fallback {
		t.Errorf("cpu cnn-w8: %+v, %v", r, err)
	}
	if _, err := RecipeFor("nosuch", "mlp", project.CPU); err == nil {
		t.Error("unknown dataset accepted")
	}
	for _, row := range Recipes {
		if row.Recipe.Batch < 2 || row.Recipe.LR <= 0 || row.Recipe.Epochs < 1 || !map[string]bool{"sgd": true, "adam": true, "adamw": true}[row.Recipe.Optimizer] {
			t.Errorf("row %+v is incomplete", row)
		}
	}
}

// The cpu profile's Fashion-MNIST MLP recipe is the abundant design pilot's:
// Adam lr 1e-3, weight decay 1e-5 (L2), batch 128, 20 epochs but at least
// 300 steps, standardised inputs; other datasets and models keep theirs.
func TestCPUFashionMLPRecipe(t *testing.T) {
	r, err := RecipeFor("fashion-mnist", "mlp", project.CPU)
	if err != nil {
		t.Fatal(err)
	}
	if r.Optimizer != "adam" || r.LR != 1e-3 || r.WeightDecay != 1e-5 || r.Batch != 128 || r.Epochs != 20 || r.MinSteps != 300 ||
		r.Schedule != "constant" || !r.Augmentation.Normalise || r.Fallback || r.Row != "cpu mnist mlp" {
		t.Errorf("cpu fashion-mnist mlp: %+v", r)
	}
	for _, c := range []struct{ dataset, model string }{{"cifar10", "mlp"}, {"fashion-mnist", "cnn-w8"}} {
		if r, _ := RecipeFor(c.dataset, c.model, project.CPU); r.Optimizer != "sgd" || r.MinSteps != 0 {
			t.Errorf("cpu %s %s took the Fashion-MNIST MLP row: %+v", c.dataset, c.model, r)
		}
	}
	if r, _ := RecipeFor("fashion-mnist", "mlp", project.Smoke); r.Optimizer != "sgd" {
		t.Errorf("smoke fashion-mnist mlp changed: %+v", r)
	}
}

// Steps: Epochs epochs, raised to MinSteps; EpochsRun counts the last,
// partial epoch.
func TestStepBudget(t *testing.T) {
	r := CPUFashionMLP
	for _, c := range []struct{ n, steps, epochs int }{
		{1000, 300, 38},   // 8 steps an epoch: 160 < 300
		{1920, 300, 20},   // 15 steps an epoch: exactly 300
		{4000, 640, 20},   // 32 steps an epoch
		{55000, 8600, 20}, // 430 steps an epoch
		{27500, 4300, 20}, // 215
		{128, 300, 300},   // one batch
	} {
		if s, e := r.Steps(c.n), r.EpochsRun(c.n); s != c.steps || e != c.epochs {
			t.Errorf("n = %d: %d steps in %d epochs, want %d in %d", c.n, s, e, c.steps, c.epochs)
		}
	}
	if s := CIFARResNet18.Steps(1000); s != 200*8 {
		t.Errorf("without MinSteps: %d steps, want 1600", s)
	}
}

// The small-subset rule: the batch is never shrunk; smaller sets take fewer
// steps; a set smaller than one batch is refused.
func TestSmallSubsetRule(t *testing.T) {
	r := CIFARResNet18
	if r.StepsPerEpoch(1000) != 8 || r.StepsPerEpoch(128) != 1 || r.StepsPerEpoch(129) != 2 {
		t.Errorf("steps per epoch: %d %d %d", r.StepsPerEpoch(1000), r.StepsPerEpoch(128), r.StepsPerEpoch(129))
	}
	if r.CheckSize(127) == nil || r.CheckSize(128) != nil {
		t.Error("CheckSize does not refuse exactly the sets smaller than a batch")
	}
}
