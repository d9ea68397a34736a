package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"beyondscaling/lib/backend"
	"beyondscaling/lib/data"
	"beyondscaling/lib/models"
	"beyondscaling/lib/train"
)

func init() {
	register("train", "train a network on a dataset (or a subset of example IDs) and print its test accuracy", runTrain)
}

func runTrain(args []string, stdout io.Writer) error {
	fs := newFlags("train", "--dataset cifar10 --model resnet20 --epochs E [--subset IDS_FILE] [--checkpoint DIR] ...")
	dataset := fs.String("dataset", "cifar10", "dataset name (prune data info lists them)")
	modelName := fs.String("model", "resnet20", "network: "+strings.Join(models.Names(), ", ")+" (ResNets take a width suffix, e.g. resnet18-w16)")
	epochs := fs.Int("epochs", 10, "epochs over the training subset")
	batch := fs.Int("batch", 128, "batch size")
	lr := fs.Float64("lr", 0.1, "base learning rate")
	momentum := fs.Float64("momentum", 0.9, "momentum")
	nesterov := fs.Bool("nesterov", true, "Nesterov momentum")
	wd := fs.Float64("wd", 5e-4, "weight decay (not on batch norm or biases)")
	schedule := fs.String("schedule", "cifar", "learning-rate schedule: cifar, imagenet, cosine, constant, multistep:F1,F2:GAMMA, step:F:GAMMA, each optionally +warmup:F")
	smoothing := fs.Float64("label-smoothing", 0, "label smoothing in [0, 1)")
	equalIters := fs.Bool("equal-iterations", false, "train as many steps as --epochs over the full training set would take")
	subset := fs.String("subset", "", "file of training example IDs to train on (as written by prune select)")
	seed := fs.Uint64("seed", 1, "seed for initialisation, shuffling and augmentation")
	ckpt := fs.String("checkpoint", "", "checkpoint folder: saved every epoch; an interrupted run resumes from it")
	dynamics := fs.String("dynamics", "", "write per-example training dynamics (loss, margin, correctness, probabilities) to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	sched, err := train.ParseSchedule(*schedule)
	if err != nil {
		return err
	}
	trainDS, testDS, set, err := loadSplits(*dataset, *subset)
	if err != nil {
		return err
	}
	aug, err := data.AugmentFor(*dataset, *seed)
	if err != nil {
		return err
	}
	b, err := backend.Open()
	if err != nil {
		return err
	}
	defer b.Finalize()
	cfg := train.Config{Model: *modelName, Epochs: *epochs, Batch: *batch, LR: *lr, Momentum: *momentum, Nesterov: *nesterov,
		WeightDecay: *wd, Schedule: sched, LabelSmoothing: *smoothing, EqualIterations: *equalIters, ReferenceSize: trainDS.Len(),
		Seed: *seed, CheckpointDir: *ckpt, CheckpointEvery: 1, RecordDynamics: *dynamics != "", RecordProbs: *dynamics != "",
		BNBatches: 50, Log: os.Stderr}
	t, err := train.New(b, cfg, set, aug)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "training %s on %d of %d %s images, backend %s, %s convolution\n", *modelName, len(set.Idx), trainDS.Len(), *dataset, b.Name(), t.Model.Conv)
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
