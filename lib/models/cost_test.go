package models

import "testing"

// The counts against arithmetic done by hand from the architectures: the
// MLPs' layer products, and ResNet-20's 40,813,184 forward multiply-adds on a
// CIFAR image (the "about 41M" usually quoted for it: stem 32·32·16·27,
// nine 3×3 convolutions per stage at 32², 16² and 8² with widths 16, 32, 64,
// the first of stages 2 and 3 strided from the narrower width, two 1×1
// projection shortcuts and the 64×10 head).
func TestCostMatchesHandCount(t *testing.T) {
	b := goBackend(t)
	defer b.Finalize()
	tests := []struct {
		model         string
		h, w, c       int
		forward       int64
		first, layers int
		training      float64
	}{
		{"mlp-256", 28, 28, 1, 784*256 + 256*10, 784 * 256, 2, 2 * (3*(784*256+256*10) - 784*256)},
		{"mlp", 28, 28, 1, 784*512 + 512*256 + 256*10, 784 * 512, 3, 2 * (3*(784*512+512*256+256*10) - 784*512)},
		{"resnet20", 32, 32, 3, 40_813_184, 32 * 32 * 16 * 27, 22, 2 * (3*40_813_184 - 32*32*16*27)},
	}
	for _, tt := range tests {
		net, err := New(tt.model, Options{Classes: 10, Channels: tt.c})
		if err != nil {
			t.Fatal(err)
		}
		cost, err := CostOf(b, net, tt.h, tt.w, tt.c)
		if err != nil {
			t.Fatalf("%s: %v", tt.model, err)
		}
		if got := cost.ForwardMACs(); got != tt.forward {
			t.Errorf("%s: %d forward multiply-adds, want %d", tt.model, got, tt.forward)
		}
		if len(cost.Layers) != tt.layers || cost.Layers[0].MACs != int64(tt.first) {
			t.Errorf("%s: %d layers, the first %+v; want %d layers, the first %d", tt.model, len(cost.Layers), cost.Layers[0], tt.layers, tt.first)
		}
		if got := cost.TrainingFLOPs(); got != tt.training {
			t.Errorf("%s: %.0f training FLOP, want %.0f", tt.model, got, tt.training)
		}
	}
}
