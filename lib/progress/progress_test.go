package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestLinesCarryRateAndETA(t *testing.T) {
	var buf bytes.Buffer
	b := New("solve", 4, "points").WithWriter(&buf).WithInterval(time.Hour)
	clock := b.start
	b.now = func() time.Time { return clock }
	clock = clock.Add(2 * time.Second)
	b.Add(1) // first line: interval since zero time has passed
	clock = clock.Add(2 * time.Second)
	b.Add(1) // within the interval: no line
	clock = clock.Add(4 * time.Second)
	b.Add(2) // done: final line
	b.Done()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("lines %q", lines)
	}
	if !strings.Contains(lines[0], "1/4 points (25%) 0.5 points/s") || !strings.Contains(lines[0], "ETA 6s") {
		t.Errorf("first line %q", lines[0])
	}
	if !strings.Contains(lines[1], "4/4 points (100%)") || !strings.Contains(lines[1], "ETA 0s") {
		t.Errorf("last line %q", lines[1])
	}
}

// In a notebook, a bar on standard error is one output line updated in
// place (one display id), never lines on standard error; a bar on another
// writer (a log file) still writes lines there.
func TestNotebookBarIsOneUpdatingLine(t *testing.T) {
	type update struct{ id, html string }
	var got []update
	defer func(n bool, u func(string, string), id func() string) { inNotebook, updateHTML, newID = n, u, id }(inNotebook, updateHTML, newID)
	inNotebook = true
	updateHTML = func(id, html string) { got = append(got, update{id, html}) }
	ids := 0
	newID = func() string { ids++; return strings.Repeat("x", ids) }

	b := New("simulate", 4, "points").WithInterval(0)
	for range 4 {
		b.Add(1)
	}
	b.Done()
	if len(got) != 4 {
		t.Fatalf("%d updates, want 4 (one per Add)", len(got))
	}
	for _, u := range got {
		if u.id != got[0].id {
			t.Errorf("updates went to displays %q and %q, want one line", got[0].id, u.id)
		}
	}
	last := got[len(got)-1].html
	if !strings.Contains(last, "[████████████████████]") || !strings.Contains(last, "4/4 points (100%)") {
		t.Errorf("final line %q", last)
	}
	if strings.Contains(got[1].html, "████████████████████") || !strings.Contains(got[1].html, "[██████████··········]") {
		t.Errorf("half-way line %q", got[1].html)
	}

	var buf bytes.Buffer
	got = nil
	New("train", 2, "img").WithWriter(&buf).WithInterval(0).Add(2)
	if len(got) != 0 || !strings.Contains(buf.String(), "2/2 img") {
		t.Errorf("a bar on a log writer: %d notebook updates, log %q", len(got), buf.String())
	}
}
