package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"beyondscaling/theory"
)

// The command prints the library's report for the same query, names both
// questions, and says the numbers are the perceptron model's.
func TestTheoryAdvise(t *testing.T) {
	for _, c := range []struct {
		args []string
		q    theory.AdviceQuery
	}{
		{[]string{"--alpha-total", "100", "--budget", "20"}, theory.AdviceQuery{AlphaTotal: 100, Budget: 20}},
		{[]string{"--alpha-total", "1000", "--theta", "10", "--tolerance", "0.02", "--budget", "20"},
			theory.AdviceQuery{AlphaTotal: 1000, ThetaDeg: 10, Tolerance: 0.02, Budget: 20}},
		{[]string{"--alpha-total", "3"}, theory.AdviceQuery{AlphaTotal: 3}},
	} {
		var out, errb bytes.Buffer
		if code := run(append([]string{"theory", "advise"}, c.args...), &out, &errb); code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, code, errb.String())
		}
		adv, err := theory.Advise(c.q)
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		if err := adv.WriteReport(&want); err != nil {
			t.Fatal(err)
		}
		got := out.String()
		if got != want.String() {
			t.Errorf("%v: output differs from theory.Advise's report for %+v:\n%s\nwant:\n%s", c.args, c.q, got, want.String())
		}
		for _, s := range []string{"perceptron model", "Question 1. With the data you have", "Question 2.", "keep hard", "keep easy", "random"} {
			if !strings.Contains(got, s) {
				t.Errorf("%v: output lacks %q:\n%s", c.args, s, got)
			}
		}
		hard := adv.Curves[0]
		if line := fmt.Sprintf("keep hard: f = %.3g", hard.NoCostF); !strings.Contains(got, line) {
			t.Errorf("%v: output lacks the no-cost line %q:\n%s", c.args, line, got)
		}
		if hasFMin := strings.Contains(got, fmt.Sprintf("f_min(%g°) ≈", c.q.ThetaDeg)); hasFMin != (c.q.ThetaDeg > 0) {
			t.Errorf("%v: f_min printed = %v, want it exactly for θ > 0:\n%s", c.args, hasFMin, got)
		}
		if c.q.Budget > 0 && !strings.Contains(got, fmt.Sprintf("best: %s", "keep "+adv.Budget.Best.Keep.String())) {
			t.Errorf("%v: output lacks the budget's best policy:\n%s", c.args, got)
		}
	}
}

func TestTheoryAdviseBadInput(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{}, "--alpha-total is required"},
		{[]string{"--alpha-total", "10", "--budget", "20"}, "cannot train on more data"},
		{[]string{"--alpha-total", "1000", "--budget", "0.5"}, "below the solver's smallest fraction"},
		{[]string{"--alpha-total", "10", "--theta", "50"}, "must be in [0°, 45°]"},
		{[]string{"--alpha-total", "10", "--tolerance", "0"}, "must be positive"},
		{[]string{"--alpha-total", "ten"}, "invalid value"},
		{[]string{"--alpha-total", "10", "extra"}, "unexpected argument"},
	} {
		var out, errb bytes.Buffer
		code := run(append([]string{"theory", "advise"}, c.args...), &out, &errb)
		if code == 0 || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q; want a failure saying %q", c.args, code, errb.String(), c.want)
		}
	}
}
