// Package textlog is a plain-text log/slog handler for notebooks and the
// command line: one line per record, the message followed by its key=value
// attributes, warnings and errors prefixed. Levels choose what is shown (a
// notebook shows Info: which probe networks are trained or reused; the
// command line also Debug: per-epoch and progress lines), instead of
// filtering other packages' lines by their text.
package textlog
