package train

import (
	"errors"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"beyondscaling/lib/data"
	"beyondscaling/lib/models"
)

// Objective is what a training step minimises when it is not supervised
// classification (which New trains): a self-supervised loss such as
// SimCLR's. Run's loop (schedule, shuffling, divergence checks,
// cancellation, checkpoints, progress) is the same for both.
type Objective interface {
	// Inputs prepares a step's inputs for examples idx of ds at an epoch
	// (augmentation draws depend on it).
	Inputs(ds *data.Dataset, idx []int, epoch int) ([]*tensors.Tensor, error)
	// Loss is the scalar loss of a batch, built on the model in training
	// mode from the inputs.
	Loss(m *Model, in []*Node) *Node
	// FullBatches skips an epoch's smaller last batch (a contrastive loss
	// whose negatives are the rest of the batch needs full batches).
	FullBatches() bool
}

// NewObjective prepares a trainer of net under an objective: Run trains
// it with cfg's optimizer settings and schedule. Cfg.Model only names the
// network in progress lines; dynamics are not recorded.
func NewObjective(backend compute.Backend, cfg Config, net models.Net, obj Objective) (*Trainer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.RecordDynamics {
		return nil, errors.New("training dynamics are recorded for supervised classification only")
	}
	if cfg.DynamicPrune > 0 {
		return nil, errors.New("dynamic pruning needs per-example losses: it applies to supervised classification only")
	}
	t := &Trainer{Cfg: cfg, Model: NewModel(backend, net, cfg.Seed), objective: obj}
	opt, err := cfg.optimizer(t.Model.Decays)
	if err != nil {
		return nil, err
	}
	t.step, err = model.NewExec(backend, t.Model.Store, func(scope *model.Scope, in []*Node) *Node {
		t.Model.Store.SetTraining(in[0].Graph(), true)
		loss := obj.Loss(t.Model, in)
		opt.UpdateGraph(scope, in[0].Graph(), loss)
		return loss
	})
	return t, err
}
