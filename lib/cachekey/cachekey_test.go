package cachekey

import (
	"slices"
	"testing"
)

type probe struct {
	Model      string `json:"model"`
	EarlyEpoch int    `json:"early_epoch"`
	Recipe     struct {
		Flip bool `json:"flip"`
	} `json:"recipe"`
}

func TestHashFollowsContents(t *testing.T) {
	a := probe{Model: "resnet18", EarlyEpoch: 20}
	b := a
	b.EarlyEpoch++
	if Hash(a) == Hash(b) || Hash(a) != Hash(probe{Model: "resnet18", EarlyEpoch: 20}) {
		t.Error("Hash does not follow the contents")
	}
	if HashStrings([]string{"ab", "c"}) == HashStrings([]string{"a", "bc"}) {
		t.Error("HashStrings joins without a separator")
	}
	if HashStrings([]string{"a", "b"}) == HashStrings([]string{"b", "a"}) {
		t.Error("HashStrings ignores the order")
	}
}

func TestDiff(t *testing.T) {
	a := probe{Model: "resnet18", EarlyEpoch: 20}
	nested := a
	nested.Recipe.Flip = true
	for _, c := range []struct {
		name string
		b    probe
		want []string
	}{
		{"equal", a, nil},
		{"two fields, sorted", probe{Model: "cnn", EarlyEpoch: 7}, []string{"early_epoch", "model"}},
		{"nested", nested, []string{"recipe.flip"}},
	} {
		if got := Diff(a, c.b); !slices.Equal(got, c.want) {
			t.Errorf("%s: Diff = %v, want %v", c.name, got, c.want)
		}
	}
}
