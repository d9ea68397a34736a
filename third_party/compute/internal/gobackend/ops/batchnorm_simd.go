//go:build goexperiment.simd

package ops

import "simd"

const batchNormKernelsBuilt = true

// bnBlockRows is how many rows a float32 vector accumulates before its
// lanes are added to the float64 sums: few enough that the float32 sum of
// a block loses little (at most about 64 ulps of the block's magnitude),
// many enough that the conversion costs nothing.
const bnBlockRows = 64

// bnSums adds to out the per-channel sums of kind over the rows of a
// (and b), ch channels each, into out[:ch] and out[ch:]: for sumShifted
// Σ (a - k) and Σ (a - k)², with k (in the argument shift) a value of each
// channel near its mean, so that the variance taken from them does not
// lose its digits to the mean's square; for sumGradient Σ a and
// Σ a·(b - shift), shift the mean, with a taken as 0 where mask (if not
// nil) is not positive.
func bnSums(a, b, mask, shift []float32, ch int, out []float64, kind int) {
	zero := simd.BroadcastFloat32s(0)
	vLen := zero.Len()
	rows := len(a) / ch
	var lanes, lanes2 [64]float32
	// Blocks of rows outside, vectors of channels inside: a block (at
	// most 64 rows of 64 channels, 16 KB) stays in the core's cache while
	// each vector of channels walks it, so a is read from memory once.
	for r0 := 0; r0 < rows; r0 += bnBlockRows {
		r1 := min(r0+bnBlockRows, rows)
		for c := 0; c < ch; c += vLen {
			w := min(vLen, ch-c)
			k, _ := simd.LoadFloat32sPart(shift[c : c+w])
			acc, acc2 := zero, zero
			switch {
			case w == vLen && kind == sumShifted:
				for i := r0*ch + c; i < r1*ch; i += ch {
					d := simd.LoadFloat32s(a[i:]).Sub(k)
					acc = acc.Add(d)
					acc2 = acc2.Add(d.Mul(d))
				}
			case w == vLen && mask == nil: // sumGradient
				for i := r0*ch + c; i < r1*ch; i += ch {
					va := simd.LoadFloat32s(a[i:])
					acc = acc.Add(va)
					acc2 = acc2.Add(va.Mul(simd.LoadFloat32s(b[i:]).Sub(k)))
				}
			case w == vLen: // sumGradient behind a ReLU
				for i := r0*ch + c; i < r1*ch; i += ch {
					va := simd.LoadFloat32s(a[i:]).Masked(simd.LoadFloat32s(mask[i:]).Greater(zero))
					acc = acc.Add(va)
					acc2 = acc2.Add(va.Mul(simd.LoadFloat32s(b[i:]).Sub(k)))
				}
			default: // a partial vector at the end of each row
				for i := r0*ch + c; i < r1*ch; i += ch {
					va, _ := simd.LoadFloat32sPart(a[i : i+w])
					if kind == sumShifted {
						d := va.Sub(k)
						acc = acc.Add(d)
						acc2 = acc2.Add(d.Mul(d))
					} else {
						if mask != nil {
							vm, _ := simd.LoadFloat32sPart(mask[i : i+w])
							va = va.Masked(vm.Greater(zero))
						}
						vb, _ := simd.LoadFloat32sPart(b[i : i+w])
						acc = acc.Add(va)
						acc2 = acc2.Add(va.Mul(vb.Sub(k)))
					}
				}
			}
			acc.StorePart(lanes[:w])
			acc2.StorePart(lanes2[:w])
			for j := range w {
				out[c+j] += float64(lanes[j])
				out[ch+c+j] += float64(lanes2[j])
			}
		}
	}
}

// bnNormalize writes y = (x - mean)·a + offset, per channel, and with relu
// max(0, y).
func bnNormalize(x, mean, a, offset []float32, ch int, y []float32, relu bool) {
	zero := simd.BroadcastFloat32s(0)
	vLen := zero.Len()
	for row := 0; row < len(x); row += ch {
		c := 0
		for ; c+vLen <= ch; c += vLen {
			v := simd.LoadFloat32s(x[row+c:]).Sub(simd.LoadFloat32s(mean[c:])).Mul(simd.LoadFloat32s(a[c:])).
				Add(simd.LoadFloat32s(offset[c:]))
			if relu {
				v = v.Max(zero)
			}
			v.Store(y[row+c:])
		}
		if c < ch {
			vx, _ := simd.LoadFloat32sPart(x[row+c : row+ch])
			vm, _ := simd.LoadFloat32sPart(mean[c:ch])
			va, _ := simd.LoadFloat32sPart(a[c:ch])
			vo, _ := simd.LoadFloat32sPart(offset[c:ch])
			v := vx.Sub(vm).Mul(va).Add(vo)
			if relu {
				v = v.Max(zero)
			}
			v.StorePart(y[row+c : row+ch])
		}
	}
}

// bnGradient writes dx = ((dy - c0) - (x - mean)·k2)·k1, per channel, with
// dy taken as 0 where mask (if not nil) is not positive.
func bnGradient(x, dy, mask, mean, c0, k2, k1 []float32, ch int, dx []float32) {
	zero := simd.BroadcastFloat32s(0)
	vLen := zero.Len()
	for row := 0; row < len(x); row += ch {
		c := 0
		for ; c+vLen <= ch; c += vLen {
			vdy := simd.LoadFloat32s(dy[row+c:])
			if mask != nil {
				vdy = vdy.Masked(simd.LoadFloat32s(mask[row+c:]).Greater(zero))
			}
			centred := simd.LoadFloat32s(x[row+c:]).Sub(simd.LoadFloat32s(mean[c:]))
			vdy.Sub(simd.LoadFloat32s(c0[c:])).Sub(centred.Mul(simd.LoadFloat32s(k2[c:]))).
				Mul(simd.LoadFloat32s(k1[c:])).Store(dx[row+c:])
		}
		if c < ch {
			vx, _ := simd.LoadFloat32sPart(x[row+c : row+ch])
			vdy, _ := simd.LoadFloat32sPart(dy[row+c : row+ch])
			if mask != nil {
				vm, _ := simd.LoadFloat32sPart(mask[row+c : row+ch])
				vdy = vdy.Masked(vm.Greater(zero))
			}
			vm, _ := simd.LoadFloat32sPart(mean[c:ch])
			v0, _ := simd.LoadFloat32sPart(c0[c:ch])
			v2, _ := simd.LoadFloat32sPart(k2[c:ch])
			v1, _ := simd.LoadFloat32sPart(k1[c:ch])
			vdy.Sub(v0).Sub(vx.Sub(vm).Mul(v2)).Mul(v1).StorePart(dx[row+c : row+ch])
		}
	}
}
