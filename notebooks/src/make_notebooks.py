#!/usr/bin/env python3
"""Writes notebooks 02-06 from the cell texts below (run from notebooks/).

The notebooks stay thin: narrative, parameters and plots; every computation
is in lib/ (tested Go code). Edit here and re-run, or edit the .ipynb files in
Jupyter directly; both are fine.
"""
import json

SETUP = ('!*rm -f go.work && go work init && go work use . "${GONB_DIR}/.." && '
         'go mod edit -require=gonum.org/v1/gonum@v0.17.0 -require=gonum.org/v1/plot@v0.17.0 '
         '-require=github.com/gomlx/gomlx@v0.28.16 -require=github.com/gomlx/compute@v0.1.14\n%goworkfix')

HELPERS = '''
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
'''


def nb(cells, figures):
    out = []
    for kind, text in cells:
        c = {"cell_type": kind, "metadata": {}, "source": text.strip("\n").splitlines(True)}
        if kind == "code":
            c["execution_count"] = None
            c["outputs"] = []
        out.append(c)
    return {"cells": out, "metadata": {
        "kernelspec": {"display_name": "Go (gonb, beyondscaling)", "language": "go", "name": "gonb"},
        "language_info": {"name": "go"}, "beyondscaling": {"figures": figures}},
        "nbformat": 4, "nbformat_minor": 5}


def write(name, cells, figures):
    with open(name, "w") as f:
        json.dump(nb(cells, figures), f, indent=1, ensure_ascii=False)
        f.write("\n")


def scaling_notebook(title, intro, spec_expr, dataset_expr, prefix, label_expr, extra_cells=(), extra_figs=()):
    imports = '''import (
	"context"
	"fmt"
	"os"

	"beyondscaling/lib/data"
	"beyondscaling/lib/paths"
	"beyondscaling/lib/plots"
	"beyondscaling/lib/profile"
	"beyondscaling/lib/scaling"
	"beyondscaling/lib/sweep"
)

var (
	prof    = profile.MustCurrent()
	dataset = DATASET
	label   = LABEL // the dataset as figure titles name it
	spec    = SPEC
	figDir  = paths.MustFigures()
)
'''.replace("DATASET", dataset_expr).replace("SPEC", spec_expr).replace("LABEL", label_expr) + HELPERS
    cells = [
        ("markdown", title + "\n\n" + intro),
        ("code", SETUP),
        ("code", imports + '''
%%
fmt.Printf("sweep %q: %s on %s for %d epochs; initial sizes %v, fractions kept %v, seeds %v, metrics %v (preset %s)\\n",
	spec.Name, spec.Model, spec.Dataset, spec.Epochs, spec.Sizes, spec.Fractions, spec.Seeds, spec.Metrics, spec.Preset)
fmt.Printf("%d runs; finished runs are kept in %s and reused\\n", len(spec.Runs()), must(scaling.StoreDir(string(prof))))
'''),
        ("markdown", "## Run the sweep\n\nResumable: re-running this cell skips every finished run (a killed run restarts from scratch)."),
        ("code", '''%%
recs := must(scaling.RunSweeps(context.Background(), string(prof), []sweep.Spec{spec}, os.Stdout))
fmt.Printf("%d runs finished\\n", len(recs))
'''),
        ("markdown", "## Keep hard minus keep easy (Fig. 1D)\n\nBlue: keeping the hardest examples gives the lower test error; red: keeping the easiest. "
                     "The theory predicts red at small initial sizes and blue at large ones, the boundary moving to larger sizes as fewer examples are kept."),
        ("code", '''%%
ps := scaling.Aggregate(must(scaling.Collect(string(prof), []sweep.Spec{spec})))
fr, sizes, diff := scaling.HardMinusEasy(ps, "el2n-20")
for i, f := range fr {
	for j, n := range sizes {
		fmt.Printf("f = %.1f, n = %5d: error(hard) − error(easy) = %v\\n", f, n, diff[i][j])
	}
}
title := fmt.Sprintf("%s, EL2N: keep hard − keep easy (%s, %s)", label, spec.Model, spec.Preset)
must(0, plots.SaveAndShow(scaling.HardEasyFigure(title, fr, sizes, diff), figDir, "PREFIX-hard-minus-easy"))
'''.replace("PREFIX", prefix)),
        ("markdown", "## Test error against examples trained on (Fig. 3)\n\nSolid: keep hard; dashed: keep easy; grey dots: random pruning; black: no pruning; "
                     "red: the best configuration at each initial size (the envelope over f); dashed grey: the power law fitted to random pruning."),
        ("code", '''%%
ps := scaling.Aggregate(must(scaling.Collect(string(prof), []sweep.Spec{spec})))
curves, random, full := scaling.ScalingCurves(ps, "el2n-20", []string{"hard", "easy"})
law := must(scaling.RandomPowerLaw(random, full))
fmt.Println("random pruning:", law)
title := fmt.Sprintf("%s, EL2N pruning (%s, %d epochs, %s)", label, spec.Model, spec.Epochs, spec.Preset)
must(0, plots.SaveAndShow(scaling.ScalingFigure(title, curves, random, full, scaling.Envelope(ps, "el2n-20"), law), figDir, "PREFIX-scaling-el2n"))
'''.replace("PREFIX", prefix)),
    ] + list(extra_cells) + [
        ("markdown", "## Measured effects\n\nEach claim with its value (the mean over fresh seeds of a paired difference), its 95% interval (which also counts the test set's own sampling error) and a verdict, by the rule written at the head of figures/summary.md. The first seed is the selection seed: it chooses the configurations compared with the power law and is never reported. "
                     "An effect that does not appear at this scale is reported as such: nothing here is tuned to force it."),
        ("code", '''%%
ps := scaling.Aggregate(must(scaling.Collect(string(prof), []sweep.Spec{spec})))
design := scaling.DesignFor(spec.Seeds, must(scaling.TestExamples(spec.Dataset)))
fmt.Printf("selection seed %v: chooses the configurations compared with the power law, never reported; the other seeds are fresh\\n", design.Selection)
effects := scaling.ScalingEffects(ps, "el2n-20", design)
EXTRA
must(0, scaling.WriteEffects(figDir, "PREFIX", effects, os.Stdout))
'''.replace("EXTRA", "effects = append(effects, scaling.ScalingEffects(ps, \"el2n-20@1\", design)...)" if extra_cells else "").replace("PREFIX", prefix)),
    ]
    return cells, [prefix + "-hard-minus-easy", prefix + "-scaling-el2n"] + list(extra_figs)


