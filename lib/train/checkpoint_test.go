package train

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"beyondscaling/lib/data"
	"beyondscaling/lib/models"
)

// cancelAt is a log writer that cancels a context when a line contains a marker.
type cancelAt struct {
	marker string
	cancel context.CancelFunc
}

func (c cancelAt) Write(p []byte) (int, error) {
	if strings.Contains(string(p), c.marker) {
		c.cancel()
	}
	return len(p), nil
}

func quickConfig(dir string) Config {
	cfg := Recipe("cnn-w8", 4)
	cfg.Batch = 32
	cfg.LR = 0.05
	cfg.CheckpointDir = dir
	cfg.RecordDynamics, cfg.RecordProbs = true, true
	return cfg
}

func params(t *testing.T, tr *Trainer) map[string][]float32 {
	out := map[string][]float32{}
	for v := range tr.Model.Store.IterVariables() {
		if v.Trainable {
			out[v.Path()] = tensors.MustCopyFlatData[float32](v.MustValue())
		}
	}
	if len(out) == 0 {
		t.Fatal("no trained parameters")
	}
	return out
}

// sameParams fails the test unless two trainers' trained parameters agree
// to tol (absolute): got (a resumed run, say) against want (an
// uninterrupted one).
func sameParams(t *testing.T, wantTrainer, gotTrainer *Trainer, tol float64) {
	t.Helper()
	want, got := params(t, wantTrainer), params(t, gotTrainer)
	for name, w := range want {
		g := got[name]
		for i := range w {
			if math.Abs(float64(w[i]-g[i])) > tol {
				t.Fatalf("%s[%d]: %g, want %g (within %g)", name, i, g[i], w[i], tol)
			}
		}
	}
}

// A run killed after epoch 2 and resumed from its checkpoint ends with the
// same parameters and the same recorded dynamics as an uninterrupted run.
func TestInterruptedRunResumes(t *testing.T) {
	b := goBackend(t)
	set := data.All(blobs(160, 1, "train"))
	aug := data.Augment{Flip: true, Pad: 1, Seed: 3}

	straight, err := New(b, quickConfig(t.TempDir()), set, aug)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := straight.Run(context.Background(), set); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cfg := quickConfig(dir)
	cfg.Log = cancelAt{"epoch 2/4", cancel}
	first, err := New(b, cfg, set, aug)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := first.Run(ctx, set); err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("cancelled run returned %v", err)
	}
	if latest, _ := LatestCheckpoint(dir); filepath.Base(latest) != "epoch-0002" {
		t.Fatalf("latest checkpoint %q, want epoch-0002", latest)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".saving") {
			t.Errorf("temporary checkpoint folder %s left behind", e.Name())
		}
	}

	second, err := New(b, quickConfig(dir), set, aug)
	if err != nil {
		t.Fatal(err)
	}
	res, err := second.Run(context.Background(), set)
	if err != nil {
		t.Fatal(err)
	}
	if res.Resumed != 2 {
		t.Errorf("resumed from epoch %d, want 2", res.Resumed)
	}
	sameParams(t, straight, second, 1e-5)
	d1, d2 := straight.Dynamics, second.Dynamics
	if d1.Epochs != 4 || d2.Epochs != 4 {
		t.Fatalf("dynamics epochs %d and %d, want 4", d1.Epochs, d2.Epochs)
	}
	for e := 0; e < 4; e++ {
		for i := range d1.IDs {
			if d1.Correct[e][i] != d2.Correct[e][i] || math.Abs(float64(d1.Loss[e][i]-d2.Loss[e][i])) > 1e-4 {
				t.Fatalf("dynamics differ at epoch %d example %d", e, i)
			}
		}
	}
	// Another architecture on the same folder is refused.
	other := quickConfig(dir)
	other.Model = "mlp"
	tr, err := New(b, other, set, aug)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Run(context.Background(), set); err == nil || !strings.Contains(err.Error(), "another model") {
		t.Errorf("checkpoint of another architecture: %v", err)
	}
	// LoadModel restores the trained network for prediction.
	net, _ := models.New("cnn-w8", models.Options{Classes: 4, Channels: 3})
	m := NewModel(b, net, 99)
	if err := LoadModel(m, dir); err != nil {
		t.Fatal(err)
	}
	if err := m.RecomputeBatchNorm(set, aug, 32, 5); err != nil {
		t.Fatal(err)
	}
	if err := second.Model.RecomputeBatchNorm(set, aug, 32, 5); err != nil {
		t.Fatal(err)
	}
	o1, err := m.Predict(set.DS, set.Idx[:10], aug, 8, nil)
	if err != nil {
		t.Fatal(err)
	}
	o2, _ := second.Model.Predict(set.DS, set.Idx[:10], aug, 8, nil)
	for i := range o1.Logits {
		if math.Abs(float64(o1.Logits[i]-o2.Logits[i])) > 1e-4 {
			t.Fatalf("loaded model logit %d: %g, trained model %g", i, o1.Logits[i], o2.Logits[i])
		}
	}
}

