package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"sportel/config"
	"sportel/store/drivers"
)

func cmdBackup(ctx context.Context, args []string, e *env) int {
	fs := newFlags("backup", commands()["backup"].summary, "FILE", e)
	cfgPath := fs.String("config", "sportel.yaml", "configuration file: its store is backed up (its secrets are not needed)")
	db := fs.String("db", "", "SQLite database file to back up instead of the configuration's (needs no secrets)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 || fs.Arg(0) == "" {
		fs.Usage()
		return 2
	}
	dest := fs.Arg(0)
	// The store would call a directory "a file that exists".
	if fi, err := os.Stat(dest); err == nil && fi.IsDir() {
		fmt.Fprintf(e.stderr, "sportel backup: %s is a directory: name a new file in it, e.g. %s\n",
			dest, filepath.Join(dest, "sportel-"+time.Now().Format(time.DateOnly)+".db"))
		return 1
	}
	opts := drivers.Options{Driver: "sqlite", DSN: *db}
	if *db == "" {
		// A copy reads the store only: the daemon's secrets are not needed.
		cfg, ok := mustLoadConfigWith(*cfgPath, e, config.ParseOptions{SecretsOptional: true})
		if !ok {
			return 1
		}
		opts = drivers.Options{Driver: cfg.Store.Driver, DSN: cfg.Store.DSN}
	}
	if err := drivers.Backup(ctx, opts, dest); err != nil {
		fmt.Fprintf(e.stderr, "sportel backup: %v\n", err)
		return 1
	}
	size := ""
	if fi, err := os.Stat(dest); err == nil {
		size = fmt.Sprintf(" (%d bytes)", fi.Size())
	}
	fmt.Fprintf(e.stdout, "backed up %s to %s%s\n", opts.DSN, dest, size)
	return 0
}
