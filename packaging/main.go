// Command packaging builds Sportel's Debian package with nfpm. It lives in a
// module of its own so that nfpm's dependencies stay out of the daemon's
// go.mod.
//
//	cd packaging && go run . -version 1.2.0 -o ../dist
//
// It builds the binary from the repository (static, trimmed, its version
// stamped) unless -binary names one already built.
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/goreleaser/nfpm/v2"
	"github.com/goreleaser/nfpm/v2/deb"
	"github.com/goreleaser/nfpm/v2/files"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "packaging:", err)
		os.Exit(1)
	}
}

// options say what to package and where.
type options struct {
	Root    string // the repository's root
	Binary  string // a built sportel binary; "" builds one
	Version string
	Arch    string // Debian/Go architecture name: amd64, arm64
	OutDir  string
	MTime   time.Time
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("packaging", flag.ContinueOnError)
	var o options
	fs.StringVar(&o.Root, "root", "..", "the repository's root")
	fs.StringVar(&o.Binary, "binary", "", "package this sportel binary instead of building one")
	fs.StringVar(&o.Version, "version", "", "package version, e.g. 1.2.0 (required)")
	fs.StringVar(&o.Arch, "arch", runtime.GOARCH, "target architecture (amd64, arm64, ...)")
	fs.StringVar(&o.OutDir, "o", "dist", "directory to write the .deb to")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.Version == "" {
		return errors.New("-version is required (e.g. -version 1.2.0)")
	}
	// A tag's leading v is dropped, as for Go modules.
	o.Version = strings.TrimPrefix(o.Version, "v")
	if !debianVersion(o.Version) {
		return fmt.Errorf("-version %q: a Debian version starts with a digit and holds only letters, digits and . + ~ - (e.g. 1.2.0, 1.2.0~rc1, 1.2.0-2)", o.Version)
	}
	mtime, err := sourceDate(ctx, o.Root, os.Getenv("SOURCE_DATE_EPOCH"))
	if err != nil {
		// A tree without git history (an unpacked tarball) still builds.
		fmt.Fprintf(stderr, "packaging: %v; dating the package now: set SOURCE_DATE_EPOCH for a reproducible package\n", err)
		mtime = time.Now()
	}
	o.MTime = mtime.UTC().Truncate(time.Second)
	path, err := build(ctx, o)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, path)
	return nil
}

// sourceDate is the time every file of the package carries, so that two
// builds of one commit are the same bytes: SOURCE_DATE_EPOCH when set (the
// reproducible-builds convention), else the time of the commit checked out
// in root.
func sourceDate(ctx context.Context, root, epoch string) (time.Time, error) {
	if epoch != "" {
		sec, err := strconv.ParseInt(epoch, 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q is not a number of seconds: %w", epoch, err)
		}
		return time.Unix(sec, 0), nil
	}
	out, err := exec.CommandContext(ctx, "git", "-C", root, "log", "-1", "--format=%ct").Output()
	if err != nil {
		return time.Time{}, fmt.Errorf("read the commit time in %s: %w", root, err)
	}
	sec, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("read the commit time in %s: %q: %w", root, out, err)
	}
	return time.Unix(sec, 0), nil
}

// debianVersion reports whether v is an upstream version dpkg installs
// (nfpm drops a leading v itself; epochs are not used).
func debianVersion(v string) bool {
	if v == "" || v[0] < '0' || v[0] > '9' {
		return false
	}
	for _, r := range v {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune(".+~-", r)) {
			return false
		}
	}
	return true
}

