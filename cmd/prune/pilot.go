package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"

	"beyondscaling/lib/atomicfile"
	"beyondscaling/lib/plans"
	"beyondscaling/lib/project"
	"beyondscaling/lib/scaling"
	"beyondscaling/lib/sweep"
)

func init() {
	register("pilot", "run the pilot that chose notebook 03's headline recipe and print its report", runPilot)
}

// runPilot runs (or resumes) the headline pilot's sweeps (plans.HeadlinePilot:
// each candidate recipe on the pilot seeds at the full Fashion-MNIST set),
// prints the report notebook 03 shows (scaling.PilotReport) and, with
// --records, writes the records one JSON line each, as lib/plans embeds
// them.
func runPilot(args []string, stdout io.Writer) error {
	fs := newFlags("pilot", "--store DIR [--records FILE]")
	storeDir := fs.String("store", "", "result store folder (resumable)")
	records := fs.String("records", "", "write the pilot's records here, one JSON line each (lib/plans/headline-pilot.jsonl)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *storeDir == "" {
		return fmt.Errorf("--store is required")
	}
	specs := plans.HeadlinePilot(project.CPU, plans.CPUAbundant.Dataset)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := plans.ExecuteIn(ctx, *storeDir, specs, stdout); err != nil {
		return err
	}
	var recs []sweep.Record
	for _, s := range specs {
		done, missing := sweep.Store{Dir: *storeDir}.Collect(s)
		if len(missing) > 0 {
			return fmt.Errorf("sweep %s: %d runs missing", s.Name, len(missing))
		}
		recs = append(recs, done...)
	}
	if _, err := scaling.PilotReport(stdout, recs, "el2n-20", len(plans.CPUAbundant.HeadlineSeeds)); err != nil {
		return err
	}
	if *records == "" {
		return nil
	}
	var buf bytes.Buffer
	for _, rec := range recs {
		line, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		buf.Write(append(line, '\n'))
	}
	return atomicfile.WriteBytes(*records, buf.Bytes())
}
