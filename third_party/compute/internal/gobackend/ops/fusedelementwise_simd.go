//go:build goexperiment.simd

package ops

import "simd"

// fusedKernels are the fused chains, by signature (chainBuilder.signature):
// the element-wise steps of the optimizers in lib/train and of batch norm in
// lib/models. Each loop does
// per element what the unfused nodes do, in the same order, with the same
// vector operations (the last, partial vector too), so it rounds as they do.
var fusedKernels = map[string]fusedKernel{
	// a + b·c: L2 weight decay added to a gradient (momentum SGD, Adam).
	"Mul(in1,in2) Add(in0,t0) FFS": fusedAddScaled,
	// a·c + b: momentum SGD's velocity.
	"Mul(in0,in1) Add(t0,in2) FSF": fusedScaledAdd,
	// a - (b + d·c₁)·c₂: momentum SGD's Nesterov step.
	"Mul(in2,in3) Add(in1,t0) Mul(t1,in4) Sub(in0,t2) FFFSS": fusedNesterovStep,
	// a - b·c: momentum SGD's plain step.
	"Mul(in1,in2) Sub(in0,t0) FFS": fusedSubScaled,
	// a·c₁ + (b + d·c₂): momentum SGD's velocity with the decay added to
	// the gradient in the same chain (no Nesterov step reads the sum).
	"Mul(in0,in1) Mul(in3,in4) Add(in2,t1) Add(t0,t2) FSFFS": fusedDecayedVelocity,
	// a - (b + a·c₁)·c₂: SGD without momentum, with weight decay.
	"Mul(in0,in2) Add(in1,t0) Mul(t1,in3) Sub(in0,t2) FFSS": fusedDecayedStep,
	// a·c₁ + b·c₂: Adam's first moment.
	"Mul(in0,in1) Mul(in2,in3) Add(t0,t1) FSFS": fusedMoment,
	// a·c₁ + (b·b)·c₂: Adam's second moment.
	"Mul(in0,in1) Mul(in2,in2) Mul(t1,in3) Add(t0,t2) FSFS": fusedSquareMoment,
	// a - (b·c₁)/(√d + c₂): Adam's step.
	"Mul(in1,in2) Sqrt(in3) Add(t1,in4) Div(t0,t2) Sub(in0,t3) FFSFS": fusedAdamStep,

	// Batch norm (lib/models.Builder.BatchNorm; p, q, r, s are per channel):
	// x·q + r, the output of a training step from the normalised input
	// (which the scale's gradient reads too, so it is a node of its own).
	"Mul(in0,in1) Add(t0,in2) FCC": fusedScaleShift,
	// x·q + r + y, the same followed by a residual connection's sum.
	"Mul(in0,in1) Add(t0,in2) Add(t1,in3) FCCF": fusedScaleShiftResidual,
	// x/p·q + r, the output from the centred input where no gradient is
	// taken (the statistics' pass of lib/train's RecomputeBatchNorm).
	"Div(in0,in1) Mul(t0,in2) Add(t1,in3) FCCC": fusedNormScaleShift,
	// x/p·q + r + y, the same followed by a residual connection's sum.
	"Div(in0,in1) Mul(t0,in2) Add(t1,in3) Add(t2,in4) FCCCF": fusedNormScaleShiftResidual,
	// (x - s)/p·q + r, evaluation mode's output from stored statistics.
	"Sub(in0,in1) Div(t0,in2) Mul(t1,in3) Add(t2,in4) FCCCC": fusedCentreNormScaleShift,
	// (x - s)/p·q + r + y, the same followed by a residual connection's sum.
	"Sub(in0,in1) Div(t0,in2) Mul(t1,in3) Add(t2,in4) Add(t3,in5) FCCCCF": fusedCentreNormScaleShiftResidual,
	// (x/p + y) + y, in the gradient (p: the deviation).
	"Div(in0,in1) Add(t0,in2) Add(t1,in2) FCF": fusedNormAddTwice,
	// a·(b/p), in the deviation's gradient (p: the variance plus ε).
	"Div(in1,in2) Mul(in0,t0) FFC": fusedMulNorm,
}

