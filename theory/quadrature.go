package theory

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/integrate/quad"
)

// feature is a sharp layer of an integrand: its centre and width.
type feature struct{ centre, width float64 }

// layerOffsets place breakpoints around a feature, in units of its width.
var layerOffsets = [...]float64{-16, -8, -4, -2, -1, 0, 1, 2, 4, 8, 16}

// maxSegment bounds the length of a quadrature segment so that the Gaussian
// factor φ(z) is always resolved.
const maxSegment = 0.75

// nodeRule holds the Gauss-Legendre rule used on every segment.
type nodeRule struct {
	x, w []float64
}

func newNodeRule(n int) nodeRule {
	r := nodeRule{x: make([]float64, n), w: make([]float64, n)}
	quad.Legendre{}.FixedLocations(r.x, r.w, -1, 1)
	return r
}

// zGrid is a composite quadrature rule over the support of a Density.
type zGrid struct {
	z, w []float64 // nodes and weights, weights include p(z)
}

// buildGrid returns quadrature nodes for ∫ p(z) g(z) dz with breakpoints at
// the support edges, at z = 0 and around each feature. Weights include p(z).
// With halfLine the integrand is taken to be even: only z >= 0 is used and
// the weights are doubled.
func buildGrid(d Density, rule nodeRule, features []feature, halfLine bool, grid *zGrid) {
	grid.z = grid.z[:0]
	grid.w = grid.w[:0]
	var cuts []float64
	scale := 1.0
	if halfLine {
		scale = 2
	}
	for _, s := range d.Segments {
		if halfLine {
			if s[1] <= 0 {
				continue
			}
			s[0] = math.Max(s[0], 0)
		}
		cuts = cuts[:0]
		cuts = append(cuts, s[0], s[1])
		if s[0] < 0 && s[1] > 0 {
			cuts = append(cuts, 0) // kinks and steps of integrands sit at z = 0
		}
		for _, f := range features {
			if !(f.width > 0) || math.IsInf(f.centre, 0) || math.IsNaN(f.centre) {
				continue
			}
			for _, o := range layerOffsets {
				c := f.centre + o*f.width
				if c > s[0] && c < s[1] {
					cuts = append(cuts, c)
				}
			}
		}
		sort.Float64s(cuts)
		for i := 0; i+1 < len(cuts); i++ {
			lo, hi := cuts[i], cuts[i+1]
			if hi-lo < 1e-300 {
				continue
			}
			n := int(math.Ceil((hi - lo) / maxSegment))
			step := (hi - lo) / float64(n)
			for j := 0; j < n; j++ {
				a := lo + float64(j)*step
				b := a + step
				if j == n-1 {
					b = hi
				}
				half, mid := (b-a)/2, (a+b)/2
				for k, x := range rule.x {
					z := mid + half*x
					grid.z = append(grid.z, z)
					grid.w = append(grid.w, scale*half*rule.w[k]*d.PDF(z))
				}
			}
		}
	}
}
