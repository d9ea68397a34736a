package main

import (
	"fmt"
	"io"

	"beyondscaling/lib/backend"
	"beyondscaling/lib/models"
	"beyondscaling/lib/train"
)

// benchTrain is `prune bench train`: training and inference throughput of a
// CIFAR ResNet on the configured backend.
func benchTrain(args []string, stdout io.Writer) error {
	fs := newFlags("bench train", "[--model resnet20] [--batch 128] [--steps 5] [--conv auto|patches|patches-t|native]")
	model := fs.String("model", "resnet20", "a model name (prune train --help lists them)")
	batch := fs.Int("batch", 128, "batch size")
	steps := fs.Int("steps", 5, "timed steps (after one compiling step); the median is reported")
	convName := fs.String("conv", "auto", "convolution formulation: auto (best for the backend), patches, patches-t or native")
	if err := fs.Parse(args); err != nil {
		return err
	}
	b, err := backend.Open()
	if err != nil {
		return err
	}
	defer b.Finalize()
	conv := models.ConvFor(b)
	switch *convName {
	case "patches":
		conv = models.ConvPatches
	case "patches-t":
		conv = models.ConvPatchesT
	case "native":
		conv = models.ConvNative
	case "auto":
	default:
		return fmt.Errorf("--conv %q: use auto, patches, patches-t or native", *convName)
	}
	fmt.Fprintf(stdout, "backend %s\n", b.Description())
	r, err := train.Bench(b, *model, conv, *batch, *steps, stdout)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, r)
	return nil
}
