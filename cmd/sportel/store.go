package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"sportel/config"
	"sportel/inquiry"
	"sportel/store"
	"sportel/store/drivers"
	"sportel/store/storecopy"
)

const storeHelp = `Move the store between databases, or set its ticket counter past a number.

Usage: sportel store copy --from sqlite:PATH --to postgres:DSN   (or the reverse)
       sportel store raise-counter [--config FILE] DKP-2026-000140

copy: the source is only read: one from an older Sportel is refused, not
upgraded (run this version's ` + "`sportel run`" + ` on it once first). The target
must be new or empty; the copy runs in one transaction on it and is
verified by counting every table on both sides.

raise-counter: after a restore from a backup, the numbers given since the
backup must not be given again: the next ticket of that year gets the
number after the one named, or after the counter if it is already past
it (never lowered). Safe while ` + "`sportel run`" + ` runs.`

func cmdStore(ctx context.Context, args []string, e *env) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(e.stderr, storeHelp)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	if args[0] == "raise-counter" {
		return storeRaiseCounter(ctx, args[1:], e)
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

// storeRaiseCounter sets the configured store's ticket counter for a
// number's year at least to that number.
func storeRaiseCounter(ctx context.Context, args []string, e *env) int {
	fs := newFlags("store raise-counter", "Set the ticket counter past a number given before a restore, so it is not given again.", "NUMBER", e)
	cfgPath := fs.String("config", "sportel.yaml", "configuration file: its store and ticket prefix (its secrets are not needed)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	cfg, ok := mustLoadConfigWith(*cfgPath, e, config.ParseOptions{SecretsOptional: true})
	if !ok {
		return 1
	}
	prefix := cfg.Tickets.Prefix
	year, seq, ok := parseTicketNumber(prefix, fs.Arg(0))
	if !ok {
		fmt.Fprintf(e.stderr, "sportel store raise-counter: %q is not a ticket number of this store: want %s-YEAR-NUMBER, e.g. %s\n",
			fs.Arg(0), prefix, inquiry.FormatNumber(prefix, time.Now().Year(), 140))
		return 2
	}
	number := inquiry.FormatNumber(prefix, year, seq)
	opts := drivers.Options{Driver: cfg.Store.Driver, DSN: cfg.Store.DSN, Synchronous: cfg.Store.Synchronous}
	if err := mustExist(opts); err != nil {
		fmt.Fprintf(e.stderr, "sportel store raise-counter: %v\n", err)
		return 1
	}
	st, err := drivers.Open(ctx, opts)
	if err != nil {
		fmt.Fprintf(e.stderr, "sportel store raise-counter: %v\n", err)
		return 1
	}
	defer st.Close()
	var last int
	if err := st.WithTx(ctx, func(tx store.Tx) (err error) {
		last, err = tx.RaiseSequence(prefix, year, seq)
		return err
	}); err != nil {
		fmt.Fprintf(e.stderr, "sportel store raise-counter: %v\n", err)
		return 1
	}
	if last > seq {
		fmt.Fprintf(e.stdout, "the counter of %s-%04d was already past %s: it stands at %d, the next ticket is %s\n",
			prefix, year, number, last, inquiry.FormatNumber(prefix, year, last+1))
		return 0
	}
	fmt.Fprintf(e.stdout, "the counter of %s-%04d stands at %d: the next ticket is %s\n",
		prefix, year, last, inquiry.FormatNumber(prefix, year, last+1))
	return 0
}

// parseTicketNumber reads a whole ticket number with the given prefix
// (case ignored, the sequence with or without its leading zeros).
func parseTicketNumber(prefix, s string) (year, seq int, ok bool) {
	digits := func(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }
	parts := strings.Split(strings.TrimSpace(s), "-")
	if len(parts) != 3 || !strings.EqualFold(parts[0], prefix) || len(parts[1]) != 4 || !digits(parts[1]) ||
		len(parts[2]) > 9 || !digits(parts[2]) {
		return 0, 0, false
	}
	year, _ = strconv.Atoi(parts[1])
	seq, _ = strconv.Atoi(parts[2])
	return year, seq, year > 0 && seq > 0
}