// build writes the package and returns its path.
func build(ctx context.Context, o options) (string, error) {
	root, err := filepath.Abs(o.Root)
	if err != nil {
		return "", fmt.Errorf("resolve root: %w", err)
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return "", fmt.Errorf("create output directory: %w", err)
	}
	work, err := os.MkdirTemp("", "sportel-pkg-")
	if err != nil {
		return "", fmt.Errorf("create work directory: %w", err)
	}
	defer os.RemoveAll(work)

	binary := o.Binary
	if binary == "" {
		binary = filepath.Join(work, "sportel")
		if err := buildBinary(ctx, root, binary, o.Version, o.Arch); err != nil {
			return "", err
		}
	}
	unit, err := os.ReadFile(filepath.Join(root, "contrib", "sportel.service"))
	if err != nil {
		return "", fmt.Errorf("read unit: %w", err)
	}
	unitPath := filepath.Join(work, "sportel.service")
	if err := os.WriteFile(unitPath, []byte(packagedUnit(string(unit))), 0o644); err != nil {
		return "", fmt.Errorf("write unit: %w", err)
	}

	example, err := os.ReadFile(filepath.Join(root, "sportel.example.yaml"))
	if err != nil {
		return "", fmt.Errorf("read example configuration: %w", err)
	}
	conf, err := packagedConfig(string(example))
	if err != nil {
		return "", err
	}
	confPath := filepath.Join(work, "sportel.yaml")
	if err := os.WriteFile(confPath, []byte(conf), 0o640); err != nil {
		return "", fmt.Errorf("write configuration: %w", err)
	}

	info := packageInfo(o, binary, unitPath, confPath, root)
	info = nfpm.WithDefaults(info)
	// Debian policy 12.7: a native package (no Debian revision) has
	// changelog.gz, another changelog.Debian.gz.
	changelogName := "changelog.gz"
	if strings.Contains(info.Version, "-") {
		changelogName = "changelog.Debian.gz"
	}
	changelogPath := filepath.Join(work, changelogName)
	if err := os.WriteFile(changelogPath, changelog(info, o.MTime), 0o644); err != nil {
		return "", fmt.Errorf("write changelog: %w", err)
	}
	info.Contents = append(info.Contents, &files.Content{Source: changelogPath, Destination: "/usr/share/doc/sportel/" + changelogName,
		FileInfo: &files.ContentFileInfo{Owner: "root", Group: "root", Mode: 0o644, MTime: o.MTime}})
	if err := nfpm.Validate(info); err != nil {
		return "", fmt.Errorf("validate package: %w", err)
	}
	name := deb.Default.ConventionalFileName(info)
	out := filepath.Join(o.OutDir, name)
	f, err := os.Create(out)
	if err != nil {
		return "", fmt.Errorf("create package: %w", err)
	}
	if err := deb.Default.Package(info, f); err != nil {
		f.Close()
		os.Remove(out)
		return "", fmt.Errorf("write package: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("write package: %w", err)
	}
	return out, nil
}

// changelog is the package's Debian changelog, gzipped as dh_compress
// does (best compression, no name or time in the header, so the bytes
// depend on the entry alone): one entry for the version built, dated with
// the package.
func changelog(info *nfpm.Info, date time.Time) []byte {
	entry := fmt.Sprintf("%s (%s) unstable; urgency=medium\n\n  * Built from the repository; what changed is in its history.\n\n -- %s  %s\n",
		info.Name, info.Version, info.Maintainer, date.UTC().Format("Mon, 02 Jan 2006 15:04:05 -0700"))
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression) // the level is valid
	zw.Write([]byte(entry))
	zw.Close()
	return b.Bytes()
}

// buildBinary compiles cmd/sportel for linux/arch: static (no cgo: the
// SQLite driver is pure Go), without local paths, with the version stamped
// and the VCS stamp on (a machine-wide -buildvcs=false would drop it).
func buildBinary(ctx context.Context, root, out, version, arch string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-buildvcs=auto",
		"-ldflags", "-s -w -X main.version="+version, "-o", out, "./cmd/sportel")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build sportel: %w\n%s", err, b)
	}
	return nil
}

// The package installs the binary in /usr/bin, where Debian's packages put
// theirs; the unit in contrib/ is written for a hand install in /usr/local.
const (
	handInstalledBinary = "/usr/local/bin/sportel"
	packagedBinary      = "/usr/bin/sportel"
)

// systemdUnitPath is where the package installs the unit.
const systemdUnitPath = "/usr/lib/systemd/system/sportel.service"

func packagedUnit(unit string) string {
	return strings.ReplaceAll(unit, handInstalledBinary, packagedBinary)
}

