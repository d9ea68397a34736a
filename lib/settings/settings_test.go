package settings

import (
	"math"
	"testing"

	"beyondscaling/lib/profile"
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
		r, err := RecipeFor(c.dataset, c.model, profile.Paper)
		if err != nil {
			t.Fatal(err)
		}
		if r.Optimizer != "sgd" || r.LR != c.lr || r.Momentum != 0.9 || !r.Nesterov || r.WeightDecay != c.wd || r.Batch != c.batch ||
			r.Epochs != c.epochs || r.Schedule != c.schedule || r.Augmentation != c.aug || r.Fallback {
			t.Errorf("%s %s: %+v", c.dataset, c.model, r)
		}
	}
	// ImageNet: lr 0.1 at batch 256, scaled linearly.
	r, _ := RecipeFor("imagenet", "resnet50", profile.Paper)
	if got := r.WithBatch(1024); got.Batch != 1024 || math.Abs(got.LR-0.4) > 1e-12 {
		t.Errorf("ImageNet at batch 1024: lr %g, want 0.4", got.LR)
	}
}

func TestRecipeLookup(t *testing.T) {
	if r, err := RecipeFor("cifar10", "resnet20", profile.Paper); err != nil || !r.Fallback || r.Row != "paper * *" {
		t.Errorf("a model without a row: %+v, %v (want the profile's row, marked as a fallback)", r, err)
	}
	if r, err := RecipeFor("cifar10", "cnn-w8", profile.CPU); err != nil || r.Fallback {
		t.Errorf("cpu cnn-w8: %+v, %v", r, err)
	}
	if _, err := RecipeFor("nosuch", "mlp", profile.CPU); err == nil {
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
	r, err := RecipeFor("fashion-mnist", "mlp", profile.CPU)
	if err != nil {
		t.Fatal(err)
	}
	if r.Optimizer != "adam" || r.LR != 1e-3 || r.WeightDecay != 1e-5 || r.Batch != 128 || r.Epochs != 20 || r.MinSteps != 300 ||
		r.Schedule != "constant" || !r.Augmentation.Normalise || r.Fallback || r.Row != "cpu mnist mlp" {
		t.Errorf("cpu fashion-mnist mlp: %+v", r)
	}
	for _, c := range []struct{ dataset, model string }{{"cifar10", "mlp"}, {"fashion-mnist", "cnn-w8"}} {
		if r, _ := RecipeFor(c.dataset, c.model, profile.CPU); r.Optimizer != "sgd" || r.MinSteps != 0 {
			t.Errorf("cpu %s %s took the Fashion-MNIST MLP row: %+v", c.dataset, c.model, r)
		}
	}
	if r, _ := RecipeFor("fashion-mnist", "mlp", profile.Smoke); r.Optimizer != "sgd" {
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

// The plans' largest size is the full set: the training split less the
// validation split.
func TestPlansFitTheFullSet(t *testing.T) {
	train := map[string]int{"cifar10": 50000, "svhn": 73257, "fashion-mnist": 60000, "imagenet": 1281167}
	for ds, n := range train {
		v, err := ValidationSize(ds)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []profile.Name{profile.Smoke, profile.CPU, profile.Paper} {
			for _, s := range ScalingPlan(p, ds).Sizes {
				if s > n-v {
					t.Errorf("%s %s: size %d exceeds the full set %d", p, ds, s, n-v)
				}
			}
		}
	}
}

func TestHashFollowsContents(t *testing.T) {
	a := ProbesFor(profile.CPU, "cifar10")
	b := a
	b.EarlyEpoch++
	if Hash(a) == Hash(b) || Hash(a) != Hash(ProbesFor(profile.CPU, "cifar10")) {
		t.Error("Hash does not follow the contents")
	}
	if HashStrings([]string{"ab", "c"}) == HashStrings([]string{"a", "bc"}) {
		t.Error("HashStrings joins without a separator")
	}
}

func TestDiff(t *testing.T) {
	a := ProbesFor(profile.CPU, "cifar10")
	b := a
	b.Model, b.EarlyEpoch = "resnet18", 7
	got := Diff(a, b)
	if len(got) != 2 || got[0] != "early_epoch" || got[1] != "model" {
		t.Errorf("Diff = %v, want [early_epoch model]", got)
	}
	r1, _ := RecipeFor("cifar10", "resnet18", profile.Paper)
	r2 := r1
	r2.Augmentation.Flip = false
	if got := Diff(r1, r2); len(got) != 1 || got[0] != "augmentation.flip" {
		t.Errorf("nested Diff = %v", got)
	}
	if got := Diff(a, a); len(got) != 0 {
		t.Errorf("Diff of equal values = %v", got)
	}
}