cells, figs = scaling_notebook(
    "# 02 · CIFAR-10: beating the power law by pruning",
    "Train on a class-balanced random initial set of *n* CIFAR-10 images, pruned to a fraction *f* by EL2N "
    "(keep the hardest or the easiest), and measure test error; random pruning gives the baseline power law.\n\n"
    "| profile | network | epochs | sizes *n* | fractions *f* | seeds | EL2N probes |\n|---|---|---|---|---|---|---|\n"
    "| smoke | MLP, batch 32 | 2 | 300, 600 | 0.5 | 1 | 2 small CNNs, 1 epoch (reduced) |\n"
    "| cpu | small CNN (8/16/32 channels), batch 32 | 12 | 1k, 2k, 4k | 0.4, 0.7 | 2 | 4 small CNNs at epoch 3 of 12 (reduced) |\n"
    "| paper | ResNet18 | 200 | 3k-45k (45k: the full set, 50,000 less the 5,000-image validation split) | 0.2-0.9 | 3 | 20 ResNet18 at epoch 20 |\n\n"
    "The cpu profile is a reduced version of the paper's experiment, sized to run within the main job's hour on 2 cores.",
    "scaling.CIFARScaling(prof)", '"cifar10"', "02-cifar10", '"CIFAR-10"')
write("02-cifar10-scaling.ipynb", cells, figs)