// packagedEdits make the example configuration fit the package's layout:
// the store where the unit's StateDirectory is, by an absolute path (so
// `sportel tickets … --config /etc/sportel/sportel.yaml` finds it from any
// directory, not only the unit's working directory), and the mailbox
// password from the credential the unit's LoadCredential=imap hands over.
var packagedEdits = []struct{ old, new string }{
	{"  dsn: ./sportel.db\n", "  dsn: /var/lib/sportel/sportel.db\n"},
	{"  password: ${SPORTEL_IMAP_PASSWORD}\n  # Read the password from this file instead (a trailing newline is\n  # dropped). Default: \"\" (use password).\n  password_file: \"\"\n",
		"  # The package reads it from the credential the unit hands over\n  # (LoadCredential=imap:/etc/sportel/credentials/imap).\n  password_file: ${CREDENTIALS_DIRECTORY}/imap\n"},
}

// packagedConfig is the example configuration with packagedEdits made; an
// example that no longer holds a line to edit is an error, not a package
// with the wrong default.
func packagedConfig(example string) (string, error) {
	for _, e := range packagedEdits {
		if strings.Count(example, e.old) != 1 {
			return "", fmt.Errorf("package configuration: sportel.example.yaml does not hold %q exactly once", e.old)
		}
		example = strings.Replace(example, e.old, e.new, 1)
	}
	return example, nil
}

func packageInfo(o options, binary, unitPath, confPath, root string) *nfpm.Info {
	owned := func(mode os.FileMode, group string) *files.ContentFileInfo {
		return &files.ContentFileInfo{Owner: "root", Group: group, Mode: mode, MTime: o.MTime}
	}
	return &nfpm.Info{
		Name:     "sportel",
		Arch:     o.Arch,
		Platform: "linux",
		Version:  o.Version,
		// The version as given: nfpm's default (semver) would make the
		// Debian revision of 1.2.0-2 a pre-release, 1.2.0~2, which dpkg
		// sorts before 1.2.0, so the rebuild would never upgrade it.
		VersionSchema: "none",
		Section:       "mail",
		Priority:      "optional",
		// Quoted: unquoted, the commas make dpkg's tools and lintian read
		// three contacts (malformed-contact).
		Maintainer:  `"DKP, Ministry of Culture, Youth and Sport" <dkp@mkrs.example>`,
		Description: "public inbox of the Public Communication Division\nSportel watches a mailbox and a Telegram bot, files every message as a ticket,\nroutes it to an officer and acknowledges it in the sender's language.",
		Homepage:    "https://mkrs.example/sportel",
		License:     "Proprietary",
		MTime:       o.MTime,
		Overridables: nfpm.Overridables{
			Depends: []string{"adduser"},
			Contents: files.Contents{
				{Source: binary, Destination: packagedBinary, FileInfo: owned(0o755, "root")},
				// /usr/lib, not /lib: Debian 12 and 13 are merged-/usr, systemd
				// reads both, and from 13 on a file under /lib is lintian's
				// aliased-location error (dpkg cannot tell the two apart).
				{Source: unitPath, Destination: systemdUnitPath, FileInfo: owned(0o644, "root")},
				// The configuration names the officers and the mailbox; it
				// holds no secret but is no one else's business either.
				{Source: confPath, Destination: "/etc/sportel/sportel.yaml",
					Type: files.TypeConfigNoReplace, FileInfo: owned(0o640, "root")},
				{Destination: "/etc/sportel/credentials", Type: files.TypeDir, FileInfo: owned(0o700, "root")},
				{Source: filepath.Join(root, "README.md"), Destination: "/usr/share/doc/sportel/README.md", FileInfo: owned(0o644, "root")},
				{Source: filepath.Join(root, "packaging", "debian", "copyright"), Destination: "/usr/share/doc/sportel/copyright", FileInfo: owned(0o644, "root")},
				{Source: filepath.Join(root, "packaging", "debian", "lintian-overrides"), Destination: "/usr/share/lintian/overrides/sportel", FileInfo: owned(0o644, "root")},
				{Source: filepath.Join(root, "contrib", "prometheus", "sportel.rules.yml"), Destination: "/usr/share/doc/sportel/prometheus/sportel.rules.yml", FileInfo: owned(0o644, "root")},
			},
			Scripts: nfpm.Scripts{
				PostInstall: filepath.Join(root, "packaging", "scripts", "postinst.sh"),
				PreRemove:   filepath.Join(root, "packaging", "scripts", "prerm.sh"),
				PostRemove:  filepath.Join(root, "packaging", "scripts", "postrm.sh"),
			},
		},
	}
}
