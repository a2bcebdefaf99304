package main

import (
	"context"
	"os"

	"sportel/app"
	"sportel/internal/buildinfo"
)

func cmdRun(ctx context.Context, args []string, e *env) int {
	fs := newFlags("run", commands()["run"].summary, "", e)
	path := fs.String("config", "sportel.yaml", "configuration file")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	cfg, ok := mustLoadConfig(*path, e)
	if !ok {
		return 1
	}
	log := app.NewLogger(cfg.Log, os.Stderr)
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		log.Error("start", "err", err)
		return 1
	}
	defer a.Close()
	a.SetBuild(buildinfo.Read(version))
	if err := a.Run(ctx); err != nil {
		log.Error("stopped", "err", err)
		return 1
	}
	log.Info("stopped cleanly")
	return 0
}
