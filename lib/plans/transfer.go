package plans

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"slices"

	"beyondscaling/lib/backend"
	"beyondscaling/lib/project"
	"beyondscaling/lib/settings"
	"beyondscaling/lib/textlog"
	"beyondscaling/lib/transfer"
)

// TransferEpochs is the fine-tuning budget of notebook 08 at the cpu
// profile: 10 epochs, half the cpu recipe's 20 for this network, so that
// the notebook fits beside the others in the main job's hour.
const TransferEpochs = 10

// Transfer is notebook 08's design (Fig. 4 at small scale) at a profile,
// and the name figures give its dataset. On Fashion-MNIST (smoke and cpu)
// the upstream task is classes 0-4 (T-shirt/top, trouser, pullover,
// dress, coat) and the downstream task classes 5-9 (sandal, shirt,
// sneaker, bag, ankle boot): the encoder never sees a downstream class,
// both halves are the same kind of image, and the downstream task mixes
// classes close to upstream ones (shirt) with far ones (footwear, bags).
// The paper profile splits CIFAR-10 the same way (vehicles and animals on
// both sides). The encoder is the metric benchmark's SimCLR network
// (lib/settings' probe preset); fine-tuning uses that network's recipe.
func Transfer(p project.Profile) (cfg transfer.Config, label string) {
	dataset, label := "fashion-mnist", "Fashion-MNIST"
	if p == project.Paper {
		dataset, label = "cifar10", "CIFAR-10"
	}
	probes := settings.ProbesFor(p, dataset)
	recipe, err := settings.RecipeFor(dataset, probes.SSLModel, p)
	if err != nil {
		panic(err) // the table has a row for every profile's encoder
	}
	cfg = transfer.Config{Dataset: dataset, Upstream: []int32{0, 1, 2, 3, 4}, Downstream: []int32{5, 6, 7, 8, 9},
		Fractions: []float64{0.3, 0.5, 0.7}, SSL: probes, FineTune: recipe.Recipe}
	cfg.ProbeSize = 1000 // 200 labels a class: what pretraining adds shows with few labels
	switch p {
	case project.Smoke:
		cfg.UpstreamSize, cfg.DownstreamSize, cfg.ProbeSize = 600, 600, 100
		cfg.Fractions, cfg.Seeds = []float64{0.5}, []uint64{1}
	case project.CPU:
		cfg.Seeds = slices.Clone(CPUAbundant.FreshSeeds)
		cfg.FineTune.Epochs = TransferEpochs
	default:
		cfg.Seeds = []uint64{1, 2, 3}
	}
	return cfg, label
}

// RunTransfer runs (or reads back: every result is cached by content)
// notebook 08's experiment in the profile's store on the default backend,
// printing progress to log (nil: nowhere).
func RunTransfer(ctx context.Context, prof project.Profile, log io.Writer) ([]transfer.Result, error) {
	if log == nil {
		log = io.Discard
	}
	dir, err := StoreDir(prof)
	if err != nil {
		return nil, err
	}
	b, err := backend.Open()
	if err != nil {
		return nil, err
	}
	defer b.Finalize()
	cfg, _ := Transfer(prof)
	r := transfer.Runner{Backend: b, BackendName: backend.Name(b), WorkDir: filepath.Join(dir, "probes", cfg.Dataset), Logger: textlog.New(log, slog.LevelInfo)}
	return r.Run(ctx, cfg)
}
