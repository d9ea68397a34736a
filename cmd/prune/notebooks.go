package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"beyondscaling/lib/notebook"
	"beyondscaling/lib/project"
	"beyondscaling/lib/scaling"
)

func init() {
	register("notebooks", "run every notebook headless (run), rewrite the summary of measured results (summary), or install the Jupyter kernel (kernel)", runNotebooks)
}

func runNotebooks(args []string, stdout io.Writer) error {
	if len(args) == 0 || (args[0] != "run" && args[0] != "kernel" && args[0] != "summary") {
		return fmt.Errorf("usage: prune notebooks run [--profile P] [NAME...] | prune notebooks summary | prune notebooks kernel")
	}
	root, err := project.Root()
	if err != nil {
		return err
	}
	ctx := context.Background()
	if args[0] == "kernel" {
		h := &notebook.Harness{Root: root, Log: stdout}
		if err := h.InstallTools(ctx); err != nil {
			return err
		}
		return h.InstallKernel(ctx, false)
	}
	if args[0] == "summary" {
		// The summary again from the notebooks' results files (after a run
		// of some notebooks only, or a change of the summary's layout).
		_, line, err := project.CurrentProfile()
		if err != nil {
			return err
		}
		figs, err := project.Figures()
		if err != nil {
			return err
		}
		if err := scaling.Summarize(figs, line); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "summary of measured results: %s\n", filepath.Join(figs, "summary.md"))
		return nil
	}
	fs := newFlags("notebooks run", "[--profile smoke|cpu|paper] [NAME...]")
	prof := fs.String("profile", "", "profile (default: $PRUNE_PROFILE, else cpu without a GPU, paper with one)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *prof != "" {
		if _, err := project.ParseProfile(*prof); err != nil {
			return err
		}
		os.Setenv(project.EnvProfile, *prof)
	}
	_, line, err := project.CurrentProfile()
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, line)
	out, err := project.Out()
	if err != nil {
		return err
	}
	// A private kernel spec under out/, so the user's Jupyter setup is untouched.
	// Sweep cells at the cpu profile run for many minutes: allow an hour per cell.
	h := &notebook.Harness{Root: root, JupyterDataDir: filepath.Join(out, "jupyter"), Log: stdout, CellTimeout: time.Hour}
	if err := h.InstallTools(ctx); err != nil {
		return err
	}
	if err := h.InstallKernel(ctx, true); err != nil {
		return err
	}
	nbs, err := notebook.Find(root)
	if err != nil {
		return err
	}
	if names := fs.Args(); len(names) > 0 {
		nbs = filterNotebooks(nbs, names)
		if len(nbs) == 0 {
			return fmt.Errorf("no notebook matches %v", names)
		}
	}
	figs, err := project.Figures()
	if err != nil {
		return err
	}
	var failed []string
	t0 := time.Now()
	for i, nb := range nbs {
		fmt.Fprintf(stdout, "[%d/%d] %s ...\n", i+1, len(nbs), filepath.Base(nb))
		rep, err := h.Execute(ctx, nb, filepath.Join(out, "notebooks"))
		if err == nil {
			err = rep.Err()
		}
		if err == nil {
			err = notebook.CheckFigures(figs, rep.Figures)
		}
		if err != nil {
			failed = append(failed, filepath.Base(nb))
			fmt.Fprintf(stdout, "[%d/%d] %s FAILED after %s:\n%v\n", i+1, len(nbs), filepath.Base(nb), rep.Duration.Round(time.Second), err)
			continue
		}
		fmt.Fprintf(stdout, "[%d/%d] %s done in %s: %d figures in %s, executed notebook %s\n", i+1, len(nbs), filepath.Base(nb), rep.Duration.Round(time.Second), len(rep.Figures), figs, rep.Output)
	}
	fmt.Fprintf(stdout, "notebooks: %d run, %d failed, %s in all\n", len(nbs), len(failed), time.Since(t0).Round(time.Second))
	if err := scaling.Summarize(figs, line); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "summary of measured results: %s\n", filepath.Join(figs, "summary.md"))
	if len(failed) > 0 {
		return fmt.Errorf("failed notebooks: %s", strings.Join(failed, ", "))
	}
	return nil
}

func filterNotebooks(nbs, names []string) []string {
	var out []string
	for _, nb := range nbs {
		for _, n := range names {
			if strings.Contains(filepath.Base(nb), n) {
				out = append(out, nb)
				break
			}
		}
	}
	return out
}
