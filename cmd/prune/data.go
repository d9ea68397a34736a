package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"beyondscaling/lib/data"
	"beyondscaling/lib/project"
)

func init() {
	register("data", "datasets: fetch (download or mirror, verified), verify, info", runData)
}

func runData(args []string, stdout io.Writer) error {
	usageLine := "fetch NAME [--mirror DIR_OR_URL] [--dir DIR] | verify NAME [--dir DIR] | info NAME [--dir DIR]"
	if len(args) < 2 {
		return fmt.Errorf("usage: prune data %s\ndatasets: %s", usageLine, strings.Join(data.SourceNames(), ", "))
	}
	verb, name := args[0], args[1]
	fs := newFlags("data "+verb, "NAME [flags]")
	dir := fs.String("dir", "", "dataset cache (default: $PRUNE_DATA, else <repo>/data); verify and info also take the dataset's own folder in it")
	mirror := fs.String("mirror", "", "fetch: a local folder or http(s) address holding the release's files")
	if err := fs.Parse(args[2:]); err != nil {
		return err
	}
	if *dir == "" {
		d, err := project.Data()
		if err != nil {
			return err
		}
		*dir = d
	}
	if verb != "fetch" { // --dir may be the cache or the dataset's own folder
		d, err := data.CacheFor(*dir, name)
		if err != nil {
			return err
		}
		*dir = d
	}
	switch verb {
	case "fetch":
		return data.Fetch(context.Background(), name, *dir, data.FetchOptions{Mirror: *mirror, Log: stdout})
	case "verify", "info":
		return verifyDataset(stdout, *dir, name, verb == "verify")
	}
	return fmt.Errorf("unknown verb %q: usage: prune data %s", verb, usageLine)
}

// verifyDataset checks checksums (where the release publishes them) and
// reads every split, printing counts per class and a verdict.
func verifyDataset(w io.Writer, dir, name string, checksums bool) error {
	problems := 0
	if src, ok := data.Sources[name]; ok && checksums && src.Manual == "" {
		if err := data.VerifyFolder(src, filepath.Join(dir, src.Folder)); err != nil {
			fmt.Fprintf(w, "checksums: FAIL: %v\n", err)
			problems++
		} else if len(src.Contents) > 0 {
			fmt.Fprintf(w, "checksums: OK (%d files match the release)\n", len(src.Contents))
		}
	}
	for _, split := range data.Splits(name) {
		d, err := data.Open(dir, name, split)
		if err != nil {
			fmt.Fprintf(w, "%s/%s: FAIL: %v\n", name, split, err)
			problems++
			continue
		}
		if err := d.Validate(); err != nil {
			fmt.Fprintf(w, "%s/%s: FAIL: %v\n", name, split, err)
			problems++
			continue
		}
		fmt.Fprintf(w, "%s/%s: %d images of %d×%d×%d, %d classes\n", name, split, d.Len(), d.H, d.W, d.C, len(d.Classes))
		counts := d.ClassCounts()
		var parts []string
		for c, n := range counts {
			if len(counts) <= 20 {
				parts = append(parts, fmt.Sprintf("%s %d", d.Classes[c], n))
			}
		}
		if len(parts) > 0 {
			fmt.Fprintf(w, "  per class: %s\n", strings.Join(parts, ", "))
		} else {
			lo, hi := counts[0], counts[0]
			for _, n := range counts {
				lo, hi = min(lo, n), max(hi, n)
			}
			fmt.Fprintf(w, "  per class: %d to %d\n", lo, hi)
		}
	}
	if problems > 0 {
		return fmt.Errorf("%s: %d problem(s); fetch it again with `prune data fetch %s`", name, problems, name)
	}
	fmt.Fprintf(w, "verdict: %s is complete and readable\n", name)
	return nil
}