weak_cells = [
    ("markdown", "## A weaker probe (appendix)\n\nEL2N from probes snapshotted after one epoch instead of the usual one: the paper finds that a worse probe brings back power-law scaling."),
    ("code", '''%%
ps := scaling.Aggregate(must(scaling.Collect(string(prof), []sweep.Spec{spec})))
curves, random, full := scaling.ScalingCurves(ps, "el2n-20@1", []string{"hard"})
strong, _, _ := scaling.ScalingCurves(ps, "el2n-20", []string{"hard"})
for i := range strong {
	strong[i].Label = "usual probe: " + strong[i].Label
}
for i := range curves {
	curves[i].Label = "weak probe: " + curves[i].Label
	curves[i].Dashed = true
}
law := must(scaling.RandomPowerLaw(random, full))
title := fmt.Sprintf("%s\\nkeep hard by EL2N: weak probe (dashed) vs usual", label)
must(0, plots.SaveAndShow(scaling.ScalingFigure(title, append(curves, strong...), random, full, scaling.Curve{}, law), figDir, "03-weak-probe"))
'''),
]
cells, figs = scaling_notebook(
    "# 03 · SVHN (or its cpu stand-in): scaling with pruning",
    "The same experiment as notebook 02 on SVHN. SVHN cannot be downloaded on every machine; where it is absent "
    "this notebook uses **Fashion-MNIST in its place, and every figure says so** in its title. "
    "Get SVHN with `prune data fetch svhn` (the official `.mat` files).",
    "scaling.SVHNScaling(prof, dataset)",
    'func() string {\n\t\tif _, err := data.Load("svhn", "test"); err == nil {\n\t\t\treturn "svhn"\n\t\t}\n\t\tfmt.Println("SVHN is not present here: using Fashion-MNIST in its place (prune data fetch svhn to get SVHN)")\n\t\treturn "fashion-mnist"\n\t}()',
    "03", 'map[bool]string{true: "SVHN", false: "Fashion-MNIST (in place of SVHN)"}[dataset == "svhn"]', extra_cells=weak_cells, extra_figs=["03-weak-probe"])
write("03-svhn-scaling.ipynb", cells, figs)

# 04 ImageNet
imagenet_cells = [
    ("markdown", "# 04 · ImageNet\n\nThe paper's ImageNet experiments train ResNet50 for 105 epochs per run (SGD with Nesterov momentum 0.9, "
                 "weight decay 1e-4 not on batch norm, lr 0.1 at batch 256 scaled linearly, ×0.1 at epochs 30, 60, 90 and 100, "
                 "random resized crops and flips; test: resize 256, centre crop 224; top-1 and top-5). That needs the ImageNet "
                 "training set and a GPU: `prune sweep export` writes the job array for a cluster.\n\n"
                 "At the cpu profile this notebook runs the same code on the **downsampled ImageNet** (32×32 or 64×64 npz batches) "
                 "if present; otherwise it states what it skipped and why."),
    ("code", SETUP),
    ("code", '''import (
	"context"
	"fmt"
	"os"

	"beyondscaling/lib/data"
	"beyondscaling/lib/paths"
	"beyondscaling/lib/plots"
	"beyondscaling/lib/profile"
	"beyondscaling/lib/scaling"
	"beyondscaling/lib/sweep"
	"beyondscaling/lib/train"
)

var (
	prof   = profile.MustCurrent()
	figDir = paths.MustFigures()
)
''' + HELPERS + '''
// available returns the ImageNet variant this profile can use, or "".
func available() string {
	candidates := []string{"imagenet32", "imagenet64"}
	if prof == profile.Paper {
		candidates = []string{"imagenet", "imagenet64", "imagenet32"}
	}
	for _, name := range candidates {
		if _, err := data.Load(name, "val"); err == nil {
			return name
		}
		fmt.Printf("%s: not present here (%s)\\n", name, data.HowToGet(name))
	}
	return ""
}

%%
if name := available(); name != "" {
	fmt.Println("will use", name)
} else {
	fmt.Println("No ImageNet variant is present: the scaling sweep below is skipped (nothing is simulated in its place).")
}
'''),
    ("markdown", "## The training recipe\n\nThe learning-rate schedule the ResNet50 runs use (the library's `train.ImageNetSchedule`), over a 105-epoch budget."),
    ("code", '''%%
var epochs, lr []float64
for e := 0; e <= 1050; e++ {
	epochs = append(epochs, float64(e)/10)
	lr = append(lr, 0.1*train.ImageNetSchedule.Factor(e, 1050))
}
fig := &plots.Figure{Title: "ImageNet ResNet50 recipe: learning rate (batch 256)", XLabel: "epoch", YLabel: "learning rate", LogY: true,
	Series: []plots.Series{{Label: "×0.1 at 30, 60, 90, 100", X: epochs, Y: lr, Kind: plots.Line}}}
must(0, plots.SaveAndShow(fig, figDir, "04-imagenet-lr-schedule"))
'''),
    ("markdown", "## Scaling on ImageNet (when present)"),
    ("code", '''%%
name := available()
if name == "" {
	fmt.Println("skipped: no ImageNet data here. Get the downsampled variants (image-net.org, Downsampled ImageNet 32x32/64x64) into the data folder, or run at paper scale on a GPU machine.")
	return
}
spec := scaling.ImageNetScaling(prof, name) // at the paper profile: ResNet50, the paper's ImageNet recipe (lib/settings)
recs := must(scaling.RunSweeps(context.Background(), string(prof), []sweep.Spec{spec}, os.Stdout))
ps := scaling.Aggregate(recs)
curves, random, full := scaling.ScalingCurves(ps, "el2n-20", []string{"hard", "easy"})
law := must(scaling.RandomPowerLaw(random, full))
must(0, plots.SaveAndShow(scaling.ScalingFigure(name+": EL2N pruning", curves, random, full, scaling.Envelope(ps, "el2n-20"), law), figDir, "04-imagenet-scaling"))
must(0, scaling.WriteEffects(figDir, "04-imagenet", scaling.ScalingEffects(ps, "el2n-20", scaling.DesignFor(spec.Seeds, must(scaling.TestExamples(name)))), os.Stdout))
'''),
]
write("04-imagenet-scaling.ipynb", imagenet_cells, ["04-imagenet-lr-schedule"])

