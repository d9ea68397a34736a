package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"beyondscaling/lib/backend"
	"beyondscaling/lib/data"
	"beyondscaling/lib/models"
	"beyondscaling/lib/project"
	"beyondscaling/lib/settings"
	"beyondscaling/lib/train"
)

func init() {
	register("train", "train a network on a dataset (or a subset of example IDs) and print its test accuracy", runTrain)
}

func runTrain(args []string, stdout io.Writer) error {
	fs := newFlags("train", "--dataset cifar10 --model resnet20 [--profile P] [--epochs E] [--subset IDS_FILE] [--checkpoint DIR] ...")
	dataset := fs.String("dataset", "cifar10", "dataset name (prune data info lists them)")
	modelName := fs.String("model", "resnet20", "network: "+strings.Join(models.Names(), ", ")+" (ResNets take a width suffix, e.g. resnet18-w16)")
	prof := fs.String("profile", "", "profile whose recipe (lib/settings) is the default: smoke, cpu or paper (default: PRUNE_PROFILE, else by machine)")
	epochs := fs.Int("epochs", 0, "epochs over the training subset (default: the recipe's)")
	batch := fs.Int("batch", 0, "batch size (default: the recipe's; another batch scales the recipe's learning rate linearly)")
	lr := fs.Float64("lr", 0, "base learning rate (default: the recipe's)")
	optName := fs.String("optimizer", "", "optimizer (default: the recipe's): sgd, adam (weight decay as L2, as torch.optim.Adam) or adamw (decoupled)")
	minSteps := fs.Int("min-steps", -1, "train at least this many steps, more epochs on small sets (default: the recipe's; 0: none)")
	momentum := fs.Float64("momentum", -1, "momentum (default: the recipe's)")
	nesterov := fs.Bool("nesterov", true, "Nesterov momentum (default: the recipe's)")
	wd := fs.Float64("wd", -1, "weight decay, not on batch norm or biases (default: the recipe's)")
	schedule := fs.String("schedule", "", "learning-rate schedule (default: the recipe's): cifar, imagenet, cosine, constant, multistep:F1,F2:GAMMA, step:F:GAMMA, each optionally +warmup:F")
	smoothing := fs.Float64("label-smoothing", 0, "label smoothing in [0, 1)")
	equalIters := fs.Bool("equal-iterations", false, "train as many steps as --epochs over the full training set would take")
	subset := fs.String("subset", "", "file of training example IDs to train on (as written by prune select)")
	seed := fs.Uint64("seed", 1, "seed for initialisation, shuffling and augmentation")
	ckpt := fs.String("checkpoint", "", "checkpoint folder: saved every epoch; an interrupted run resumes from it")
	dynamics := fs.String("dynamics", "", "write per-example training dynamics (loss, margin, correctness, probabilities) to this file")
	dynamicPrune := fs.Float64("dynamic-prune", 0, "dynamic pruning (InfoBatch): each epoch before the annealing ones leaves out this share of the examples whose loss is below the mean, rescaling the kept ones' loss; 0.5 is the published default (0: off)")
	dynamicAnneal := fs.Float64("dynamic-anneal", train.DefaultDynamicAnneal, "with --dynamic-prune: the share of final epochs trained on every example (at least one epoch)")
	printRecipe := fs.Bool("print-recipe", false, "print the recipe that would be used (the settings row and the flags applied) and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	p, _, err := project.CurrentProfile()
	if err != nil {
		return err
	}
	if *prof != "" {
		if p, err = project.ParseProfile(*prof); err != nil {
			return err
		}
	}
	recipe, err := settings.RecipeFor(*dataset, *modelName, p)
	if err != nil {
		return err
	}
	r := recipe.Recipe.WithBatch(*batch)
	if *epochs > 0 {
		r.Epochs = *epochs
	}
	if *lr > 0 {
		r.LR = *lr
	}
	if *optName != "" {
		r.Optimizer = *optName
	}
	if *minSteps >= 0 {
		r.MinSteps = *minSteps
	}
	if *momentum >= 0 {
		r.Momentum = *momentum
	}
	if given["nesterov"] {
		r.Nesterov = *nesterov
	}
	if *wd >= 0 {
		r.WeightDecay = *wd
	}
	if *schedule != "" {
		r.Schedule = *schedule
	}
	cfg, err := train.FromRecipe(*modelName, r)
	if err != nil {
		return err
	}
	opt := fmt.Sprintf("sgd lr %g, momentum %g, nesterov %v", r.LR, r.Momentum, r.Nesterov)
	if r.Optimizer != "sgd" {
		opt = fmt.Sprintf("%s lr %g", r.Optimizer, r.LR)
	}
	budget := fmt.Sprintf("%d epochs", r.Epochs)
	if r.MinSteps > 0 {
		budget += fmt.Sprintf(" but at least %d steps", r.MinSteps)
	}
	line := fmt.Sprintf("recipe (settings row %q, flags applied): %s, weight decay %g, schedule %s, batch %d, %s, augmentation %s",
		recipe.Row, opt, r.WeightDecay, r.Schedule, r.Batch, budget, r.Augmentation)
	cfg.DynamicPrune, cfg.DynamicAnneal = *dynamicPrune, *dynamicAnneal
	if err := cfg.Validate(); err != nil {
		return err
	}
	if cfg.DynamicAnneal == 0 {
		cfg.DynamicAnneal = train.DefaultDynamicAnneal
	}
	if cfg.DynamicPrune > 0 {
		line += fmt.Sprintf("; dynamic pruning (InfoBatch) ratio %g, the last %g of the epochs (at least one) on every example", cfg.DynamicPrune, cfg.DynamicAnneal)
	}
	if *printRecipe {
		fmt.Fprintln(stdout, line)
		return nil
	}
	trainDS, testDS, set, err := loadSplits(*dataset, *subset)
	if err != nil {
		return err
	}
	aug, err := train.AugmentFor(*dataset, r.Augmentation, *seed)
	if err != nil {
		return err
	}
	b, err := backend.Open()
	if err != nil {
		return err
	}
	defer b.Finalize()
	cfg.LabelSmoothing, cfg.EqualIterations, cfg.ReferenceSize = *smoothing, *equalIters, trainDS.Len()
	cfg.Seed, cfg.CheckpointDir, cfg.RecordDynamics, cfg.RecordProbs, cfg.Log = *seed, *ckpt, *dynamics != "", *dynamics != "", os.Stderr
	fmt.Fprintln(stdout, line)
	if err := r.CheckSize(len(set.Idx)); err != nil {
		return err
	}
	t, err := train.New(b, cfg, set, aug)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "training %s on %d of %d %s images, backend %s, %s convolution\n", *modelName, len(set.Idx), trainDS.Len(), *dataset, backend.Name(b), t.Model.Conv)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	start := time.Now()
	res, err := t.Run(ctx, set)
	if err != nil {
		return err
	}
	if res.Resumed > 0 {
		fmt.Fprintf(stdout, "resumed from the checkpoint of epoch %d in %s\n", res.Resumed, *ckpt)
	}
	if t.Dynamics != nil {
		if err := t.Dynamics.Save(*dynamics); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "training dynamics of %d examples over %d epochs: %s\n", len(t.Dynamics.IDs), t.Dynamics.Epochs, *dynamics)
	}
	top1, top5, err := t.Evaluate(set, testDS)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d steps, %d epochs, last training loss %.4f, %.0f img/s, %v\n", res.Steps, res.Epochs, res.LastLoss, res.ImgPerSec, time.Since(start).Round(time.Second))
	fmt.Fprintf(stdout, "example passes: %d (%.1f%% of %d epochs × %d examples)\n", res.Presented, 100*float64(res.Presented)/float64(max(1, res.Epochs*len(set.Idx))), res.Epochs, len(set.Idx))
	fmt.Fprintf(stdout, "test accuracy: top-1 %.4f, top-5 %.4f (%d test images)\n", top1, top5, testDS.Len())
	return nil
}

// loadSplits reads a dataset's training and test splits and the training
// subset named by an ID file (all of the training split if subsetPath is "").
func loadSplits(dataset, subsetPath string) (trainDS, testDS *data.Dataset, set data.Subset, err error) {
	if trainDS, err = data.Load(dataset, "train"); err != nil {
		return
	}
	if testDS, err = data.Load(dataset, "test"); err != nil {
		return
	}
	set = data.All(trainDS)
	if subsetPath != "" {
		var ids []string
		if ids, err = data.ReadIDs(subsetPath); err != nil {
			return
		}
		if set, err = data.SubsetByIDs(trainDS, ids); err != nil {
			err = fmt.Errorf("--subset %s: %w", subsetPath, err)
		}
	}
	return
}
