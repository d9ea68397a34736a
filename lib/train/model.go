package train

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/support/exceptions"

	"beyondscaling/lib/models"
)

// Model is a network bound to a GoMLX model.Store: its parameters are
// variables under /model, its batch-norm population statistics variables
// under /bnstats, and the optimizer's state lives beside them, so one
// checkpoint holds everything.
type Model struct {
	Net     models.Net
	Store   *model.Store
	Backend compute.Backend
	Conv    models.ConvImpl
	// BatchNormOp: training steps compute batch norm as the backend's
	// operation (models.Builder.BatchNormOp).
	BatchNormOp bool
	Seed        uint64 // initialisation seed

	predict *model.Exec     // compiled evaluation graphs, one per batch shape
	noDecay map[string]bool // variable paths whose ParamSpec says no weight decay
}

const (
	paramScope = "/model/"
	statsScope = "/bnstats/"
)

// NewModel binds a network to a fresh store. Parameters are created on
// first use with models.InitParam (deterministic in Seed and name).
func NewModel(backend compute.Backend, net models.Net, seed uint64) *Model {
	return &Model{Net: net, Store: model.NewStore(), Backend: backend, Conv: models.ConvFor(backend), BatchNormOp: models.BatchNormOpFor(backend), Seed: seed}
}

// Builder returns a models.Builder whose parameters are the store's variables.
func (m *Model) Builder(g *Graph, mode models.Mode) *models.Builder {
	return &models.Builder{
		Mode:        mode,
		Conv:        m.Conv,
		BatchNormOp: m.BatchNormOp,
		Param: func(spec models.ParamSpec) *Node {
			path := paramScope + spec.Name
			v := m.Store.GetVariable(path)
			if v == nil {
				var err error
				if v, err = m.Store.CreateVariable(path, models.InitParam(spec, m.Seed)); err != nil {
					panic(err)
				}
			}
			if !slices.Equal(v.Shape().Dimensions, spec.Dims) {
				exceptions.Panicf("parameter %s has shape %v in the store (or checkpoint) but %s needs %v: the checkpoint is from another architecture",
					spec.Name, v.Shape().Dimensions, m.Net.Name(), spec.Dims)
			}
			v.SetTrainable(true)
			if !spec.Decay {
				if m.noDecay == nil {
					m.noDecay = map[string]bool{}
				}
				m.noDecay[v.Path()] = true
			}
			return v.NodeValue(g)
		},
		Stats: func(name string, channels int) (*Node, *Node) {
			mean, variance := m.Store.GetVariable(statsScope+name+"/mean"), m.Store.GetVariable(statsScope+name+"/var")
			if mean == nil || variance == nil {
				exceptions.Panicf("batch norm %q has no population statistics: call RecomputeBatchNorm before evaluating", name)
			}
			mean.SetTrainable(false)
			variance.SetTrainable(false)
			return mean.NodeValue(g), variance.NodeValue(g)
		},
	}
}

// Decays reports whether weight decay applies to a variable, as the
// network's ParamSpec says (for SGD.Decay); it is valid once a graph using
// the variable has been built.
func (m *Model) Decays(v *model.Variable) bool { return !m.noDecay[v.Path()] }

// markStateUntrainable makes every variable outside /model untrainable
// (variables loaded from a checkpoint come back trainable).
func (m *Model) markStateUntrainable() {
	for v := range m.Store.IterVariables() {
		if !strings.HasPrefix(v.Path(), paramScope) {
			v.SetTrainable(false)
		}
	}
}

// NumParams is the number of trainable values (after the first graph was built).
func (m *Model) NumParams() int {
	n := 0
	for v := range m.Store.IterVariables() {
		if v.Trainable {
			n += v.Shape().Size()
		}
	}
	return n
}

func catch(what string, fn func()) error {
	switch e := exceptions.Try(fn).(type) {
	case nil:
		return nil
	case error:
		return fmt.Errorf("%s: %w", what, e)
	default:
		return fmt.Errorf("%s: %v", what, e)
	}
}
