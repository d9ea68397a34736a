// Command prune is the project's command-line tool: replica theory and
// simulations of data pruning, notebook execution, and benchmarks. Each
// subcommand is a thin file that parses flags and calls the library.
//
//	prune --help
//	prune theory --theta 10 --keep hard --f 0.3 --alpha-total 20
//	prune simulate --n 200 --seeds 10 --theta 10 --keep hard --f 0.3 --alpha-total 20
//	prune notebooks run
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
)

// command is one subcommand.
type command struct {
	summary string
	run     func(args []string, stdout io.Writer) error
}

// commands is the registry; each subcommand's file adds itself in init.
var commands = map[string]command{}

func register(name, summary string, run func([]string, io.Writer) error) {
	commands[name] = command{summary, run}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "prune: data-pruning research tools (Sorscher et al. 2022, \"Beyond neural scaling laws\")")
	fmt.Fprintln(w, "\nUsage: prune <command> [flags]   (prune <command> --help for its flags)\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nEnvironment: PRUNE_PROFILE=smoke|cpu|paper, PRUNE_FIGURES, PRUNE_DATA, PRUNE_OUT, GOMLX_BACKEND.")
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "prune: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	if err := c.run(args[1:], stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "prune %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

// newFlags makes a flag set that reports errors instead of exiting.
func newFlags(name, usageLine string) *flag.FlagSet {
	fs := flag.NewFlagSet("prune "+name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: prune %s %s\n\nFlags:\n", name, usageLine)
		fs.PrintDefaults()
	}
	return fs
}

// floatList parses "0.1,0.5,1".
func floatList(name, s string) ([]float64, error) {
	var out []float64
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		v, err := strconv.ParseFloat(part, 64)
		if err != nil {
			return nil, fmt.Errorf("--%s: %q is not a number", name, part)
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--%s: no value given", name)
	}
	return out, nil
}