bench_imports = '''import (
	"context"
	"fmt"
	"os"
	"sort"

	"beyondscaling/lib/data"
	"beyondscaling/lib/experiment"
	"beyondscaling/lib/metrics"
	"beyondscaling/lib/paths"
	"beyondscaling/lib/plots"
	"beyondscaling/lib/profile"
	"beyondscaling/lib/scaling"
	"beyondscaling/lib/sweep"
)

var (
	prof            = profile.MustCurrent()
	plain, balanced = scaling.MetricBenchmark(prof, "cifar10")
	figDir          = paths.MustFigures()
)
''' + HELPERS

bench_cells = [
    ("markdown", "# 05 · The metric benchmark (Fig. 5)\n\nTen pruning metrics and random pruning on CIFAR-10 (the paper benchmarks them on ImageNet): "
                 "keep the hardest fraction *f* of a class-balanced initial set, train from scratch, measure test accuracy; then the same "
                 "with 50% class balancing. Also: how the metrics' rankings correlate, and how unbalanced their selections are.\n\n"
                 "| profile | network | epochs | *n* | *f* | seeds | probes |\n|---|---|---|---|---|---|---|\n"
                 "| smoke | MLP | 2 | 400 | 0.7 | 1 | smoke preset (reduced) |\n"
                 "| cpu | small CNN, batch 32 | 12 | 2,000 | 0.7 | 2 | cpu preset: 4 EL2N networks, 8 memorization/influence networks on 70% subsets (12 epochs each), SimCLR 10 epochs, k = 20 (reduced) |\n"
                 "| paper | ResNet18 | 200 | 45,000 (the full set: 50,000 less the validation split) | 0.5-0.9 | 3 | 20 EL2N networks, 100 subset networks, SimCLR 200 epochs, k = 100 |"),
    ("code", SETUP),
    ("code", bench_imports + '''
%%
fmt.Printf("%d + %d runs: metrics %v, fractions %v, seeds %v\\n", len(plain.Runs()), len(balanced.Runs()), plain.Metrics, plain.Fractions, plain.Seeds)
'''),
    ("markdown", "## Run (resumable)"),
    ("code", '''%%
recs := must(scaling.RunSweeps(context.Background(), string(prof), []sweep.Spec{plain, balanced}, os.Stdout))
fmt.Printf("%d runs finished\\n", len(recs))
'''),
    ("markdown", "## Test accuracy against fraction kept"),
    ("code", '''%%
ps := scaling.Aggregate(must(scaling.Collect(string(prof), []sweep.Spec{plain, balanced})))
n := plain.Sizes[0]
note := must(scaling.SweepImputationNote(string(prof), plain, n, plain.Seeds, plain.Metrics))
fmt.Println(note)
must(0, plots.SaveAndShow(scaling.BenchmarkFigure(fmt.Sprintf("CIFAR-10 metric benchmark, keep hard (n = %d, %s)\\n%s", n, plain.Preset, note), ps, plain.Metrics, n, 0), figDir, "05-metric-benchmark"))
must(0, plots.SaveAndShow(scaling.BenchmarkFigure(fmt.Sprintf("Class-balanced (r = 0.5), keep hard (n = %d, %s)\\n%s", n, plain.Preset, note), ps, plain.Metrics, n, 0.5), figDir, "05-metric-benchmark-balanced"))
'''),
    ("markdown", "## Rank correlations between metrics\n\nSpearman correlations of the scores on the first seed's initial set."),
    ("code", '''%%
n, seed := plain.Sizes[0], plain.Seeds[0]
sc := must(scaling.Scores(string(prof), plain, n, seed, plain.Metrics))
var names []string
for m := range sc {
	names = append(names, m)
}
sort.Strings(names)
ids := sc[names[0]].IDs
vals := map[string][]float64{}
for _, m := range names {
	vals[m] = must(sc[m].Align(ids))
}
fmt.Printf("%-22s", "")
for _, m := range names {
	fmt.Printf(" %6.6s", m)
}
fmt.Println()
for _, a := range names {
	fmt.Printf("%-22s", a)
	for _, b := range names {
		fmt.Printf(" %6.2f", metrics.Spearman(vals[a], vals[b]))
	}
	fmt.Println()
}
'''),
    ("markdown", "## Class imbalance of what each metric keeps\n\nThe smallest, over classes, of the share of the class that is kept divided by *f*: 1 is perfectly balanced. "
                 "The paper finds that every metric amplifies class imbalance, which 50% class balancing fixes."),
    ("code", '''%%
n, seed := plain.Sizes[0], plain.Seeds[0]
sc := must(scaling.Scores(string(prof), plain, n, seed, plain.Metrics))
ds := must(data.Load(plain.Dataset, "train"))
set := must(experiment.InitialSet(ds, n, seed))
ids := make([]string, len(set.Idx))
labels := make([]int32, len(set.Idx))
for k, i := range set.Idx {
	ids[k], labels[k] = ds.IDs[i], ds.Labels[i]
}
vals := map[string][]float64{}
for m, s := range sc {
	vals[m] = must(s.Align(ids))
}
vals["random"] = metrics.Random(len(ids), seed)
note := must(scaling.SweepImputationNote(string(prof), plain, n, []uint64{seed}, plain.Metrics))
fig := must(scaling.ImbalanceFigure(fmt.Sprintf("Class balance of the kept examples (keep hard, n = %d)\\n%s", n, note), vals, labels, plain.Metrics))
must(0, plots.SaveAndShow(fig, figDir, "05-class-imbalance"))
'''),
    ("markdown", "## Measured effects"),
    ("code", '''%%
ps := scaling.Aggregate(must(scaling.Collect(string(prof), []sweep.Spec{plain, balanced})))
n := plain.Sizes[0]
var fr []float64
for _, f := range plain.Fractions {
	if f < 1 {
		fr = append(fr, f)
	}
}
design := scaling.Design{TestExamples: must(scaling.TestExamples(plain.Dataset))}
effects := scaling.BeatsRandom(ps, plain.Metrics, n, fr, 0, design)
effects = append(effects, scaling.BeatsRandom(ps, plain.Metrics, n, balanced.Fractions, 0.5, design)...)
must(0, scaling.WriteEffects(figDir, "05-metric-benchmark", effects, os.Stdout))
'''),
]
write("05-metric-benchmark.ipynb", bench_cells, ["05-metric-benchmark", "05-metric-benchmark-balanced", "05-class-imbalance"])

