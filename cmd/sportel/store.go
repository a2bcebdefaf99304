package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"sportel/store/storecopy"
)

const storeHelp = `Move the store between databases.

Usage: sportel store copy --from sqlite:PATH --to postgres:DSN   (or the reverse)

The source is only read: one from an older Sportel is refused, not
upgraded (run this version's ` + "`sportel run`" + ` on it once first). The target
must be new or empty; the copy runs in one transaction on it and is
verified by counting every table on both sides.`

func cmdStore(ctx context.Context, args []string, e *env) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(e.stderr, storeHelp)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	if args[0] != "copy" {
		fmt.Fprintf(e.stderr, "sportel store: unknown subcommand %q\n\n%s\n", args[0], storeHelp)
		return 2
	}
	fs := newFlags("store copy", "Copy every ticket, message, job and setting of one store into a new, empty one.", "--from DRIVER:DSN --to DRIVER:DSN", e)
	fromFlag := fs.String("from", "", "the store to copy: sqlite:PATH or postgres:DSN")
	toFlag := fs.String("to", "", "the new or empty store to fill: sqlite:PATH or postgres:DSN")
	if code, ok := parseFlags(fs, args[1:]); !ok {
		return code
	}
	if *fromFlag == "" || *toFlag == "" || fs.NArg() != 0 {
		fs.Usage()
		return 2
	}
	from, err := storecopy.ParseEndpoint(*fromFlag)
	if err != nil {
		fmt.Fprintf(e.stderr, "sportel store copy: --from %v\n", err)
		return 2
	}
	to, err := storecopy.ParseEndpoint(*toFlag)
	if err != nil {
		fmt.Fprintf(e.stderr, "sportel store copy: --to %v\n", err)
		return 2
	}
	counts, err := storecopy.Copy(ctx, from, to)
	if err != nil {
		fmt.Fprintf(e.stderr, "sportel store copy: %v\n", err)
		return 1
	}
	fmt.Fprintf(e.stdout, "copied %s to %s:\n", from, to)
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	for _, c := range counts {
		fmt.Fprintf(tw, "  %s\t%d rows\n", c.Table, c.Rows)
	}
	tw.Flush()
	fmt.Fprintln(e.stdout, "every table counts the same on both sides")
	return 0
}