func fusedAddScaled(full [][]float32, sc []float32, out []float32, channels int) {
	a, b, c := full[0], full[1], simd.BroadcastFloat32s(sc[2])
	vLen := simd.BroadcastFloat32s(0).Len()
	i := 0
	for ; i+vLen <= len(out); i += vLen {
		simd.LoadFloat32s(a[i:]).Add(simd.LoadFloat32s(b[i:]).Mul(c)).Store(out[i:])
	}
	if i < len(out) {
		va, _ := simd.LoadFloat32sPart(a[i:])
		vb, _ := simd.LoadFloat32sPart(b[i:])
		va.Add(vb.Mul(c)).StorePart(out[i:])
	}
}

func fusedScaledAdd(full [][]float32, sc []float32, out []float32, channels int) {
	a, c, b := full[0], simd.BroadcastFloat32s(sc[1]), full[2]
	vLen := simd.BroadcastFloat32s(0).Len()
	i := 0
	for ; i+vLen <= len(out); i += vLen {
		simd.LoadFloat32s(a[i:]).Mul(c).Add(simd.LoadFloat32s(b[i:])).Store(out[i:])
	}
	if i < len(out) {
		va, _ := simd.LoadFloat32sPart(a[i:])
		vb, _ := simd.LoadFloat32sPart(b[i:])
		va.Mul(c).Add(vb).StorePart(out[i:])
	}
}

func fusedNesterovStep(full [][]float32, sc []float32, out []float32, channels int) {
	a, b, d := full[0], full[1], full[2]
	c1, c2 := simd.BroadcastFloat32s(sc[3]), simd.BroadcastFloat32s(sc[4])
	vLen := simd.BroadcastFloat32s(0).Len()
	i := 0
	for ; i+vLen <= len(out); i += vLen {
		step := simd.LoadFloat32s(b[i:]).Add(simd.LoadFloat32s(d[i:]).Mul(c1)).Mul(c2)
		simd.LoadFloat32s(a[i:]).Sub(step).Store(out[i:])
	}
	if i < len(out) {
		va, _ := simd.LoadFloat32sPart(a[i:])
		vb, _ := simd.LoadFloat32sPart(b[i:])
		vd, _ := simd.LoadFloat32sPart(d[i:])
		va.Sub(vb.Add(vd.Mul(c1)).Mul(c2)).StorePart(out[i:])
	}
}

func fusedSubScaled(full [][]float32, sc []float32, out []float32, channels int) {
	a, b, c := full[0], full[1], simd.BroadcastFloat32s(sc[2])
	vLen := simd.BroadcastFloat32s(0).Len()
	i := 0
	for ; i+vLen <= len(out); i += vLen {
		simd.LoadFloat32s(a[i:]).Sub(simd.LoadFloat32s(b[i:]).Mul(c)).Store(out[i:])
	}
	if i < len(out) {
		va, _ := simd.LoadFloat32sPart(a[i:])
		vb, _ := simd.LoadFloat32sPart(b[i:])
		va.Sub(vb.Mul(c)).StorePart(out[i:])
	}
}

func fusedMoment(full [][]float32, sc []float32, out []float32, channels int) {
	a, b := full[0], full[2]
	c1, c2 := simd.BroadcastFloat32s(sc[1]), simd.BroadcastFloat32s(sc[3])
	vLen := simd.BroadcastFloat32s(0).Len()
	i := 0
	for ; i+vLen <= len(out); i += vLen {
		simd.LoadFloat32s(a[i:]).Mul(c1).Add(simd.LoadFloat32s(b[i:]).Mul(c2)).Store(out[i:])
	}
	if i < len(out) {
		va, _ := simd.LoadFloat32sPart(a[i:])
		vb, _ := simd.LoadFloat32sPart(b[i:])
		va.Mul(c1).Add(vb.Mul(c2)).StorePart(out[i:])
	}
}

