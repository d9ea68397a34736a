package ssl

import (
	"math"
	"testing"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// ntXentDirect is NT-Xent computed directly from its definition (Chen et
// al. 2020, eq. 1): for each of the 2B views, −log of the softmax over the
// 2B−1 other views of its cosine similarity to its partner, over τ.
func ntXentDirect(z1, z2 [][]float64, tau float64) float64 {
	z := append(append([][]float64(nil), z1...), z2...)
	n, b := len(z), len(z1)
	cos := func(a, c []float64) float64 {
		var ab, aa, cc float64
		for k := range a {
			ab, aa, cc = ab+a[k]*c[k], aa+a[k]*a[k], cc+c[k]*c[k]
		}
		return ab / math.Sqrt(aa*cc)
	}
	total := 0.0
	for i := 0; i < n; i++ {
		partner := (i + b) % n
		var denom float64
		for k := 0; k < n; k++ {
			if k != i {
				denom += math.Exp(cos(z[i], z[k]) / tau)
			}
		}
		total += -math.Log(math.Exp(cos(z[i], z[partner])/tau) / denom)
	}
	return total / float64(n)
}

func TestNTXentMatchesDefinition(t *testing.T) {
	b, err := compute.NewWithConfig("go")
	if err != nil {
		t.Fatal(err)
	}
	z1 := [][]float64{{1, 0, 0.5}, {0.2, 1, -0.3}, {-1, 0.4, 0.1}}
	z2 := [][]float64{{0.9, 0.1, 0.4}, {0.1, 0.8, -0.5}, {0.3, -0.7, 1}}
	flat := func(z [][]float64) *tensors.Tensor {
		var v []float32
		for _, row := range z {
			for _, x := range row {
				v = append(v, float32(x))
			}
		}
		return tensors.FromFlatDataAndDimensions(v, len(z), len(z[0]))
	}
	out, err := ExecOnce(b, func(a, c *Node) *Node { return NTXent(a, c, simclrTau) }, flat(z1), flat(z2))
	if err != nil {
		t.Fatal(err)
	}
	got := float64(tensors.MustCopyFlatData[float32](out)[0])
	// float32 arithmetic in the graph: agreement to 1e-5 relative.
	if want := ntXentDirect(z1, z2, simclrTau); math.Abs(got-want) > 1e-5*want {
		t.Errorf("NT-Xent %v, direct computation %v", got, want)
	}
}
