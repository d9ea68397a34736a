package textlog

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
)

// Handler writes records of at least its level as plain lines.
type Handler struct {
	w     io.Writer
	level slog.Leveler
	mu    *sync.Mutex
	attrs []slog.Attr
}

// New returns a logger writing records of level and above to w.
func New(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(&Handler{w: w, level: level, mu: &sync.Mutex{}})
}

// Enabled reports whether records of level l are written.
func (h *Handler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level.Level() }

// Handle writes one record as a line.
func (h *Handler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	switch {
	case r.Level >= slog.LevelError:
		b.WriteString("error: ")
	case r.Level >= slog.LevelWarn:
		b.WriteString("warning: ")
	}
	b.WriteString(r.Message)
	add := func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)
	b.WriteByte('\n')
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := io.WriteString(h.w, b.String())
	return err
}

// WithAttrs returns a handler that adds attrs to every record.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append(append([]slog.Attr(nil), h.attrs...), attrs...)
	return &c
}

// WithGroup returns the handler itself: groups are flattened.
func (h *Handler) WithGroup(string) slog.Handler { return h }

// Writer returns a writer whose lines are logged at level (for packages
// that write progress to an io.Writer), or nil when the logger drops that
// level, so that the caller skips the work. A nil logger drops everything.
func Writer(l *slog.Logger, level slog.Level) io.Writer {
	if l == nil || !l.Enabled(context.Background(), level) {
		return nil
	}
	return &lineWriter{l: l, level: level}
}

type lineWriter struct {
	mu    sync.Mutex
	l     *slog.Logger
	level slog.Level
	buf   []byte
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := strings.TrimRight(string(w.buf[:i]), "\r")
		w.buf = w.buf[i+1:]
		w.l.Log(context.Background(), w.level, line)
	}
}

// OrDiscard returns l, or a logger that drops everything when l is nil.
func OrDiscard(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}
