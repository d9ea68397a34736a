package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// prune train takes its defaults from the settings table: the paper's
// recipes at the paper profile, a batch flag scaling the learning rate
// linearly, and other flags overriding single values. No data is needed.
func TestTrainUsesTheRecipeTable(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--profile", "paper", "--dataset", "cifar10", "--model", "resnet18"},
			`settings row "paper cifar resnet18", flags applied): sgd lr 0.1, momentum 0.9, nesterov true, weight decay 0.0005, schedule cifar, batch 128, 200 epochs, augmentation pad 4 + random crop, horizontal flip`},
		{[]string{"--profile", "paper", "--dataset", "imagenet", "--model", "resnet50", "--batch", "512"},
			`settings row "paper imagenet resnet50", flags applied): sgd lr 0.2, momentum 0.9, nesterov true, weight decay 0.0001, schedule imagenet, batch 512, 105 epochs, augmentation random resized crop, horizontal flip, colour jitter 0.4`},
		{[]string{"--profile", "cpu", "--dataset", "svhn", "--model", "resnet20", "--lr", "0.01", "--epochs", "3"},
			`settings row "cpu * *", flags applied): sgd lr 0.01, momentum 0.9, nesterov true, weight decay 0.0005, schedule cifar, batch 32, 3 epochs, augmentation pad 4 + random crop`},
		{[]string{"--profile", "cpu", "--dataset", "fashion-mnist", "--model", "mlp"},
			`settings row "cpu mnist mlp", flags applied): adam lr 0.001, weight decay 1e-05, schedule constant, batch 128, 20 epochs but at least 300 steps, augmentation none`},
		{[]string{"--profile", "cpu", "--dataset", "fashion-mnist", "--model", "mlp", "--optimizer", "adamw", "--min-steps", "0", "--epochs", "5"},
			`settings row "cpu mnist mlp", flags applied): adamw lr 0.001, weight decay 1e-05, schedule constant, batch 128, 5 epochs, augmentation none`},
	} {
		var o, e bytes.Buffer
		if code := run(append(append([]string{"train"}, c.args...), "--print-recipe"), &o, &e); code != 0 {
			t.Fatalf("%v: %s", c.args, e.String())
		}
		if !strings.Contains(o.String(), c.want) {
			t.Errorf("%v:\n got %s\nwant %s", c.args, o.String(), c.want)
		}
	}
}

// prune train --dynamic-prune trains with InfoBatch-style dynamic pruning:
// it says so in its recipe line and prints the example passes it spent,
// fewer than the epochs × examples of the same run without it; a ratio
// outside [0, 1) is refused before any data is read.
func TestTrainDynamicPrune(t *testing.T) {
	needFashionMNIST(t)
	dir := t.TempDir()
	t.Setenv("PRUNE_DATA", dir)
	var ids strings.Builder
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&ids, "fashion-mnist/train/%05d\n", i)
	}
	subset := filepath.Join(dir, "ids.txt")
	os.WriteFile(subset, []byte(ids.String()), 0o644)
	args := []string{"train", "--dataset", "fashion-mnist", "--model", "mlp", "--min-steps", "0", "--epochs", "8", "--subset", subset, "--dynamic-prune", "0.5"}
	var o, e bytes.Buffer
	if code := run(args, &o, &e); code != 0 {
		t.Fatalf("train: %s", e.String())
	}
	out := o.String()
	if !strings.Contains(out, "dynamic pruning (InfoBatch) ratio 0.5, the last 0.125 of the epochs (at least one) on every example") {
		t.Errorf("recipe line does not name dynamic pruning:\n%s", out)
	}
	var passes int
	i := strings.Index(out, "example passes: ")
	if i < 0 {
		t.Fatalf("no example passes line:\n%s", out)
	}
	fmt.Sscanf(out[i:], "example passes: %d", &passes)
	if passes >= 8*1000 || passes < 8*1000/2 {
		t.Errorf("%d example passes; want fewer than 8 epochs × 1,000 and more than half of that:\n%s", passes, out)
	}
	for _, r := range []string{"1", "-0.2"} {
		e.Reset()
		if code := run([]string{"train", "--dataset", "fashion-mnist", "--model", "mlp", "--dynamic-prune", r}, &o, &e); code == 0 || !strings.Contains(e.String(), "dynamic pruning ratio") {
			t.Errorf("--dynamic-prune %s: exit %d, %q", r, code, e.String())
		}
	}
}
