package plans

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"beyondscaling/lib/profile"
	"beyondscaling/lib/sweep"
)

func TestPlansValidate(t *testing.T) {
	for _, p := range []profile.Name{profile.Smoke, profile.CPU, profile.Paper} {
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
