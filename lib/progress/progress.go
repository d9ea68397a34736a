// Package progress reports the progress of long work as periodic lines
// "label: done/total (pct) rate/s, elapsed, ETA", at most one line per
// interval plus a final line, to a writer (standard error by default), so
// that logs of headless runs show it.
//
// In a GoNB notebook a bar that writes to standard error or standard output
// is instead one line of the cell's output that updates in place, with a
// drawn bar: not a stream of lines, and not on the red background that
// Jupyter gives standard error.
package progress

import (
	"fmt"
	"html"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
)

// The notebook display, replaceable in tests.
var (
	inNotebook = gonbui.IsNotebook
	updateHTML = gonbui.UpdateHTML
	newID      = gonbui.UniqueId
)

// Bar tracks one piece of work. It is safe for concurrent use.
type Bar struct {
	mu       sync.Mutex
	label    string
	unit     string
	total    int
	done     int
	start    time.Time
	last     time.Time
	interval time.Duration
	w        io.Writer
	now      func() time.Time
	display  string // GoNB display id of the updating line, once shown
}

// New starts a bar for total items of unit (e.g. "points", "img").
func New(label string, total int, unit string) *Bar {
	return &Bar{label: label, unit: unit, total: total, start: time.Now(), interval: 2 * time.Second, w: os.Stderr, now: time.Now}
}

// WithWriter sends the lines to w.
func (b *Bar) WithWriter(w io.Writer) *Bar { b.w = w; return b }

// WithInterval sets the minimum time between lines.
func (b *Bar) WithInterval(d time.Duration) *Bar { b.interval = d; return b }

// Add records n more items done and prints a line if the interval has passed.
func (b *Bar) Add(n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done += n
	now := b.now()
	if now.Sub(b.last) >= b.interval || b.done == b.total {
		b.last = now
		b.emit(now)
	}
}

// Done prints the final line.
func (b *Bar) Done() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done != b.total || b.last.IsZero() {
		b.emit(b.now())
	}
}

// emit shows the current state: a line to the writer, or in a notebook an
// update of the bar's one line.
func (b *Bar) emit(now time.Time) {
	if !inNotebook || (b.w != os.Stderr && b.w != os.Stdout) {
		fmt.Fprintln(b.w, b.line(now))
		return
	}
	if b.display == "" {
		b.display = "progress-" + newID()
	}
	updateHTML(b.display, fmt.Sprintf(`<pre style="margin:0">%s %s</pre>`, drawn(b.done, b.total), html.EscapeString(b.line(now))))
}

// drawn is a 20-character bar for done of total.
func drawn(done, total int) string {
	const width = 20
	full := width
	if total > 0 {
		full = min(width, max(0, width*done/total))
	}
	return "[" + strings.Repeat("█", full) + strings.Repeat("·", width-full) + "]"
}

func (b *Bar) line(now time.Time) string {
	el := now.Sub(b.start)
	rate := float64(b.done) / el.Seconds()
	pct := 100 * float64(b.done) / float64(max(1, b.total))
	eta := "?"
	if rate > 0 && b.done <= b.total {
		eta = (time.Duration(float64(b.total-b.done) / rate * float64(time.Second))).Round(time.Second).String()
	}
	return fmt.Sprintf("%s: %d/%d %s (%.0f%%) %.3g %s/s, elapsed %s, ETA %s",
		b.label, b.done, b.total, b.unit, pct, rate, b.unit, el.Round(100*time.Millisecond), eta)
}
