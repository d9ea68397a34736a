package train

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"beyondscaling/lib/atomicfile"
)

// Dynamics records, for every example of a training set and every epoch,
// what the network said when the example was presented in training (the
// forward pass before that step's update, with augmentation): the loss,
// whether it was classified correctly, the margin (the label's logit minus
// the largest other logit) and, optionally, the softmax probabilities. These
// are what forgetting (Toneva et al.), AUM (Pleiss et al.) and the
// training-time variants of EL2N and GraNd need. Values are NaN for an
// example in an epoch where it was not presented.
type Dynamics struct {
	IDs     []string // example IDs, the order of every per-example slice
	Labels  []int32
	Classes int
	Epochs  int         // epochs recorded so far
	Loss    [][]float32 // [epoch][example]
	Margin  [][]float32
	Correct [][]int8 // 1, 0, or -1 when not presented
	// Probs is [epoch][example·Classes]; nil unless WithProbs was set.
	Probs     [][]float32
	WithProbs bool

	index map[string]int
}

// NewDynamics prepares a recorder for the given examples.
func NewDynamics(ids []string, labels []int32, classes int, withProbs bool) *Dynamics {
	d := &Dynamics{IDs: ids, Labels: labels, Classes: classes, WithProbs: withProbs}
	d.buildIndex()
	return d
}

func (d *Dynamics) buildIndex() {
	d.index = make(map[string]int, len(d.IDs))
	for i, id := range d.IDs {
		d.index[id] = i
	}
}

// StartEpoch adds an epoch whose values are all "not presented".
func (d *Dynamics) StartEpoch() {
	n := len(d.IDs)
	nan := float32(math.NaN())
	loss, margin, correct := make([]float32, n), make([]float32, n), make([]int8, n)
	for i := range loss {
		loss[i], margin[i], correct[i] = nan, nan, -1
	}
	d.Loss, d.Margin, d.Correct = append(d.Loss, loss), append(d.Margin, margin), append(d.Correct, correct)
	if d.WithProbs {
		p := make([]float32, n*d.Classes)
		for i := range p {
			p[i] = nan
		}
		d.Probs = append(d.Probs, p)
	}
	d.Epochs++
}

// Record stores the current epoch's values for the examples at positions
// pos (indices into IDs) from one batch's outputs.
func (d *Dynamics) Record(pos []int, loss, margin, correct, probs []float32) {
	e := d.Epochs - 1
	for k, i := range pos {
		d.Loss[e][i], d.Margin[e][i] = loss[k], margin[k]
		d.Correct[e][i] = int8(correct[k])
		if d.WithProbs {
			copy(d.Probs[e][i*d.Classes:(i+1)*d.Classes], probs[k*d.Classes:(k+1)*d.Classes])
		}
	}
}

// Truncate keeps the first n epochs (used when resuming from a checkpoint
// older than the last recorded epoch).
func (d *Dynamics) Truncate(n int) {
	if n >= d.Epochs {
		return
	}
	d.Loss, d.Margin, d.Correct = d.Loss[:n], d.Margin[:n], d.Correct[:n]
	if d.WithProbs {
		d.Probs = d.Probs[:n]
	}
	d.Epochs = n
}

// Position returns the index of an example ID.
func (d *Dynamics) Position(id string) (int, bool) {
	i, ok := d.index[id]
	return i, ok
}

// The file format: the line "beyondscaling dynamics v1\n", a little-endian
// uint32 length and that many bytes of JSON header (IDs, labels, classes,
// epochs, with_probs), then per epoch: loss float32×N, margin float32×N,
// correct int8×N and, with probabilities, float32×N×classes.
const dynamicsMagic = "beyondscaling dynamics v1\n"

type dynamicsHeader struct {
	IDs       []string `json:"ids"`
	Labels    []int32  `json:"labels"`
	Classes   int      `json:"classes"`
	Epochs    int      `json:"epochs"`
	WithProbs bool     `json:"with_probs"`
}

// Save writes the recording atomically.
func (d *Dynamics) Save(path string) error {
	return atomicfile.Write(path, func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		hdr, err := json.Marshal(dynamicsHeader{d.IDs, d.Labels, d.Classes, d.Epochs, d.WithProbs})
		if err != nil {
			return err
		}
		bw.WriteString(dynamicsMagic)
		binary.Write(bw, binary.LittleEndian, uint32(len(hdr)))
		bw.Write(hdr)
		for e := 0; e < d.Epochs; e++ {
			binary.Write(bw, binary.LittleEndian, d.Loss[e])
			binary.Write(bw, binary.LittleEndian, d.Margin[e])
			binary.Write(bw, binary.LittleEndian, d.Correct[e])
			if d.WithProbs {
				binary.Write(bw, binary.LittleEndian, d.Probs[e])
			}
		}
		return bw.Flush()
	})
}

// LoadDynamics reads a file written by Save.
func LoadDynamics(path string) (*Dynamics, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("training dynamics: %w", err)
	}
	defer f.Close()
	r := bufio.NewReader(f)
	bad := func(what string, err error) error {
		return fmt.Errorf("training dynamics %s: %s (%v); the file is not a complete recording: re-run the training that wrote it", path, what, err)
	}
	magic := make([]byte, len(dynamicsMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != dynamicsMagic {
		return nil, bad("wrong magic line", err)
	}
	var n uint32
	if err := binary.Read(r, binary.LittleEndian, &n); err != nil || n > 1<<30 {
		return nil, bad("bad header length", err)
	}
	hb := make([]byte, n)
	if _, err := io.ReadFull(r, hb); err != nil {
		return nil, bad("short header", err)
	}
	var h dynamicsHeader
	if err := json.Unmarshal(hb, &h); err != nil {
		return nil, bad("bad header", err)
	}
	if len(h.Labels) != len(h.IDs) || h.Classes < 1 || h.Epochs < 0 {
		return nil, bad("inconsistent header", errors.New("ids, labels, classes or epochs"))
	}
	d := NewDynamics(h.IDs, h.Labels, h.Classes, h.WithProbs)
	m := len(h.IDs)
	for e := 0; e < h.Epochs; e++ {
		loss, margin, correct := make([]float32, m), make([]float32, m), make([]int8, m)
		if err := binary.Read(r, binary.LittleEndian, loss); err != nil {
			return nil, bad(fmt.Sprintf("epoch %d truncated", e), err)
		}
		if err := binary.Read(r, binary.LittleEndian, margin); err != nil {
			return nil, bad(fmt.Sprintf("epoch %d truncated", e), err)
		}
		if err := binary.Read(r, binary.LittleEndian, correct); err != nil {
			return nil, bad(fmt.Sprintf("epoch %d truncated", e), err)
		}
		d.Loss, d.Margin, d.Correct = append(d.Loss, loss), append(d.Margin, margin), append(d.Correct, correct)
		if h.WithProbs {
			p := make([]float32, m*h.Classes)
			if err := binary.Read(r, binary.LittleEndian, p); err != nil {
				return nil, bad(fmt.Sprintf("epoch %d truncated", e), err)
			}
			d.Probs = append(d.Probs, p)
		}
		d.Epochs++
	}
	if _, err := r.ReadByte(); err != io.EOF {
		return nil, bad("trailing bytes", err)
	}
	return d, nil
}
