//go:build goexperiment.simd

package ops

import "simd"

// fusedKernels are the fused chains, by signature (chainBuilder.signature):
// the element-wise steps of the optimizers in lib/train. Each loop does
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
}

func fusedAddScaled(full [][]float32, sc []float32, out []float32) {
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

func fusedScaledAdd(full [][]float32, sc []float32, out []float32) {
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

func fusedNesterovStep(full [][]float32, sc []float32, out []float32) {
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

func fusedSubScaled(full [][]float32, sc []float32, out []float32) {
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

func fusedMoment(full [][]float32, sc []float32, out []float32) {
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

func fusedSquareMoment(full [][]float32, sc []float32, out []float32) {
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

func fusedAdamStep(full [][]float32, sc []float32, out []float32) {
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

func fusedDecayedVelocity(full [][]float32, sc []float32, out []float32) {
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

func fusedDecayedStep(full [][]float32, sc []float32, out []float32) {
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
