package settings_test

import (
	"fmt"

	"beyondscaling/lib/project"
	"beyondscaling/lib/settings"
)

// The recipe of the paper's ImageNet runs, and the same recipe at a larger
// batch (the learning rate scales linearly).
func ExampleRecipeFor() {
	r, err := settings.RecipeFor("imagenet", "resnet50", project.Paper)
	if err != nil {
		panic(err)
	}
	fmt.Printf("row %q: lr %g at batch %d, weight decay %g, schedule %s, %d epochs\n", r.Row, r.LR, r.Batch, r.WeightDecay, r.Schedule, r.Epochs)
	fmt.Println("augmentation:", r.Augmentation)
	big := r.WithBatch(1024)
	fmt.Printf("at batch %d: lr %g\n", big.Batch, big.LR)
	// Output:
	// row "paper imagenet resnet50": lr 0.1 at batch 256, weight decay 0.0001, schedule imagenet, 105 epochs
	// augmentation: random resized crop, horizontal flip, colour jitter 0.4
	// at batch 1024: lr 0.4
}