func TestDynamicsRoundTrip(t *testing.T) {
	b := goBackend(t)
	set := data.All(blobs(64, 1, "train"))
	cfg := quickConfig("")
	cfg.Epochs = 2
	tr, res := trainedOn(t, b, cfg, set)
	d := tr.Dynamics
	acc := 0.0
	for i := range d.IDs {
		if d.Correct[1][i] < 0 {
			t.Fatalf("example %d not recorded in epoch 2", i)
		}
		acc += float64(d.Correct[1][i])
		p := d.Probs[1][i*4 : (i+1)*4]
		sum := float64(p[0] + p[1] + p[2] + p[3])
		if math.Abs(sum-1) > 1e-5 {
			t.Fatalf("probabilities of example %d sum to %g", i, sum)
		}
		// The recorded loss is -log p(label).
		if l := -math.Log(float64(p[d.Labels[i]])); math.Abs(l-float64(d.Loss[1][i])) > 1e-4*math.Max(1, l) {
			t.Fatalf("example %d: loss %g but -log p = %g", i, d.Loss[1][i], l)
		}
		if (d.Margin[1][i] > 0) != (d.Correct[1][i] == 1) {
			t.Fatalf("example %d: margin %g but correct %d", i, d.Margin[1][i], d.Correct[1][i])
		}
	}
	if math.Abs(acc/float64(len(d.IDs))-res.LastAccuracy) > 1e-9 {
		t.Errorf("recorded accuracy %g, reported %g", acc/float64(len(d.IDs)), res.LastAccuracy)
	}
	path := filepath.Join(t.TempDir(), "dyn.bin")
	if err := d.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := LoadDynamics(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.Epochs != 2 || back.IDs[5] != d.IDs[5] || back.Loss[1][7] != d.Loss[1][7] || back.Probs[0][9] != d.Probs[0][9] || back.Correct[1][3] != d.Correct[1][3] {
		t.Error("round trip changed the recording")
	}
	raw, _ := os.ReadFile(path)
	os.WriteFile(path, raw[:len(raw)-10], 0o644)
	if _, err := LoadDynamics(path); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("truncated file: %v", err)
	}
}

// bnProbe is batch norm on the raw input followed by a classifier: its
// population statistics are the per-channel mean and variance of the data.
type bnProbe struct{}

func (bnProbe) Name() string { return "bnprobe" }
func (bnProbe) Forward(b *models.Builder, x *Node) (*Node, *Node) {
	h := Reshape(b.BatchNorm("input", x), x.Shape().Dimensions[0], -1)
	return b.Dense("head", h, 4), h
}

// RecomputeBatchNorm against the per-channel mean and (population) variance
// of the pixels computed directly.
func TestRecomputeBatchNormMatchesDataStatistics(t *testing.T) {
	b := goBackend(t)
	ds := blobs(128, 5, "train")
	m := NewModel(b, bnProbe{}, 1)
	if err := m.RecomputeBatchNorm(data.All(ds), data.Augment{}, 32, 100); err != nil {
		t.Fatal(err)
	}
	mean := tensors.MustCopyFlatData[float32](m.Store.GetVariable("/bnstats/input/mean").MustValue())
	variance := tensors.MustCopyFlatData[float32](m.Store.GetVariable("/bnstats/input/var").MustValue())
	for c := 0; c < 3; c++ {
		var s, s2, n float64
		for p := c; p < len(ds.Images); p += 3 {
			v := float64(ds.Images[p]) / 255
			s += v
			s2 += v * v
			n++
		}
		mu := s / n
		if math.Abs(float64(mean[c])-mu) > 1e-5 || math.Abs(float64(variance[c])-(s2/n-mu*mu)) > 1e-5 {
			t.Errorf("channel %d: mean %g var %g, data %g %g", c, mean[c], variance[c], mu, s2/n-mu*mu)
		}
	}
}

// Throughput of the real training step (model.Exec + SGD) of ResNet-20 at
// batch 128 on the pure-Go backend; see also `prune bench train`.
func BenchmarkResNet20Train(b *testing.B) {
	be := goBackend(b)
	var r BenchResult
	for b.Loop() {
		var err error
		if r, err = Bench(be, "resnet20", models.ConvFor(be), 128, 3, discard{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(r.TrainImgPerSec, "train-img/s")
	b.ReportMetric(r.InferImgPerSec, "infer-img/s")
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
