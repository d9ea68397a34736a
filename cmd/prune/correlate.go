package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"beyondscaling/lib/atomicfile"
	"beyondscaling/lib/prune"
	"beyondscaling/lib/rank"
)

func init() {
	register("correlate", "Spearman rank correlations between score files (table or CSV)", runCorrelate)
}

// maxTableWidth is the widest table printed with file names as column
// headings; wider tables head their columns with short keys.
const maxTableWidth = 120

func runCorrelate(args []string, stdout io.Writer) error {
	fs := newFlags("correlate", "[--csv] [--out FILE.csv] SCORES.csv SCORES.csv ...")
	asCSV := fs.Bool("csv", false, "print the table as CSV (file names in the header row and first column)")
	out := fs.String("out", "", "also write the table as CSV to this file")
	read := addScoreFileFlags(fs)
	withRules(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	files := fs.Args()
	if len(files) < 2 {
		return fmt.Errorf("give at least two score files")
	}
	opt, err := read.options()
	if err != nil {
		return err
	}
	names := fileNames(files)
	// File 0 fixes the examples and their order; every file is read, put in
	// that order and ranked once, and its text let go, so memory holds file
	// 0's IDs and one rank column per file. With --nan drop the columns are
	// kept (NaN where a file has no score) until the rows scored in every
	// file are known.
	drop := opt.NaN == prune.NaNDrop
	var tab rank.SpearmanTable
	var pos map[string]int32
	var ref *prune.Scores
	n0 := 0 // examples in file 0
	var notes []string
	cols := make([][]float64, len(files))
	unmatched := 0 // IDs of later files not in file 0 (--nan drop only)
	for k, f := range files {
		s, err := prune.ReadScoresWith(f, opt)
		if err != nil {
			return err
		}
		notes = append(notes, fmt.Sprintf("%s: %d rows; %s", names[k], len(s.IDs), s.Layout))
		if k == 0 {
			ref = s
			pos = make(map[string]int32, len(s.IDs))
			for i, id := range s.IDs {
				pos[id] = int32(i)
			}
			if drop {
				cols[0] = s.Values
			} else if err := tab.Add(s.Values); err != nil {
				return fmt.Errorf("%s: %w", f, err)
			}
			n0 = len(s.IDs)
			ref.IDs, ref.Values = nil, nil // pos holds the IDs
			continue
		}
		if s.Layout.Positional != ref.Layout.Positional {
			return fmt.Errorf("%s has IDs and %s has none (row k is example k): correlate files of one kind, or give the ID column with --id-column", files[0], f)
		}
		if !drop && len(s.IDs) != n0 {
			return fmt.Errorf("%s scores %d examples, %s scores %d: are they for the same dataset and split?", f, len(s.IDs), files[0], n0)
		}
		v := make([]float64, n0)
		for i := range v {
			v[i] = math.NaN()
		}
		for i, id := range s.IDs {
			p, ok := pos[id]
			if !ok {
				if drop {
					unmatched++
					continue
				}
				return fmt.Errorf("ID %q of %s is not in %s: are they for the same dataset and split?", id, f, files[0])
			}
			v[p] = s.Values[i] // every ID once in each file, same count: a one-to-one match
		}
		if !drop {
			if err := tab.Add(v); err != nil {
				return fmt.Errorf("%s: %w", f, err)
			}
			continue
		}
		cols[k] = v
	}
	n := n0
	if drop {
		if n, err = addCommonRows(&tab, cols, files, &notes, unmatched); err != nil {
			return err
		}
	}
	m := tab.Matrix()
	if *out != "" {
		if err := atomicfile.Write(*out, func(w io.Writer) error { return writeCorrelationCSV(w, names, m) }); err != nil {
			return err
		}
	}
	if *asCSV {
		return writeCorrelationCSV(stdout, names, m)
	}
	for _, note := range notes {
		fmt.Fprintln(stdout, note)
	}
	fmt.Fprintf(stdout, "\nSpearman rank correlation over %d examples\n", n)
	printCorrelationTable(stdout, names, m)
	if *out != "" {
		fmt.Fprintf(stdout, "table written to %s\n", *out)
	}
	return nil
}

// fileNames names each file by its base name without extension, or by its
// path where two base names are alike.
func fileNames(files []string) []string {
	names := make([]string, len(files))
	count := map[string]int{}
	for i, f := range files {
		names[i] = strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
		count[names[i]]++
	}
	for i, f := range files {
		if count[names[i]] > 1 {
			names[i] = f
		}
	}
	return names
}

func formatRho(r float64) string {
	if math.IsNaN(r) {
		return "n/a"
	}
	return strconv.FormatFloat(r, 'f', 3, 64)
}

// printCorrelationTable prints rows labelled with full file names; columns
// are headed with the names when the table fits maxTableWidth, else with
// the rows' keys [1], [2], ... (the row labels are the legend).
func printCorrelationTable(w io.Writer, names []string, m [][]float64) {
	rowW := 0
	for _, n := range names {
		rowW = max(rowW, len(n))
	}
	cellW := 6
	for _, n := range names {
		cellW = max(cellW, len(n))
	}
	keys := len(names)*(cellW+1)+rowW > maxTableWidth
	heads := names
	if keys {
		cellW = max(6, len(fmt.Sprintf("[%d]", len(names))))
		heads = make([]string, len(names))
		for i := range names {
			heads[i] = fmt.Sprintf("[%d]", i+1)
		}
		rowW += len(heads[len(heads)-1]) + 1
		fmt.Fprintln(w, "(columns are keyed by the row numbers in brackets)")
	}
	fmt.Fprintf(w, "%-*s", rowW, "")
	for _, h := range heads {
		fmt.Fprintf(w, " %*s", cellW, h)
	}
	fmt.Fprintln(w)
	for i, n := range names {
		label := n
		if keys {
			label = fmt.Sprintf("%-*s %s", len(heads[len(heads)-1]), heads[i], n)
		}
		fmt.Fprintf(w, "%-*s", rowW, label)
		for j := range names {
			fmt.Fprintf(w, " %*s", cellW, formatRho(m[i][j]))
		}
		fmt.Fprintln(w)
	}
}

func writeCorrelationCSV(w io.Writer, names []string, m [][]float64) error {
	cw := csv.NewWriter(w)
	cw.Write(append([]string{"file"}, names...))
	for i, n := range names {
		row := []string{n}
		for _, r := range m[i] {
			if math.IsNaN(r) {
				row = append(row, "NaN")
			} else {
				row = append(row, strconv.FormatFloat(r, 'f', 6, 64))
			}
		}
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

// addCommonRows ranks, for --nan drop, the rows scored in every file (cols
// are aligned to file 0, NaN where a file has no score) and returns their
// number; notes gets what was left out.
func addCommonRows(tab *rank.SpearmanTable, cols [][]float64, files []string, notes *[]string, unmatched int) (int, error) {
	keep := make([]bool, len(cols[0]))
	n := 0
	for i := range keep {
		keep[i] = true
		for _, c := range cols {
			if math.IsNaN(c[i]) {
				keep[i] = false
				break
			}
		}
		if keep[i] {
			n++
		}
	}
	if n < len(keep) || unmatched > 0 {
		*notes = append(*notes, fmt.Sprintf("--nan drop: %d examples scored in every file; %d rows of %s and %d rows of the other files left out", n, len(keep)-n, files[0], unmatched))
	}
	for k, c := range cols {
		if n < len(keep) {
			kept := make([]float64, 0, n)
			for i, v := range c {
				if keep[i] {
					kept = append(kept, v)
				}
			}
			c = kept
		}
		if err := tab.Add(c); err != nil {
			return 0, fmt.Errorf("%s: %w", files[k], err)
		}
		cols[k] = nil // its ranks are in tab
	}
	return n, nil
}
