package models

import (
	"fmt"
	"strconv"
	"strings"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/layers/activation"
)

// Net is a classifier defined once over a Builder.
type Net interface {
	// Name is the registry name that New accepts (e.g. "resnet20", "resnet18-w16").
	Name() string
	// Forward returns the logits [batch, classes] and the penultimate
	// features [batch, D] (the embedding used by prototype metrics and GraNd)
	// for images x [batch, height, width, channels].
	Forward(b *Builder, x *Node) (logits, features *Node)
}

// Options are what a network needs to know about its data.
type Options struct {
	Classes  int
	Channels int // input channels (3 for colour, 1 for MNIST-style)
}

// Names lists the networks New knows. Any ResNet accepts a "-wN" suffix that
// sets its first stage's width to N (the others scale with it), e.g.
// resnet18-w16 is ResNet18 at a quarter of its width.
func Names() []string {
	return []string{"mlp", "mlp-256", "cnn", "resnet8", "resnet20", "resnet56", "resnet18", "resnet50"}
}

// New returns a network by name.
func New(name string, o Options) (Net, error) {
	if o.Classes < 2 || o.Channels < 1 {
		return nil, fmt.Errorf("network %q: need at least 2 classes and 1 input channel (got %d, %d)", name, o.Classes, o.Channels)
	}
	base, width := name, 0
	if i := strings.LastIndex(name, "-w"); i > 0 {
		w, err := strconv.Atoi(name[i+2:])
		if err != nil || w < 1 {
			return nil, fmt.Errorf("network %q: width suffix must be -w followed by a positive integer", name)
		}
		base, width = name[:i], w
	}
	switch base {
	case "mlp":
		if width != 0 {
			break
		}
		return MLP{Hidden: []int{512, 256}, Classes: o.Classes, name: name}, nil
	case "mlp-256":
		// One hidden layer of 256: 38% of mlp's multiply-adds, the cpu
		// profile's network for the full Fashion-MNIST set (the abundant-data
		// design, lib/plans/design.go).
		return MLP{Hidden: []int{256}, Classes: o.Classes, name: name}, nil
	case "cnn":
		w := 32
		if width != 0 {
			w = width
		}
		return SmallCNN{Widths: [3]int{w, 2 * w, 4 * w}, Classes: o.Classes, name: name}, nil
	case "resnet8", "resnet20", "resnet56":
		depth, _ := strconv.Atoi(strings.TrimPrefix(base, "resnet"))
		w := 16
		if width != 0 {
			w = width
		}
		return CIFARResNet{Depth: depth, Widths: [3]int{w, 2 * w, 4 * w}, Classes: o.Classes, name: name}, nil
	case "resnet18":
		w := 64
		if width != 0 {
			w = width
		}
		return ResNet{Blocks: []int{2, 2, 2, 2}, Width: w, Classes: o.Classes, CIFARStem: true, name: name}, nil
	case "resnet50":
		w := 64
		if width != 0 {
			w = width
		}
		return ResNet{Blocks: []int{3, 4, 6, 3}, Width: w, Bottleneck: true, Classes: o.Classes, name: name}, nil
	}
	return nil, fmt.Errorf("unknown model %q: use one of %s (ResNets accept a width suffix such as resnet18-w16)", name, strings.Join(Names(), ", "))
}

// MLP flattens the image and applies ReLU hidden layers: the cheapest
// network, for quick runs and tests.
type MLP struct {
	Hidden  []int
	Classes int
	name    string
}

func (m MLP) Name() string {
	if m.name == "" {
		return "mlp"
	}
	return m.name
}

func (m MLP) Forward(b *Builder, x *Node) (*Node, *Node) {
	h := Reshape(x, x.Shape().Dimensions[0], -1)
	for i, w := range m.Hidden {
		h = activation.Relu(b.Dense(fmt.Sprintf("hidden%d", i), h, w))
	}
	return b.Dense("head", h, m.Classes), h
}

// SmallCNN is three 3×3 convolutions with batch norm (the last two with
// stride 2), global average pooling and a linear classifier: a cheap
// convolutional probe.
type SmallCNN struct {
	Widths  [3]int
	Classes int
	name    string
}

func (m SmallCNN) Name() string { return m.name }

func (m SmallCNN) Forward(b *Builder, x *Node) (*Node, *Node) {
	h := x
	for i, w := range m.Widths {
		stride := 2
		if i == 0 {
			stride = 1
		}
		h = activation.Relu(b.ConvBN(fmt.Sprintf("conv%d", i+1), h, 3, w, stride))
	}
	pooled := ReduceMean(h, 1, 2)
	return b.Dense("head", pooled, m.Classes), pooled
}

