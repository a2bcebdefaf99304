package buildinfo_test

import (
	"runtime/debug"
	"testing"

	"sportel/internal/buildinfo"
)

func TestFrom(t *testing.T) {
	const rev = "9cbddde5f0c1e2d3c4b5a69788796a5b4c3d2e1f"
	stamped := func(version string, settings ...string) *debug.BuildInfo {
		bi := &debug.BuildInfo{Main: debug.Module{Path: "sportel", Version: version}}
		for i := 0; i+1 < len(settings); i += 2 {
			bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
		}
		return bi
	}
	tests := []struct {
		name     string
		bi       *debug.BuildInfo
		override string
		want     string
	}{
		{"no build info", nil, "",
			"sportel devel\ncommit unknown\ndate   unknown\n"},
		{"go run or a test binary: (devel), no VCS stamp", stamped("(devel)"), "",
			"sportel devel\ncommit unknown\ndate   unknown\n"},
		{"go build in a clean checkout", stamped("v0.0.0-20261202165011-9cbddde5f0c1",
			"vcs", "git", "vcs.revision", rev, "vcs.time", "2026-12-02T16:50:11Z", "vcs.modified", "false"), "",
			"sportel v0.0.0-20261202165011-9cbddde5f0c1\ncommit " + rev + "\ndate   2026-12-02T16:50:11Z\n"},
		{"uncommitted changes", stamped("v0.0.0-20261202165011-9cbddde5f0c1+dirty",
			"vcs.revision", rev, "vcs.time", "2026-12-02T16:50:11Z", "vcs.modified", "true"), "",
			"sportel v0.0.0-20261202165011-9cbddde5f0c1+dirty\ncommit " + rev + " (modified)\ndate   2026-12-02T16:50:11Z\n"},
		{"tagged release", stamped("v1.2.0", "vcs.revision", rev, "vcs.time", "2026-12-01T09:00:00Z", "vcs.modified", "false"), "",
			"sportel v1.2.0\ncommit " + rev + "\ndate   2026-12-01T09:00:00Z\n"},
		{"-ldflags -X main.version wins over the module version", stamped("v1.2.0", "vcs.revision", rev, "vcs.time", "2026-12-01T09:00:00Z"), "1.2.0-dkp1",
			"sportel 1.2.0-dkp1\ncommit " + rev + "\ndate   2026-12-01T09:00:00Z\n"},
		{"-ldflags override without build info", nil, "1.2.0-dkp1",
			"sportel 1.2.0-dkp1\ncommit unknown\ndate   unknown\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := buildinfo.From(tt.bi, tt.override).String(); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
