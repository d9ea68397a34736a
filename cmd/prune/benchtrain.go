package main

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"beyondscaling/lib/backend"
	"beyondscaling/lib/models"
	"beyondscaling/lib/train"
)

// benchTrain is `prune bench train`: training and inference throughput of
// the CIFAR ResNets (CIFAR-shaped input) and the MLPs (Fashion-MNIST-shaped
// input) on the backend prune picks, side by side with the PyTorch peer
// (bench/peer/resnet_cifar.py: the same networks, batch, precision, warm-up
// and timed steps, 2 threads), the two sides alternating, and the ratios.
// First it measures the roofline: the best float32 matrix product of the
// machine (oneDNN's sgemm and the peer's BLAS, as installed and with
// OpenBLAS where found); each model's training rate is then also given in
// GFLOP/s by models.Cost and as a share of that peak.
func benchTrain(args []string, stdout io.Writer) error {
	fs := newFlags("bench train", "[--models resnet20,resnet8,mlp,mlp-256] [--batch 128] [--steps 20] [--rounds 2] [--conv auto|patches|patches-t|stride1|native] [--python /usr/bin/python3] [--peer-device auto]")
	modelList := fs.String("models", "resnet20,resnet8,mlp,mlp-256", "models to time (the MLPs, mlp and mlp-256, on 28×28×1 input, the others on 32×32×3)")
	model := fs.String("model", "", "one model only (overrides --models)")
	batch := fs.Int("batch", 128, "batch size")
	steps := fs.Int("steps", 20, "timed steps and inference calls (after one warm-up/compiling step); the median is reported")
	rounds := fs.Int("rounds", 2, "rounds per model, each timing this project then the peer; the best round of each side is compared")
	convName := fs.String("conv", "auto", "convolution formulation: auto (best for the backend), patches, patches-t, stride1 or native")
	python := fs.String("python", "/usr/bin/python3", "Python with PyTorch for the peer (Debian: python3-torch); empty to skip the peer")
	peerScript := fs.String("peer", "bench/peer/resnet_cifar.py", "the PyTorch peer script")
	sgemmSize := fs.Int("sgemm", 2048, "size of the square float32 matrix product timed for the roofline")
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

	// The roofline: the best float32 matrix product this machine runs, by
	// oneDNN's sgemm (what the dense layers run on here) and by the peer's
	// BLAS, as installed and with OpenBLAS where it is found.
	peak := 0.0
	if rate, err := sgemmRate(*sgemmSize); err != nil {
		fmt.Fprintf(stdout, "roofline: oneDNN sgemm not measured: %v\n", err)
	} else {
		fmt.Fprintf(stdout, "roofline: oneDNN sgemm %d×%d×%d float32, %s: %.1f GFLOP/s\n", *sgemmSize, *sgemmSize, *sgemmSize, ompThreads(), rate)
		peak = rate
	}
	peers := []peerSide{{label: "PyTorch"}}
	if peerNote == "" && *peerDevice == "cpu" {
		for i := 0; i < len(peers); i++ {
			rate, blas, err := runPeerSGEMM(*python, *peerScript, peers[i].env, *sgemmSize)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "roofline: %s sgemm %d, 2 threads (BLAS %s): %.1f GFLOP/s\n", peers[i].label, *sgemmSize, blas, rate)
			peak = max(peak, rate)
			if i == 0 && !strings.Contains(strings.ToLower(blas), "openblas") {
				if dir := openBLASDir(); dir != "" {
					peers = append(peers, peerSide{label: "PyTorch+OpenBLAS", env: []string{"LD_LIBRARY_PATH=" + dir}})
				}
			}
		}
	}
	if peak > 0 {
		fmt.Fprintf(stdout, "peak: %.1f GFLOP/s, the best of these\n", peak)
	}
	fmt.Fprintf(stdout, "memory: %.1f GB/s copying 256 MiB with %d goroutines (read + write counted)\n", copyBandwidth(256<<20, runtime.NumCPU()), runtime.NumCPU())

	type row struct {
		model string
		flops float64 // training FLOP per image (models.Cost)
		ours  [2]float64
		peer  [][2]float64 // per peer side: best train, inference img/s
	}
	var rows []row
	for _, name := range names {
		r := row{model: name, peer: make([][2]float64, len(peers))}
		ds := train.SyntheticCIFAR(*batch, 7)
		if strings.HasPrefix(name, "mlp") {
			ds = train.SyntheticImages(*batch, 28, 28, 1, 7)
		}
		if net, err := models.New(name, models.Options{Classes: 10, Channels: ds.C}); err == nil {
			if cost, err := models.CostOf(b, net, ds.H, ds.W, ds.C); err == nil {
				r.flops = cost.TrainingFLOPs()
			}
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
			for i, p := range peers {
				tr, inf, line, err := runPeer(*python, *peerScript, p.env, *peerDevice, name, *batch, *steps)
				if err != nil {
					return err
				}
				fmt.Fprintf(stdout, "  %-14s %s\n", p.label+":", line)
				r.peer[i][0], r.peer[i][1] = max(r.peer[i][0], tr), max(r.peer[i][1], inf)
			}
		}
		rows = append(rows, r)
	}
	fmt.Fprintf(stdout, "\nbatch %d, best of %d rounds, img/s; load average at the end %s (2 cores: other work distorts absolute numbers; the ratio less so)\n", *batch, *rounds, loadAverage())
	fmt.Fprintf(stdout, "GFLOP/s counts 2 FLOP per multiply-add of the convolutions and dense layers: forward, weight gradient, and input gradient but for the first layer (models.Cost)\n")
	fmt.Fprintf(stdout, "%-10s %10s %10s %7s", "model", "MFLOP/img", "train", "GFLOP/s")
	if peak > 0 {
		fmt.Fprintf(stdout, " %7s", "of peak")
	}
	for _, p := range peers {
		fmt.Fprintf(stdout, " %16s %7s", p.label, "ratio")
	}
	fmt.Fprintf(stdout, " %10s", "inference")
	for _, p := range peers {
		fmt.Fprintf(stdout, " %16s %7s", p.label, "ratio")
	}
	fmt.Fprintln(stdout)
	for _, r := range rows {
		gflops := r.ours[0] * r.flops / 1e9
		fmt.Fprintf(stdout, "%-10s %10.3f %10.1f %7.1f", r.model, r.flops/1e6, r.ours[0], gflops)
		if peak > 0 {
			fmt.Fprintf(stdout, " %6.0f%%", 100*gflops/peak)
		}
		for i := range peers {
			fmt.Fprintf(stdout, " %16s %7s", peerCell(r.peer[i][0]), ratioCell(r.ours[0], r.peer[i][0]))
		}
		fmt.Fprintf(stdout, " %10.1f", r.ours[1])
		for i := range peers {
			fmt.Fprintf(stdout, " %16s %7s", peerCell(r.peer[i][1]), ratioCell(r.ours[1], r.peer[i][1]))
		}
		fmt.Fprintln(stdout)
	}
	return nil
}

