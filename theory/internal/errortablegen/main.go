// Command errortablegen solves the perceptron theory on the grid of
// theory.DefaultTableAxes and writes the gzipped table that package theory
// embeds (go generate ./theory). It takes a few minutes on two cores.
package main

import (
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"os"

	"beyondscaling/lib/atomicfile"
	"beyondscaling/lib/progress"
	"beyondscaling/theory"
)

func main() {
	out := flag.String("out", "errortable.csv.gz", "where to write the table (gzipped text)")
	workers := flag.Int("workers", 0, "goroutines (0: all cores)")
	flag.Parse()
	a := theory.DefaultTableAxes
	bar := progress.New("theory error table", 2*a.FPoints*a.ThetaPoints, "lines")
	last := 0
	t, err := theory.BuildErrorTable(a, *workers, func(done, _ int) { bar.Add(done - last); last = done })
	bar.Done()
	if err != nil {
		fmt.Fprintln(os.Stderr, "errortablegen:", err)
		os.Exit(1)
	}
	err = atomicfile.Write(*out, func(w io.Writer) error {
		// A fixed header (no name, no time) keeps the file reproducible.
		zw := gzip.NewWriter(w)
		if _, err := t.WriteTo(zw); err != nil {
			return err
		}
		return zw.Close()
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "errortablegen:", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %s: %d × %d × %d points for keep hard and keep easy\n", *out, a.AlphaPoints, a.FPoints, a.ThetaPoints)
}
