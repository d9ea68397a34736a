package simulate

import (
	"math/rand/v2"
	"testing"

	"beyondscaling/theory"
)

// BenchmarkMaxMargin solves a large instance at the paper's simulation
// dimension: N = 200, P = 20,000 (α = 100) teacher-student examples (no
// pruning), solved to a certified margin gap of 1e-9.
func BenchmarkMaxMargin(b *testing.B) {
	inst, err := Draw(Config{N: 200, AlphaTotal: 100, F: 1, Keep: theory.KeepRandom}, rand.New(rand.NewPCG(1, 0x5eed)))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := MaxMargin(inst.X, inst.Y, 200, Options{Tol: 1e-9}); err != nil {
			b.Fatal(err)
		}
	}
}
