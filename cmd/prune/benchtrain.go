package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"

	"beyondscaling/lib/backend"
	"beyondscaling/lib/models"
	"beyondscaling/lib/train"
)

// benchTrain is `prune bench train`: training and inference throughput of
// the CIFAR ResNets (CIFAR-shaped input) and the MLP (Fashion-MNIST-shaped
// input) on the backend prune picks, side by side with the PyTorch peer
// (bench/peer/resnet_cifar.py: the same networks, batch, precision, warm-up
// and timed steps, 2 threads), the two sides alternating, and the ratios.
func benchTrain(args []string, stdout io.Writer) error {
	fs := newFlags("bench train", "[--models resnet20,resnet8,mlp] [--batch 128] [--steps 5] [--rounds 2] [--conv auto|patches|patches-t|stride1|native] [--python /usr/bin/python3] [--peer-device auto]")
	modelList := fs.String("models", "resnet20,resnet8,mlp", "models to time (the MLP on 28×28×1 input, the others on 32×32×3)")
	model := fs.String("model", "", "one model only (overrides --models)")
	batch := fs.Int("batch", 128, "batch size")
	steps := fs.Int("steps", 5, "timed steps and inference calls (after one warm-up/compiling step); the median is reported")
	rounds := fs.Int("rounds", 2, "rounds per model, each timing this project then the peer; the best round of each side is compared")
	convName := fs.String("conv", "auto", "convolution formulation: auto (best for the backend), patches, patches-t, stride1 or native")
	python := fs.String("python", "/usr/bin/python3", "Python with PyTorch for the peer (Debian: python3-torch); empty to skip the peer")
	peerScript := fs.String("peer", "bench/peer/resnet_cifar.py", "the PyTorch peer script")
	peerDevice := fs.String("peer-device", "auto", "the peer's torch device: cpu, cuda, or auto (cuda when this side runs XLA on CUDA, else cpu)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	names := strings.Split(*modelList, ",")
	if *model != "" {
		names = []string{*model}
	}
	if *rounds < 1 || *steps < 1 {
		return fmt.Errorf("--rounds and --steps must be at least 1")
	}
	config, source := backend.Config()
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
	case "stride1":
		conv = models.ConvStride1
	case "native":
		conv = models.ConvNative
	case "auto":
	default:
		return fmt.Errorf("--conv %q: use auto, patches, patches-t, stride1 or native", *convName)
	}
	if *peerDevice == "auto" {
		// Compare like with like: a GPU against a GPU.
		*peerDevice = "cpu"
		if backend.OnCUDA(config) {
			*peerDevice = "cuda"
		}
	}
	fmt.Fprintf(stdout, "backend %s (GOMLX_BACKEND %q, %s); PyTorch on %s\n", backend.Describe(b), config, source, *peerDevice)
	peerNote := peerAvailable(*python, *peerScript)
	if peerNote != "" {
		fmt.Fprintf(stdout, "PyTorch peer not run: %s\n", peerNote)
	}
	type row struct {
		model      string
		ours, peer [2]float64 // best train, inference img/s
	}
	var rows []row
	for _, name := range names {
		r := row{model: name}
		ds := train.SyntheticCIFAR(*batch, 7)
		if name == "mlp" {
			ds = train.SyntheticImages(*batch, 28, 28, 1, 7)
		}
		for round := 1; round <= *rounds; round++ {
			fmt.Fprintf(stdout, "%s round %d, load average %s\n", name, round, loadAverage())
			res, err := train.BenchOn(b, ds, name, conv, *steps, io.Discard)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			fmt.Fprintf(stdout, "  this project: %v\n", res)
			r.ours[0], r.ours[1] = max(r.ours[0], res.TrainImgPerSec), max(r.ours[1], res.InferImgPerSec)
			if peerNote != "" {
				continue
			}
			tr, inf, line, err := runPeer(*python, *peerScript, *peerDevice, name, *batch, *steps)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "  PyTorch:      %s\n", line)
			r.peer[0], r.peer[1] = max(r.peer[0], tr), max(r.peer[1], inf)
		}
		rows = append(rows, r)
	}
	fmt.Fprintf(stdout, "\nbatch %d, best of %d rounds, img/s; load average at the end %s (2 cores: other work distorts absolute numbers; the ratio less so)\n", *batch, *rounds, loadAverage())
	fmt.Fprintf(stdout, "%-10s %10s %10s %7s %10s %10s %7s\n", "model", "train", "PyTorch", "ratio", "inference", "PyTorch", "ratio")
	for _, r := range rows {
		fmt.Fprintf(stdout, "%-10s %10.1f %10s %7s %10.1f %10s %7s\n", r.model, r.ours[0], peerCell(r.peer[0]), ratioCell(r.ours[0], r.peer[0]),
			r.ours[1], peerCell(r.peer[1]), ratioCell(r.ours[1], r.peer[1]))
	}
	return nil
}

func peerCell(v float64) string {
	if v == 0 {
		return "-"
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

func ratioCell(ours, peer float64) string {
	if peer == 0 {
		return "-"
	}
	return strconv.FormatFloat(ours/peer, 'f', 2, 64)
}

// peerAvailable says why the peer cannot run ("" when it can).
func peerAvailable(python, script string) string {
	if python == "" {
		return "--python is empty"
	}
	if _, err := os.Stat(script); err != nil {
		return fmt.Sprintf("%s not found (run from the project root, or pass --peer)", script)
	}
	if out, err := exec.Command(python, "-c", "import torch").CombinedOutput(); err != nil {
		return fmt.Sprintf("%s cannot import torch (%v: %s); on Debian: apt-get install python3-torch", python, err, bytes.TrimSpace(out))
	}
	return ""
}

var peerResult = regexp.MustCompile(`train ([0-9.]+) img/s, inference ([0-9.]+) img/s`)

// runPeer runs the PyTorch peer once and returns its training and inference
// throughput and its summary line.
func runPeer(python, script, device, model string, batch, steps int) (trainRate, inferRate float64, line string, err error) {
	out, err := exec.Command(python, script, "--model", model, "--batch", strconv.Itoa(batch), "--steps", strconv.Itoa(steps), "--threads", "2", "--device", device).CombinedOutput()
	if err != nil {
		return 0, 0, "", fmt.Errorf("PyTorch peer %s: %v\n%s", script, err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	line = lines[len(lines)-1]
	m := peerResult.FindStringSubmatch(line)
	if m == nil {
		return 0, 0, "", fmt.Errorf("PyTorch peer %s: no throughput in its last line %q", script, line)
	}
	trainRate, _ = strconv.ParseFloat(m[1], 64)
	inferRate, _ = strconv.ParseFloat(m[2], 64)
	return trainRate, inferRate, strings.TrimSpace(lines[0]) + "; " + line, nil
}

// loadAverage is the 1-, 5- and 15-minute load average (Linux), or "unknown".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