// CIFARResNet is the CIFAR ResNet of He et al. (2016, sec. 4.2): a 3×3 stem
// convolution to Widths[0] channels, three stages of n basic blocks (two 3×3
// convolutions, each followed by batch norm, ReLU after the sum) at
// Widths[0], Widths[1], Widths[2] channels, stride 2 and a 1×1 projection
// shortcut (with batch norm) where a stage starts, global average pooling and
// a linear classifier. Depth = 6n + 2: ResNet-8, 20, 56.
type CIFARResNet struct {
	Depth   int
	Widths  [3]int
	Classes int
	name    string
}

func (m CIFARResNet) Name() string {
	if m.name == "" {
		return fmt.Sprintf("resnet%d", m.Depth)
	}
	return m.name
}

func (m CIFARResNet) Forward(b *Builder, x *Node) (*Node, *Node) {
	if m.Depth < 8 || (m.Depth-2)%6 != 0 {
		panic(fmt.Sprintf("CIFAR ResNet depth %d is not 6n+2", m.Depth))
	}
	n := (m.Depth - 2) / 6
	h := activation.Relu(b.ConvBN("stem", x, 3, m.Widths[0], 1))
	for s, w := range m.Widths {
		for i := 0; i < n; i++ {
			stride := 1
			if s > 0 && i == 0 {
				stride = 2
			}
			h = basicBlock(b, fmt.Sprintf("stage%d/block%d", s+1, i), h, w, stride)
		}
	}
	pooled := ReduceMean(h, 1, 2)
	return b.Dense("head", pooled, m.Classes), pooled
}

// basicBlock is two 3×3 conv-BN layers with a shortcut that projects (1×1
// conv and BN) when the shape changes.
func basicBlock(b *Builder, name string, h *Node, width, stride int) *Node {
	in := h.Shape().Dimensions[3]
	y := activation.Relu(b.ConvBN(name+"/conv1", h, 3, width, stride))
	y = b.ConvBN(name+"/conv2", y, 3, width, 1)
	short := h
	if in != width || stride != 1 {
		short = b.ConvBN(name+"/shortcut", h, 1, width, stride)
	}
	return activation.Relu(Add(y, short))
}

// bottleneck is ResNet50's block: 1×1 reduce, 3×3 (carrying the stride, as
// in torchvision's ResNet v1.5), 1×1 expand to 4× width, projection shortcut
// where the shape changes.
func bottleneck(b *Builder, name string, h *Node, width, stride int) *Node {
	in := h.Shape().Dimensions[3]
	y := activation.Relu(b.ConvBN(name+"/conv1", h, 1, width, 1))
	y = activation.Relu(b.ConvBN(name+"/conv2", y, 3, width, stride))
	y = b.ConvBN(name+"/conv3", y, 1, 4*width, 1)
	short := h
	if in != 4*width || stride != 1 {
		short = b.ConvBN(name+"/shortcut", h, 1, 4*width, stride)
	}
	return activation.Relu(Add(y, short))
}

// ResNet is the ImageNet-family ResNet of He et al. (2016): four stages at
// Width, 2·Width, 4·Width, 8·Width channels. With CIFARStem (ResNet18 as
// used on CIFAR-10 and SVHN) the stem is one 3×3 convolution and no
// max-pool; otherwise it is a 7×7 stride-2 convolution and a 3×3 stride-2
// max-pool (ResNet50 on ImageNet). Bottleneck selects 3-layer blocks.
type ResNet struct {
	Blocks     []int
	Width      int
	Bottleneck bool
	CIFARStem  bool
	Classes    int
	name       string
}

func (m ResNet) Name() string { return m.name }

func (m ResNet) Forward(b *Builder, x *Node) (*Node, *Node) {
	var h *Node
	if m.CIFARStem {
		h = activation.Relu(b.ConvBN("stem", x, 3, m.Width, 1))
	} else {
		h = activation.Relu(b.ConvBN("stem", x, 7, m.Width, 2))
		h = MaxPool2D(h, 3, 2, b.Conv)
	}
	block := basicBlock
	if m.Bottleneck {
		block = bottleneck
	}
	for s, n := range m.Blocks {
		w := m.Width << s
		for i := 0; i < n; i++ {
			stride := 1
			if s > 0 && i == 0 {
				stride = 2
			}
			h = block(b, fmt.Sprintf("stage%d/block%d", s+1, i), h, w, stride)
		}
	}
	pooled := ReduceMean(h, 1, 2)
	return b.Dense("head", pooled, m.Classes), pooled
}