func fusedSquareMoment(full [][]float32, sc []float32, out []float32, channels int) {
	a, b := full[0], full[2]
	c1, c2 := simd.BroadcastFloat32s(sc[1]), simd.BroadcastFloat32s(sc[3])
	vLen := simd.BroadcastFloat32s(0).Len()
	i := 0
	for ; i+vLen <= len(out); i += vLen {
		vb := simd.LoadFloat32s(b[i:])
		simd.LoadFloat32s(a[i:]).Mul(c1).Add(vb.Mul(vb).Mul(c2)).Store(out[i:])
	}
	if i < len(out) {
		va, _ := simd.LoadFloat32sPart(a[i:])
		vb, _ := simd.LoadFloat32sPart(b[i:])
		va.Mul(c1).Add(vb.Mul(vb).Mul(c2)).StorePart(out[i:])
	}
}

func fusedAdamStep(full [][]float32, sc []float32, out []float32, channels int) {
	a, b, d := full[0], full[1], full[3]
	c1, c2 := simd.BroadcastFloat32s(sc[2]), simd.BroadcastFloat32s(sc[4])
	vLen := simd.BroadcastFloat32s(0).Len()
	i := 0
	for ; i+vLen <= len(out); i += vLen {
		step := simd.LoadFloat32s(b[i:]).Mul(c1).Div(simd.LoadFloat32s(d[i:]).Sqrt().Add(c2))
		simd.LoadFloat32s(a[i:]).Sub(step).Store(out[i:])
	}
	if i < len(out) {
		va, _ := simd.LoadFloat32sPart(a[i:])
		vb, _ := simd.LoadFloat32sPart(b[i:])
		vd, _ := simd.LoadFloat32sPart(d[i:])
		va.Sub(vb.Mul(c1).Div(vd.Sqrt().Add(c2))).StorePart(out[i:])
	}
}

func fusedDecayedVelocity(full [][]float32, sc []float32, out []float32, channels int) {
	a, b, d := full[0], full[2], full[3]
	c1, c2 := simd.BroadcastFloat32s(sc[1]), simd.BroadcastFloat32s(sc[4])
	vLen := simd.BroadcastFloat32s(0).Len()
	i := 0
	for ; i+vLen <= len(out); i += vLen {
		grad := simd.LoadFloat32s(b[i:]).Add(simd.LoadFloat32s(d[i:]).Mul(c2))
		simd.LoadFloat32s(a[i:]).Mul(c1).Add(grad).Store(out[i:])
	}
	if i < len(out) {
		va, _ := simd.LoadFloat32sPart(a[i:])
		vb, _ := simd.LoadFloat32sPart(b[i:])
		vd, _ := simd.LoadFloat32sPart(d[i:])
		va.Mul(c1).Add(vb.Add(vd.Mul(c2))).StorePart(out[i:])
	}
}

func fusedDecayedStep(full [][]float32, sc []float32, out []float32, channels int) {
	a, b := full[0], full[1]
	c1, c2 := simd.BroadcastFloat32s(sc[2]), simd.BroadcastFloat32s(sc[3])
	vLen := simd.BroadcastFloat32s(0).Len()
	i := 0
	for ; i+vLen <= len(out); i += vLen {
		va := simd.LoadFloat32s(a[i:])
		va.Sub(simd.LoadFloat32s(b[i:]).Add(va.Mul(c1)).Mul(c2)).Store(out[i:])
	}
	if i < len(out) {
		va, _ := simd.LoadFloat32sPart(a[i:])
		vb, _ := simd.LoadFloat32sPart(b[i:])
		va.Sub(vb.Add(va.Mul(c1)).Mul(c2)).StorePart(out[i:])
	}
}

// The per-channel kernels walk the output a row of channels at a time; the
// per-channel operands are the same for every row. A row's last, partial
// vector is loaded and stored within the row.

