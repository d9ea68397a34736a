package plans

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"beyondscaling/lib/project"
)

func TestMust(t *testing.T) {
	if got := Must(3, nil); got != 3 {
		t.Errorf("Must(3, nil) = %d", got)
	}
	Check(nil)
	for name, step := range map[string]func(){
		"Must":  func() { Must(0, errors.New("boom")) },
		"Check": func() { Check(errors.New("boom")) },
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(r.(error).Error(), "boom") {
					t.Errorf("%s with an error recovered %v, want the error", name, r)
				}
			}()
			step()
		}()
	}
}

func TestIntroSaysProfileAndFolder(t *testing.T) {
	root := t.TempDir()
	t.Setenv(project.EnvRoot, root)
	t.Setenv(project.EnvProfile, "smoke")
	for _, tc := range []struct {
		figures string // PRUNE_FIGURES
		want    []string
	}{
		{"", []string{"profile smoke (from PRUNE_PROFILE)", filepath.Join(root, "out", "figures"), "a working folder", "make reproduce"}},
		{filepath.Join(root, "figures"), []string{"profile smoke", filepath.Join(root, "figures"), "committed gallery, as PRUNE_FIGURES asks"}},
	} {
		t.Setenv(project.EnvFigures, tc.figures)
		var b bytes.Buffer
		if err := Intro(&b); err != nil {
			t.Fatal(err)
		}
		for _, w := range tc.want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("PRUNE_FIGURES=%q: intro %q lacks %q", tc.figures, b.String(), w)
			}
		}
		if Profile() != project.Smoke {
			t.Errorf("Profile() = %q", Profile())
		}
	}
	t.Setenv(project.EnvProfile, "huge")
	if err := Intro(new(bytes.Buffer)); err == nil {
		t.Error("a bad profile passed Intro")
	}
}
