package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"sportel/config"
	"sportel/internal/textsafe"
	"sportel/store"
	"sportel/store/drivers"
)

const webHelp = `sportel web sessions list [--json] --config FILE
sportel web sessions revoke ID... | --officer OFFICER --config FILE
sportel web audit [--limit N] [--json] --config FILE

The web workspace's sessions: list the live ones (officer, since, last used,
client), or end them (by id, or every session of an officer). A revoked
session is refused at its next request. audit prints the workspace's audit
log, newest first (default the last 100 entries). Needs no secrets.`

func cmdWeb(ctx context.Context, args []string, e *env) int {
	if len(args) > 0 && args[0] == "audit" {
		return webAudit(ctx, args[1:], e)
	}
	if len(args) < 2 || args[0] != "sessions" || (args[1] != "list" && args[1] != "revoke") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(e.stdout, webHelp)
			return 0
		}
		fmt.Fprintln(e.stderr, webHelp)
		return 2
	}
	sub := args[1]
	fs := newFlags("web sessions "+sub, webHelp, "", e)
	path := fs.String("config", "sportel.yaml", "configuration file")
	asJSON := fs.Bool("json", false, "list: print JSON")
	officer := fs.String("officer", "", "revoke: every session of this officer")
	if code, ok := parseFlags(fs, args[2:]); !ok {
		return code
	}
	cfg, st, ok := openWebStore(ctx, *path, "sessions "+sub, e)
	if !ok {
		return 1
	}
	defer st.Close()
	now := time.Now()
	switch sub {
	case "list":
		if len(fs.Args()) != 0 {
			fmt.Fprintln(e.stderr, "sportel web sessions list: takes no arguments")
			return 2
		}
		sessions, err := st.ListSessions(ctx, now, cfg.Web.SessionLimits())
		if err != nil {
			fmt.Fprintf(e.stderr, "sportel web sessions list: %v\n", err)
			return 1
		}
		if *asJSON {
			type row struct {
				ID        int64     `json:"id"`
				Officer   string    `json:"officer"`
				Since     time.Time `json:"since"`
				LastSeen  time.Time `json:"last_seen"`
				Client    string    `json:"client"`
				Languages string    `json:"language,omitempty"`
			}
			rows := []row{}
			for _, s := range sessions {
				rows = append(rows, row{s.ID, s.OfficerID, s.CreatedAt, s.LastSeen, s.ClientIP, s.Language})
			}
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			if err := enc.Encode(rows); err != nil {
				fmt.Fprintf(e.stderr, "sportel web sessions list: %v\n", err)
				return 1
			}
			return 0
		}
		loc := cfg.Tickets.Location
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tOFFICER\tSINCE\tLAST USED\tCLIENT")
		for _, s := range sessions {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", s.ID, s.OfficerID, s.CreatedAt.In(loc).Format("2006-01-02 15:04"),
				s.LastSeen.In(loc).Format("2006-01-02 15:04"), s.ClientIP)
		}
		if err := tw.Flush(); err != nil {
			fmt.Fprintf(e.stderr, "sportel web sessions list: %v\n", err)
			return 1
		}
		return 0
	default: // revoke
		pos := fs.Args()
		if (*officer == "") == (len(pos) == 0) {
			fmt.Fprintln(e.stderr, "sportel web sessions revoke: give session ids or --officer OFFICER, not both")
			return 2
		}
		if *officer != "" {
			if _, ok := cfg.Officer(*officer); !ok {
				fmt.Fprintf(e.stderr, "sportel web sessions revoke: unknown officer %q\n", *officer)
				return 2
			}
			n, err := st.RevokeOfficerSessions(ctx, *officer, now)
			if err != nil {
				fmt.Fprintf(e.stderr, "sportel web sessions revoke: %v\n", err)
				return 1
			}
			fmt.Fprintf(e.stdout, "revoked %d sessions of %s\n", n, *officer)
			return 0
		}
		code := 0
		for _, p := range pos {
			id, err := strconv.ParseInt(p, 10, 64)
			if err != nil {
				fmt.Fprintf(e.stderr, "sportel web sessions revoke: %q is not a session id\n", p)
				return 2
			}
			ok, err := st.RevokeSession(ctx, id, now)
			switch {
			case err != nil:
				fmt.Fprintf(e.stderr, "sportel web sessions revoke %d: %v\n", id, err)
				return 1
			case !ok:
				fmt.Fprintf(e.stderr, "sportel web sessions revoke: no live session %d\n", id)
				code = 1
			default:
				fmt.Fprintf(e.stdout, "revoked session %d\n", id)
			}
		}
		return code
	}
}

// openWebStore loads the configuration without its secrets and opens the
// store it names, which must exist.
func openWebStore(ctx context.Context, path, what string, e *env) (*config.Config, store.Store, bool) {
	cfg, ok := mustLoadConfigWith(path, e, config.ParseOptions{SecretsOptional: true})
	if !ok {
		return nil, nil, false
	}
	opts := drivers.Options{Driver: cfg.Store.Driver, DSN: cfg.Store.DSN, Synchronous: cfg.Store.Synchronous}
	if err := mustExist(opts); err != nil {
		fmt.Fprintf(e.stderr, "sportel web %s: %v\n", what, err)
		return nil, nil, false
	}
	st, err := drivers.Open(ctx, opts)
	if err != nil {
		fmt.Fprintf(e.stderr, "sportel web %s: %v\n", what, err)
		return nil, nil, false
	}
	return cfg, st, true
}

func webAudit(ctx context.Context, args []string, e *env) int {
	fs := newFlags("web audit", webHelp, "", e)
	path := fs.String("config", "sportel.yaml", "configuration file")
	asJSON := fs.Bool("json", false, "print JSON")
	limit := fs.Int("limit", 100, "how many entries, newest first (0: all)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if len(fs.Args()) != 0 || *limit < 0 {
		fmt.Fprintln(e.stderr, "sportel web audit: takes no arguments, and --limit of 0 or more")
		return 2
	}
	cfg, st, ok := openWebStore(ctx, *path, "audit", e)
	if !ok {
		return 1
	}
	defer st.Close()
	entries, err := st.Audit(ctx, *limit)
	if err != nil {
		fmt.Fprintf(e.stderr, "sportel web audit: %v\n", err)
		return 1
	}
	if *asJSON {
		type row struct {
			At      time.Time `json:"at"`
			Officer string    `json:"officer"`
			Action  string    `json:"action"`
			Ticket  string    `json:"ticket,omitempty"`
			Detail  string    `json:"detail,omitempty"`
		}
		rows := []row{}
		for _, a := range entries {
			rows = append(rows, row{a.At, a.OfficerID, a.Action, a.Ticket, a.Detail})
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rows); err != nil {
			fmt.Fprintf(e.stderr, "sportel web audit: %v\n", err)
			return 1
		}
		return 0
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tOFFICER\tACTION\tTICKET\tDETAIL")
	for _, a := range entries {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", a.At.In(cfg.Tickets.Location).Format("2006-01-02 15:04:05"), a.OfficerID, a.Action,
			a.Ticket, textsafe.Line(a.Detail))
	}
	// The audit log is kept for ever; its export must not end short with
	// exit 0.
	if err := tw.Flush(); err != nil {
		fmt.Fprintf(e.stderr, "sportel web audit: %v\n", err)
		return 1
	}
	return 0
}