func fusedScaleShift(v [][]float32, scalars []float32, out []float32, ch int) {
	x, q, r := v[0], v[1], v[2]
	vLen := simd.BroadcastFloat32s(0).Len()
	for row := 0; row < len(out); row += ch {
		c := 0
		for ; c+vLen <= ch; c += vLen {
			simd.LoadFloat32s(x[row+c:]).Mul(simd.LoadFloat32s(q[c:])).Add(simd.LoadFloat32s(r[c:])).Store(out[row+c:])
		}
		if c < ch {
			vx, _ := simd.LoadFloat32sPart(x[row+c : row+ch])
			vq, _ := simd.LoadFloat32sPart(q[c:ch])
			vr, _ := simd.LoadFloat32sPart(r[c:ch])
			vx.Mul(vq).Add(vr).StorePart(out[row+c : row+ch])
		}
	}
}

func fusedScaleShiftResidual(v [][]float32, scalars []float32, out []float32, ch int) {
	x, q, r, y := v[0], v[1], v[2], v[3]
	vLen := simd.BroadcastFloat32s(0).Len()
	for row := 0; row < len(out); row += ch {
		c := 0
		for ; c+vLen <= ch; c += vLen {
			simd.LoadFloat32s(x[row+c:]).Mul(simd.LoadFloat32s(q[c:])).Add(simd.LoadFloat32s(r[c:])).
				Add(simd.LoadFloat32s(y[row+c:])).Store(out[row+c:])
		}
		if c < ch {
			vx, _ := simd.LoadFloat32sPart(x[row+c : row+ch])
			vq, _ := simd.LoadFloat32sPart(q[c:ch])
			vr, _ := simd.LoadFloat32sPart(r[c:ch])
			vy, _ := simd.LoadFloat32sPart(y[row+c : row+ch])
			vx.Mul(vq).Add(vr).Add(vy).StorePart(out[row+c : row+ch])
		}
	}
}

func fusedNormScaleShift(v [][]float32, scalars []float32, out []float32, ch int) {
	x, p, q, r := v[0], v[1], v[2], v[3]
	vLen := simd.BroadcastFloat32s(0).Len()
	for row := 0; row < len(out); row += ch {
		c := 0
		for ; c+vLen <= ch; c += vLen {
			simd.LoadFloat32s(x[row+c:]).Div(simd.LoadFloat32s(p[c:])).Mul(simd.LoadFloat32s(q[c:])).
				Add(simd.LoadFloat32s(r[c:])).Store(out[row+c:])
		}
		if c < ch {
			vx, _ := simd.LoadFloat32sPart(x[row+c : row+ch])
			vp, _ := simd.LoadFloat32sPart(p[c:ch])
			vq, _ := simd.LoadFloat32sPart(q[c:ch])
			vr, _ := simd.LoadFloat32sPart(r[c:ch])
			vx.Div(vp).Mul(vq).Add(vr).StorePart(out[row+c : row+ch])
		}
	}
}

func fusedNormScaleShiftResidual(v [][]float32, scalars []float32, out []float32, ch int) {
	x, p, q, r, y := v[0], v[1], v[2], v[3], v[4]
	vLen := simd.BroadcastFloat32s(0).Len()
	for row := 0; row < len(out); row += ch {
		c := 0
		for ; c+vLen <= ch; c += vLen {
			simd.LoadFloat32s(x[row+c:]).Div(simd.LoadFloat32s(p[c:])).Mul(simd.LoadFloat32s(q[c:])).
				Add(simd.LoadFloat32s(r[c:])).Add(simd.LoadFloat32s(y[row+c:])).Store(out[row+c:])
		}
		if c < ch {
			vx, _ := simd.LoadFloat32sPart(x[row+c : row+ch])
			vp, _ := simd.LoadFloat32sPart(p[c:ch])
			vq, _ := simd.LoadFloat32sPart(q[c:ch])
			vr, _ := simd.LoadFloat32sPart(r[c:ch])
			vy, _ := simd.LoadFloat32sPart(y[row+c : row+ch])
			vx.Div(vp).Mul(vq).Add(vr).Add(vy).StorePart(out[row+c : row+ch])
		}
	}
}

