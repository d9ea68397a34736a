package main

import (
	"flag"
	"fmt"

	"beyondscaling/lib/prune"
)

// scoreFileFlags are the flags that say how score files are read (the
// rules are prune.ScoreFileRules), shared by select and correlate.
type scoreFileFlags struct {
	column, idColumn, nan, header *string
	partial                       *bool
}

func addScoreFileFlags(fs *flag.FlagSet) *scoreFileFlags {
	return &scoreFileFlags{
		column:   fs.String("column", "", "score column: a header name, or an index counted from 0 (default: by the rules below)"),
		idColumn: fs.String("id-column", "", "ID column: a header name, or an index counted from 0 (default: by the rules below)"),
		nan:      fs.String("nan", "error", "NaN, Inf or empty scores: error (refuse the file, naming the line) or drop (leave those rows out)"),
		header:   fs.String("header", "auto", "is line 1 a header: auto, yes or no"),
		partial:  fs.Bool("partial", false, "the file scores only part of the dataset (no check against ILSVRC's 1,281,167 images or the sidecar's count)"),
	}
}

func (f *scoreFileFlags) options() (prune.ReadOptions, error) {
	nan, err := prune.ParseNaNPolicy(*f.nan)
	if err != nil {
		return prune.ReadOptions{}, fmt.Errorf("--nan: %w", err)
	}
	h, err := prune.ParseHeaderMode(*f.header)
	if err != nil {
		return prune.ReadOptions{}, fmt.Errorf("--header: %w", err)
	}
	return prune.ReadOptions{Column: *f.column, IDColumn: *f.idColumn, NaN: nan, Header: h, Partial: *f.partial}, nil
}

// withRules makes fs's --help end with the score-file rules.
func withRules(fs *flag.FlagSet) {
	usage := fs.Usage
	fs.Usage = func() {
		usage()
		fmt.Fprintf(fs.Output(), "\n%s\n", prune.ScoreFileRules)
	}
}
