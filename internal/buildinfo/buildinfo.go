// Package buildinfo says which Sportel is running: its version, and the
// commit and commit time the Go toolchain stamped into the binary, so an
// operator (`sportel version`) and the metrics (`sportel_build_info`) can
// tell two builds apart.
package buildinfo

import (
	"fmt"
	"runtime/debug"
)

// Unknown stands for a value the binary does not carry (a `go run` or a test
// binary has no VCS stamp).
const Unknown = "unknown"

// Info describes one build.
type Info struct {
	Version  string // a tag or pseudo-version, "devel" without one
	Commit   string // vcs.revision, or Unknown
	Time     string // vcs.time (RFC 3339, the commit's time), or Unknown
	Modified bool   // vcs.modified: built from a tree with uncommitted changes
}

// Read is the running binary's Info. A non-empty override (set with
// -ldflags "-X main.version=...") replaces the module version.
func Read(override string) Info {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = nil
	}
	return From(bi, override)
}

// From is the Info of a build described by bi (nil when there is none).
func From(bi *debug.BuildInfo, override string) Info {
	info := Info{Version: "devel", Commit: Unknown, Time: Unknown}
	if bi != nil {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			info.Version = v
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if s.Value != "" {
					info.Commit = s.Value
				}
			case "vcs.time":
				if s.Value != "" {
					info.Time = s.Value
				}
			case "vcs.modified":
				info.Modified = s.Value == "true"
			}
		}
	}
	if override != "" {
		info.Version = override
	}
	return info
}

// String is the text `sportel version` prints: three lines.
func (i Info) String() string {
	commit := i.Commit
	if i.Modified {
		commit += " (modified)"
	}
	return fmt.Sprintf("sportel %s\ncommit %s\ndate   %s\n", i.Version, commit, i.Time)
}
