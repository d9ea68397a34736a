package models

import (
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
)

// CrossEntropyPerExample is the softmax cross-entropy of each example [batch]
// against int32 labels, with label smoothing ε: the target puts 1-ε on the
// label and ε spread evenly over all classes (PyTorch's label_smoothing).
func CrossEntropyPerExample(logits, labels *Node, smoothing float64) *Node {
	classes := logits.Shape().Dimensions[1]
	target := OneHot(labels, classes, dtypes.Float32)
	if smoothing != 0 {
		target = AddScalar(MulScalar(target, 1-smoothing), smoothing/float64(classes))
	}
	return Neg(ReduceSum(Mul(target, LogSoftmax(logits, 1)), 1))
}

// CrossEntropy is the mean softmax cross-entropy of logits against int32 labels.
func CrossEntropy(logits, labels *Node) *Node {
	return ReduceAllMean(CrossEntropyPerExample(logits, labels, 0))
}

// ExampleStats are the per-example quantities the training-dynamics recorder
// keeps, computed from logits [batch, classes] and labels [batch].
type ExampleStats struct {
	Loss    *Node // cross-entropy (no smoothing) [batch]
	Correct *Node // argmax == label, as float32 0/1 [batch]
	// Margin is the label's logit minus the largest other logit [batch]
	// (positive iff correct; AUM averages it over epochs).
	Margin *Node
	Probs  *Node // softmax probabilities [batch, classes]
}

// Stats computes ExampleStats. Gradients do not flow through them.
func Stats(logits, labels *Node) ExampleStats {
	logits = StopGradient(logits)
	classes := logits.Shape().Dimensions[1]
	onehot := OneHot(labels, classes, dtypes.Float32)
	own := ReduceSum(Mul(onehot, logits), 1)
	// Push the label's logit far down to take the max over the others.
	others := ReduceMax(Sub(logits, MulScalar(onehot, 1e30)), 1)
	margin := Sub(own, others)
	return ExampleStats{
		Loss:    CrossEntropyPerExample(logits, labels, 0),
		Correct: ConvertDType(GreaterThan(margin, ZerosLike(margin)), dtypes.Float32),
		Margin:  margin,
		Probs:   Softmax(logits, 1),
	}
}
