package plans

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"beyondscaling/lib/project"
	"beyondscaling/lib/sweep"
)

func TestPlansValidate(t *testing.T) {
	for _, p := range []project.Profile{project.Smoke, project.CPU, project.Paper} {
		specs := []sweep.Spec{CIFARScaling(p), SVHNScaling(p, "fashion-mnist")}
		a, b := MetricBenchmark(p, "cifar10")
		specs = append(specs, a, b)
		specs = append(specs, PrototypeSensitivity(p, "cifar10")...)
		for _, s := range specs {
			if err := s.Validate(); err != nil {
				t.Errorf("%s %s: %v", p, s.Name, err)
			}
		}
	}
}

func TestWrite(t *testing.T) {
	plain, balanced := MetricBenchmark("smoke", "cifar10")
	var b bytes.Buffer
	if err := Write(&b, plain, balanced); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want one per sweep", len(lines))
	}
	for i, s := range []sweep.Spec{plain, balanced} {
		if want := fmt.Sprintf("%d runs", len(s.Runs())); !strings.HasSuffix(lines[i], want) || !strings.Contains(lines[i], s.Name) {
			t.Errorf("line %q lacks %q or the sweep's name", lines[i], want)
		}
	}
}

// The headline block at the cpu profile: its runs at the grid's fresh
// seeds are the grid's own runs (same keys), the rest are new; the pilot's
// embedded records are the pilot's specs' runs, every one of them.
func TestHeadlineSharesTheGridsRuns(t *testing.T) {
	grid := SVHNScaling(project.CPU, "fashion-mnist")
	blocks := Headline(project.CPU, "fashion-mnist")
	if len(blocks) != 1 || !grid.ProbesPerSeed || !blocks[0].ProbesPerSeed {
		t.Fatalf("headline %+v, grid probes per seed %v", blocks, grid.ProbesPerSeed)
	}
	if err := blocks[0].Validate(); err != nil {
		t.Fatal(err)
	}
	gridKeys := map[string]bool{}
	for _, r := range grid.Runs() {
		gridKeys[r.Key()] = true
	}
	shared := 0
	for _, r := range blocks[0].Runs() {
		if gridKeys[r.Key()] {
			shared++
		} else if r.Seed <= 203 {
			t.Errorf("%s: a grid seed's run that the grid does not have", r)
		}
	}
	// 3 grid seeds × 2 fractions × (hard, easy, random).
	if shared != 18 {
		t.Errorf("%d runs shared with the grid, want 18", shared)
	}
	if len(Headline(project.Paper, "svhn")) != 0 {
		t.Error("the paper profile has a headline block")
	}
	recs, err := HeadlinePilotRecords()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, s := range HeadlinePilot(project.CPU, "fashion-mnist") {
		for _, r := range s.Runs() {
			want[r.Key()] = true
		}
	}
	if len(recs) != len(want) {
		t.Errorf("%d pilot records, the pilot's specs have %d runs", len(recs), len(want))
	}
	for _, r := range recs {
		if !want[r.Key] || r.Run.Key() != r.Key {
			t.Errorf("pilot record %s (key %s) is not a run of the pilot's specs", r.Run, r.Key)
		}
	}
}