func fusedCentreNormScaleShift(v [][]float32, scalars []float32, out []float32, ch int) {
	x, s, p, q, r := v[0], v[1], v[2], v[3], v[4]
	vLen := simd.BroadcastFloat32s(0).Len()
	for row := 0; row < len(out); row += ch {
		c := 0
		for ; c+vLen <= ch; c += vLen {
			simd.LoadFloat32s(x[row+c:]).Sub(simd.LoadFloat32s(s[c:])).Div(simd.LoadFloat32s(p[c:])).
				Mul(simd.LoadFloat32s(q[c:])).Add(simd.LoadFloat32s(r[c:])).Store(out[row+c:])
		}
		if c < ch {
			vx, _ := simd.LoadFloat32sPart(x[row+c : row+ch])
			vs, _ := simd.LoadFloat32sPart(s[c:ch])
			vp, _ := simd.LoadFloat32sPart(p[c:ch])
			vq, _ := simd.LoadFloat32sPart(q[c:ch])
			vr, _ := simd.LoadFloat32sPart(r[c:ch])
			vx.Sub(vs).Div(vp).Mul(vq).Add(vr).StorePart(out[row+c : row+ch])
		}
	}
}

func fusedCentreNormScaleShiftResidual(v [][]float32, scalars []float32, out []float32, ch int) {
	x, s, p, q, r, y := v[0], v[1], v[2], v[3], v[4], v[5]
	vLen := simd.BroadcastFloat32s(0).Len()
	for row := 0; row < len(out); row += ch {
		c := 0
		for ; c+vLen <= ch; c += vLen {
			simd.LoadFloat32s(x[row+c:]).Sub(simd.LoadFloat32s(s[c:])).Div(simd.LoadFloat32s(p[c:])).
				Mul(simd.LoadFloat32s(q[c:])).Add(simd.LoadFloat32s(r[c:])).Add(simd.LoadFloat32s(y[row+c:])).Store(out[row+c:])
		}
		if c < ch {
			vx, _ := simd.LoadFloat32sPart(x[row+c : row+ch])
			vs, _ := simd.LoadFloat32sPart(s[c:ch])
			vp, _ := simd.LoadFloat32sPart(p[c:ch])
			vq, _ := simd.LoadFloat32sPart(q[c:ch])
			vr, _ := simd.LoadFloat32sPart(r[c:ch])
			vy, _ := simd.LoadFloat32sPart(y[row+c : row+ch])
			vx.Sub(vs).Div(vp).Mul(vq).Add(vr).Add(vy).StorePart(out[row+c : row+ch])
		}
	}
}

func fusedNormAddTwice(v [][]float32, scalars []float32, out []float32, ch int) {
	x, p, y := v[0], v[1], v[2]
	vLen := simd.BroadcastFloat32s(0).Len()
	for row := 0; row < len(out); row += ch {
		c := 0
		for ; c+vLen <= ch; c += vLen {
			vy := simd.LoadFloat32s(y[row+c:])
			simd.LoadFloat32s(x[row+c:]).Div(simd.LoadFloat32s(p[c:])).Add(vy).Add(vy).Store(out[row+c:])
		}
		if c < ch {
			vx, _ := simd.LoadFloat32sPart(x[row+c : row+ch])
			vp, _ := simd.LoadFloat32sPart(p[c:ch])
			vy, _ := simd.LoadFloat32sPart(y[row+c : row+ch])
			vx.Div(vp).Add(vy).Add(vy).StorePart(out[row+c : row+ch])
		}
	}
}

func fusedMulNorm(v [][]float32, scalars []float32, out []float32, ch int) {
	a, b, p := v[0], v[1], v[2]
	vLen := simd.BroadcastFloat32s(0).Len()
	for row := 0; row < len(out); row += ch {
		c := 0
		for ; c+vLen <= ch; c += vLen {
			simd.LoadFloat32s(a[row+c:]).Mul(simd.LoadFloat32s(b[row+c:]).Div(simd.LoadFloat32s(p[c:]))).Store(out[row+c:])
		}
		if c < ch {
			va, _ := simd.LoadFloat32sPart(a[row+c : row+ch])
			vb, _ := simd.LoadFloat32sPart(b[row+c : row+ch])
			vp, _ := simd.LoadFloat32sPart(p[c:ch])
			va.Mul(vb.Div(vp)).StorePart(out[row+c : row+ch])
		}
	}
}