// peerSide is one way of running the peer: as installed, or with another
// BLAS library put first on the loader's path.
type peerSide struct {
	label string
	env   []string
}

// openBLASDir is Debian's OpenBLAS folder holding its libblas.so.3, or "".
func openBLASDir() string {
	for _, dir := range []string{"/usr/lib/x86_64-linux-gnu/openblas-pthread", "/usr/lib/aarch64-linux-gnu/openblas-pthread"} {
		if _, err := os.Stat(dir + "/libblas.so.3"); err == nil {
			return dir
		}
	}
	return ""
}

// ompThreads says how many threads oneDNN's OpenMP runs.
func ompThreads() string {
	if n := os.Getenv("OMP_NUM_THREADS"); n != "" {
		return "OMP_NUM_THREADS " + n
	}
	return fmt.Sprintf("%d threads (one per core)", runtime.NumCPU())
}

// sgemmRate is the best of five timings of one size³ oneDNN sgemm, in
// GFLOP/s.
func sgemmRate(size int) (float64, error) {
	a, bm, c := make([]float32, size*size), make([]float32, size*size), make([]float32, size*size)
	for i := range a {
		a[i], bm[i] = float32(i%7)-3, float32(i%5)-2
	}
	best := time.Duration(math.MaxInt64)
	for i := 0; i <= 5; i++ {
		t0 := time.Now()
		if err := backend.OneDNNSGEMM(false, false, size, size, size, a, bm, c); err != nil {
			return 0, err
		}
		if dt := time.Since(t0); i > 0 { // the first call warms up
			best = min(best, dt)
		}
	}
	return 2 * math.Pow(float64(size), 3) / best.Seconds() / 1e9, nil
}

// copyBandwidth is the best of five timings of copying n bytes between two
// buffers split over workers goroutines, in GB/s counting the bytes read and
// written: the memory side of the roofline (the optimizer's element-wise
// steps stream their tensors through it).
func copyBandwidth(n, workers int) float64 {
	src, dst := make([]byte, n), make([]byte, n)
	for i := range src {
		src[i] = byte(i)
	}
	best := time.Duration(math.MaxInt64)
	for r := 0; r < 5; r++ {
		t0 := time.Now()
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			lo, hi := w*n/workers, (w+1)*n/workers
			wg.Go(func() { copy(dst[lo:hi], src[lo:hi]) })
		}
		wg.Wait()
		best = min(best, time.Since(t0))
	}
	return 2 * float64(n) / best.Seconds() / 1e9
}

var peerSGEMMResult = regexp.MustCompile(`sgemm [0-9]+: ([0-9.]+) GFLOP/s`)
var peerBLAS = regexp.MustCompile(`(?m), BLAS (.*)$`)

// runPeerSGEMM times the peer's float32 matrix product (torch.mm, on its
// BLAS) and says which BLAS library it loaded.
func runPeerSGEMM(python, script string, env []string, size int) (rate float64, blas string, err error) {
	cmd := exec.Command(python, script, "--sgemm", strconv.Itoa(size), "--threads", "2")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, "", fmt.Errorf("PyTorch peer %s --sgemm: %v\n%s", script, err, out)
	}
	m := peerSGEMMResult.FindSubmatch(out)
	bm := peerBLAS.FindStringSubmatch(string(out))
	if m == nil || bm == nil {
		return 0, "", fmt.Errorf("PyTorch peer %s --sgemm: no rate or BLAS in %q", script, out)
	}
	rate, _ = strconv.ParseFloat(string(m[1]), 64)
	return rate, bm[1], nil
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
func runPeer(python, script string, env []string, device, model string, batch, steps int) (trainRate, inferRate float64, line string, err error) {
	cmd := exec.Command(python, script, "--model", model, "--batch", strconv.Itoa(batch), "--steps", strconv.Itoa(steps), "--threads", "2", "--device", device)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
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
