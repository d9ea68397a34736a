package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// prune bench train times the MLP, runs the peer (here a stand-in for
// Python that accepts the torch check and prints the peer's summary line, or
// its matrix-product rate when asked for the roofline), and the ratio
// printed is this project's throughput over the peer's; the GFLOP/s are the
// training rate times mlp's 2,407,424 FLOP per image (models.Cost).
func TestBenchTrainSideBySide(t *testing.T) {
	t.Setenv("GOMLX_BACKEND", "go")
	dir := t.TempDir()
	python, peer := filepath.Join(dir, "python"), filepath.Join(dir, "peer.py")
	script := "#!/bin/sh\n[ \"$1\" = -c ] && exit 0\n" +
		"if [ \"$2\" = --sgemm ]; then echo 'PyTorch stand-in, 2 threads, BLAS /stand/in/libopenblas.so.0'; echo 'sgemm 64: 50.0 GFLOP/s'; exit 0; fi\n" +
		"echo 'PyTorch stand-in, 2 threads, 535818 parameters'\necho 'mlp (PyTorch), batch 32: train 100.0 img/s, inference 400.0 img/s'\n"
	if err := os.WriteFile(python, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(peer, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var o, e bytes.Buffer
	if code := run([]string{"bench", "train", "--models", "mlp", "--batch", "32", "--steps", "2", "--rounds", "2", "--sgemm", "64", "--python", python, "--peer", peer}, &o, &e); code != 0 {
		t.Fatalf("exit %d: %s", code, e.String())
	}
	out := o.String()
	if !strings.Contains(out, "535818 parameters") || strings.Count(out, "PyTorch:") != 2 || !strings.Contains(out, "load average") {
		t.Errorf("output lacks the peer's rounds, parameter count or load average:\n%s", out)
	}
	if !strings.Contains(out, "roofline: PyTorch sgemm 64, 2 threads (BLAS /stand/in/libopenblas.so.0): 50.0 GFLOP/s") {
		t.Errorf("output lacks the peer's roofline:\n%s", out)
	}
	row := regexp.MustCompile(`(?m)^mlp\s+2\.407\s+([0-9.]+)\s+([0-9.]+)\s+[0-9]+%\s+100\.0\s+([0-9.]+)\s+([0-9.]+)\s+400\.0\s+([0-9.]+)$`).FindStringSubmatch(out)
	if row == nil {
		t.Fatalf("no summary row for mlp:\n%s", out)
	}
	train, _ := strconv.ParseFloat(row[1], 64)
	if gflops, _ := strconv.ParseFloat(row[2], 64); gflops < train*2.407424e-3-0.06 || gflops > train*2.407424e-3+0.06 {
		t.Errorf("%v GFLOP/s at %v img/s, want %.1f", gflops, train, train*2.407424e-3)
	}
	m := []string{"", row[1], row[3], row[4], row[5]}
	for i, peerRate := range map[int]float64{1: 100, 3: 400} {
		ours, _ := strconv.ParseFloat(m[i], 64)
		ratio, _ := strconv.ParseFloat(m[i+1], 64)
		if want := ours / peerRate; ratio < want-0.006 || ratio > want+0.006 {
			t.Errorf("ratio %v, want %.2f (%v / %v)", ratio, want, ours, peerRate)
		}
	}
}

func TestBenchTrainWithoutPeerSaysWhy(t *testing.T) {
	t.Setenv("GOMLX_BACKEND", "go")
	var o, e bytes.Buffer
	if code := run([]string{"bench", "train", "--models", "mlp", "--batch", "16", "--steps", "1", "--rounds", "1", "--peer", filepath.Join(t.TempDir(), "absent.py")}, &o, &e); code != 0 {
		t.Fatalf("exit %d: %s", code, e.String())
	}
	if !strings.Contains(o.String(), "PyTorch peer not run: ") || !strings.Contains(o.String(), "absent.py not found") {
		t.Errorf("output:\n%s", o.String())
	}
}