proto_cells = [
    ("markdown", "# 06 · Self-supervised prototypes (Fig. 6)\n\nThe paper's label-free metric: embed every image with a self-supervised encoder "
                 "(here SimCLR trained in GoMLX on the unlabelled training images; bring SwAV features with `prune score --embeddings`), "
                 "cluster with spherical k-means, score each image by its cosine distance to the nearest centroid, keep the far ones. "
                 "Compared with supervised prototypes and memorization; sensitivity to k and to the class-balancing ratio. "
                 "Uses the initial sets, scores and probe networks of notebook 05."),
    ("code", SETUP),
    ("code", '''import (
	"context"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"beyondscaling/lib/metrics"
	"beyondscaling/lib/paths"
	"beyondscaling/lib/plots"
	"beyondscaling/lib/profile"
	"beyondscaling/lib/scaling"
)

var (
	prof   = profile.MustCurrent()
	specs  = scaling.PrototypeSensitivity(prof, "cifar10")
	figDir = paths.MustFigures()
)
''' + HELPERS + '''
%%
for _, s := range specs {
	fmt.Printf("%s: %d runs, metrics %v, f %v, balance %g\\n", s.Name, len(s.Runs()), s.Metrics, s.Fractions, s.Balance)
}
'''),
    ("code", '''%%
recs := must(scaling.RunSweeps(context.Background(), string(prof), specs, os.Stdout))
fmt.Printf("%d runs finished\\n", len(recs))
'''),
    ("markdown", "## Sensitivity to k\n\nTest accuracy after keeping the hardest fraction by self-supervised prototypes with k clusters; horizontal lines: the other metrics at the same fraction."),
    ("code", '''%%
ps := scaling.Aggregate(must(scaling.Collect(string(prof), specs)))
s := specs[0]
n, f := s.Sizes[0], s.Fractions[0]
var ks, acc, sem []float64
ref := map[string]float64{}
for _, p := range ps {
	if p.Size != n || p.Fraction != f || p.Balance != 0 {
		continue
	}
	if strings.HasPrefix(p.Metric, "ssl-prototypes@") {
		k, _ := strconv.Atoi(strings.TrimPrefix(p.Metric, "ssl-prototypes@"))
		ks, acc, sem = append(ks, float64(k)), append(acc, 100*(1-p.Mean)), append(sem, 100*p.SEM)
	} else {
		ref[p.Metric] = 100 * (1 - p.Mean)
	}
}
for i := range sem {
	if math.IsNaN(sem[i]) {
		sem[i] = 0
	}
}
fig := &plots.Figure{Title: fmt.Sprintf("Self-supervised prototypes: sensitivity to k (n = %d, f = %g, %s)", n, f, s.Preset),
	XLabel: "clusters k", YLabel: "test accuracy (top-1, %)", LogX: true, Legend: plots.BottomRight,
	Series: []plots.Series{{Label: "self-supervised prototypes", X: ks, Y: acc, YErr: sem, Kind: plots.LinePoints}}}
for i, m := range []string{"supervised-prototypes", "memorization", "random"} {
	if v, ok := ref[m]; ok && len(ks) > 1 {
		fig.Series = append(fig.Series, plots.Series{Label: m, X: []float64{ks[0], ks[len(ks)-1]}, Y: []float64{v, v}, Kind: plots.Line, Dashed: true, Color: plots.Categorical[i+1]})
	}
}
must(0, plots.SaveAndShow(fig, figDir, "06-prototypes-k"))
'''),
    ("markdown", "## Class-balancing ratio"),
    ("code", '''%%
ps := scaling.Aggregate(must(scaling.Collect(string(prof), specs)))
n, f := specs[0].Sizes[0], specs[0].Fractions[0]
fig := &plots.Figure{Title: fmt.Sprintf("Class balancing ratio r (n = %d, f = %g)", n, f), XLabel: "class-balancing ratio r", YLabel: "test accuracy (top-1, %)", Legend: plots.BottomRight}
for i, m := range []string{"ssl-prototypes", "random"} {
	var rs, acc, sem []float64
	for _, p := range ps {
		if p.Size == n && p.Fraction == f && (p.Metric == m || (m == "ssl-prototypes" && p.Balance == 0 && p.Metric == "ssl-prototypes@"+strconv.Itoa(metrics.PresetFor(prof).Clusters))) {
			rs, acc, sem = append(rs, p.Balance), append(acc, 100*(1-p.Mean)), append(sem, 100*p.SEM)
		}
	}
	for j := range sem {
		if math.IsNaN(sem[j]) {
			sem[j] = 0
		}
	}
	fig.Series = append(fig.Series, plots.Series{Label: m, X: rs, Y: acc, YErr: sem, Kind: plots.LinePoints, Color: plots.Categorical[i]})
}
must(0, plots.SaveAndShow(fig, figDir, "06-prototypes-balance"))
'''),
    ("markdown", "## Measured effects"),
    ("code", '''%%
ps := scaling.Aggregate(must(scaling.Collect(string(prof), specs)))
s := specs[0]
design := scaling.Design{TestExamples: must(scaling.TestExamples(s.Dataset))}
effects := scaling.BeatsRandom(ps, s.Metrics, s.Sizes[0], s.Fractions[:1], 0, design)
for _, b := range specs[1:] {
	effects = append(effects, scaling.BeatsRandom(ps, b.Metrics, b.Sizes[0], b.Fractions, b.Balance, design)...)
}
must(0, scaling.WriteEffects(figDir, "06-prototypes", effects, os.Stdout))
'''),
]
write("06-self-supervised-prototypes.ipynb", proto_cells, ["06-prototypes-k", "06-prototypes-balance"])
