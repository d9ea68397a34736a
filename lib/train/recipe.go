package train

import (
	"fmt"

	"beyondscaling/lib/data"
	"beyondscaling/lib/settings"
)

// FromRecipe is the training configuration of a model trained by a recipe
// of lib/settings' table.
func FromRecipe(modelName string, r settings.Recipe) (Config, error) {
	switch r.Optimizer {
	case "sgd", "adam", "adamw":
	default:
		return Config{}, fmt.Errorf("recipe optimizer %q: use sgd (momentum SGD), adam (L2 weight decay, as torch.optim.Adam) or adamw (decoupled weight decay)", r.Optimizer)
	}
	if _, err := ParseSchedule(r.Schedule); err != nil {
		return Config{}, fmt.Errorf("recipe schedule: %w", err)
	}
	return Config{Model: modelName, Recipe: r, BNBatches: 50, CheckpointEvery: 1}, nil
}

// Recipe is the paper's CIFAR ResNet18 recipe (settings.CIFARResNet18) for
// a model and budget: batch 128, SGD lr 0.1 with Nesterov momentum 0.9,
// weight decay 5e-4, ×0.2 at 30%, 60% and 80% of training, equal epochs.
// Tests and benchmarks start from it.
func Recipe(modelName string, epochs int) Config {
	r := settings.CIFARResNet18
	r.Epochs = epochs
	cfg, err := FromRecipe(modelName, r)
	if err != nil {
		panic(err) // the table's own recipe always parses (TestRecipesParse)
	}
	return cfg
}

// AugmentFor is the training augmentation of a recipe on a dataset (with
// the dataset's normalisation when the recipe asks for it).
func AugmentFor(dataset string, a settings.Augmentation, seed uint64) (data.Augment, error) {
	out := data.Augment{Seed: seed}
	if a.Normalise {
		std, err := data.AugmentFor(dataset, seed)
		if err != nil {
			return out, err
		}
		out.Mean, out.Std = std.Mean, std.Std
	}
	out.Pad, out.Flip, out.ResizedCrop, out.ColorJitter = a.Pad, a.Flip, a.ResizedCrop, a.ColorJitter
	return out, nil
}

// Applied is the configuration a finished run trained with, for records.
func Applied(cfg Config, r settings.Resolved, aug settings.Augmentation, res Result, examples int, backend string) settings.Applied {
	return settings.Applied{Model: cfg.Model, Optimizer: r.Optimizer, LR: cfg.LR, Momentum: cfg.Momentum, Nesterov: cfg.Nesterov,
		WeightDecay: cfg.WeightDecay, Schedule: r.Schedule, Batch: cfg.Batch, Epochs: cfg.Epochs, MinSteps: cfg.MinSteps, EpochsRun: res.Epochs, Steps: res.Steps,
		EqualIterations: cfg.EqualIterations, Augmentation: aug.String(), Examples: examples, ExamplePasses: res.Presented, DynamicPrune: cfg.DynamicPrune,
		Backend: backend, RecipeRow: r.Row}
}
