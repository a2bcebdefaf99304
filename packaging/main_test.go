package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestDebianPackage builds the package as a release would (binary compiled
// from this checkout) and inspects it with Debian's own tools. Nothing is
// installed on the machine that runs the test.
func TestDebianPackage(t *testing.T) {
	if _, err := exec.LookPath("dpkg-deb"); err != nil {
		t.Skip("dpkg-deb not found: install dpkg to check the package")
	}
	ctx := context.Background()
	out := t.TempDir()
	deb, err := build(ctx, options{Root: "..", Version: "1.2.3", Arch: runtime.GOARCH, OutDir: out,
		MTime: time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatalf("build package: %v", err)
	}
	if want := "sportel_1.2.3_" + runtime.GOARCH + ".deb"; filepath.Base(deb) != want {
		t.Errorf("package file = %s, want %s", filepath.Base(deb), want)
	}

	info := dpkgDeb(t, "--info", deb)
	for _, want := range []string{"Package: sportel", "Version: 1.2.3", "Architecture: " + runtime.GOARCH,
		"Depends: adduser", "Section: mail", "postinst", "prerm", "postrm"} {
		if !strings.Contains(info, want) {
			t.Errorf("dpkg-deb --info lacks %q:\n%s", want, info)
		}
	}

	// Each file with its mode and owner, as dpkg will install it.
	contents := dpkgDeb(t, "--contents", deb)
	for _, c := range []struct{ path, mode, owner string }{
		{"./usr/bin/sportel", "-rwxr-xr-x", "root/root"},
		{"./usr/lib/systemd/system/sportel.service", "-rw-r--r--", "root/root"},
		{"./etc/sportel/sportel.yaml", "-rw-r-----", "root/root"},
		{"./etc/sportel/credentials/", "drwx------", "root/root"},
		{"./usr/share/doc/sportel/README.md", "-rw-r--r--", "root/root"},
		{"./usr/share/doc/sportel/prometheus/sportel.rules.yml", "-rw-r--r--", "root/root"},
		{"./usr/share/doc/sportel/copyright", "-rw-r--r--", "root/root"},
		{"./usr/share/doc/sportel/changelog.gz", "-rw-r--r--", "root/root"},
		{"./usr/share/lintian/overrides/sportel", "-rw-r--r--", "root/root"},
	} {
		line := lineEndingWith(contents, " "+c.path)
		if line == "" {
			t.Errorf("package lacks %s:\n%s", c.path, contents)
			continue
		}
		if f := strings.Fields(line); f[0] != c.mode || f[1] != c.owner {
			t.Errorf("%s is %s %s, want %s %s", c.path, f[0], f[1], c.mode, c.owner)
		}
	}

	checkPaths(t, contents)

	ctrl := filepath.Join(t.TempDir(), "DEBIAN")
	dpkgDeb(t, "--control", deb, ctrl)
	conffiles, err := os.ReadFile(filepath.Join(ctrl, "conffiles"))
	if err != nil || strings.TrimSpace(string(conffiles)) != "/etc/sportel/sportel.yaml" {
		t.Errorf("conffiles = %q (%v), want the configuration alone, so an upgrade keeps the administrator's edits", conffiles, err)
	}
	for _, script := range []string{"postinst", "prerm", "postrm"} {
		if b, err := exec.Command("sh", "-n", filepath.Join(ctrl, script)).CombinedOutput(); err != nil {
			t.Errorf("%s does not parse: %v\n%s", script, err, b)
		}
	}

	root := t.TempDir()
	dpkgDeb(t, "-x", deb, root)
	binary := filepath.Join(root, "usr/bin/sportel")
	v, err := exec.Command(binary, "version").CombinedOutput()
	if err != nil || !strings.Contains(string(v), "1.2.3") {
		t.Errorf("packaged `sportel version` = %q (%v), want the package's version", v, err)
	}

	// The configuration as installed is valid under the unit's layout,
	// without its secrets (no $CREDENTIALS_DIRECTORY outside the unit), and
	// names the store by the path the unit's StateDirectory makes.
	check := exec.Command(binary, "check-config", "--config", filepath.Join(root, "etc/sportel/sportel.yaml"))
	check.Env = withoutEnv(os.Environ(), "CREDENTIALS_DIRECTORY")
	if out, err := check.CombinedOutput(); err != nil || !strings.Contains(string(out), "secrets not checked (not available to this user): imap.password") ||
		!strings.Contains(string(out), "store       sqlite /var/lib/sportel/sportel.db ") {
		t.Errorf("packaged configuration: check-config: %v\n%s", err, out)
	}

	checkDocs(t, root, "1.2.3")
	runLintian(t, deb)

	unit, err := os.ReadFile(filepath.Join(root, "usr/lib/systemd/system/sportel.service"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ExecStart=/usr/bin/sportel run", "ExecReload=/bin/kill -HUP $MAINPID", "User=sportel", "UMask=0077", "StateDirectoryMode=0700",
		"SystemCallFilter=@system-service", "ProtectClock=yes", "ProtectKernelLogs=yes", "ProtectHostname=yes",
		"RestrictSUIDSGID=yes", "ProtectProc=invisible", "NoNewPrivileges=yes", "ProtectSystem=strict"} {
		if !hasLineWithPrefix(string(unit), want) {
			t.Errorf("unit lacks %q", want)
		}
	}
	if strings.Contains(string(unit), handInstalledBinary) {
		t.Errorf("packaged unit still names %s", handInstalledBinary)
	}
	verifyUnit(t, string(unit), binary)
	checkRestarts(t, string(unit), binary)
}

// checkRestarts: a unit that fails at once on every start (a broken
// configuration) is given up by systemd's start limit rather than
// restarted every RestartSec for ever, and the status the packaged
// `sportel run` exits with for a configuration it cannot use is one the
// unit does not restart at all.
func checkRestarts(t *testing.T, unit, binary string) {
	t.Helper()
	sections := unitSections(unit)
	burst, err := strconv.Atoi(sections["Unit"]["StartLimitBurst"])
	if err != nil || burst < 1 {
		t.Errorf("[Unit] StartLimitBurst = %q, want a count (%v)", sections["Unit"]["StartLimitBurst"], err)
	}
	interval, err := systemdSpan(sections["Unit"]["StartLimitIntervalSec"])
	if err != nil || interval <= 0 {
		t.Errorf("[Unit] StartLimitIntervalSec = %q, want a time span (%v)", sections["Unit"]["StartLimitIntervalSec"], err)
	}
	restartDelay, err := systemdSpan(sections["Service"]["RestartSec"])
	if err != nil {
		t.Errorf("[Service] RestartSec = %q: %v", sections["Service"]["RestartSec"], err)
	}
	// burst+1 starts that each fail at once take burst*RestartSec: within
	// the interval, the last one is refused.
	if burst >= 1 && interval > 0 && time.Duration(burst)*restartDelay >= interval {
		t.Errorf("StartLimitBurst=%d with RestartSec=%s takes %s, not within StartLimitIntervalSec=%s: a failing start is restarted for ever",
			burst, restartDelay, time.Duration(burst)*restartDelay, interval)
	}
	for _, key := range []string{"StartLimitIntervalSec", "StartLimitBurst"} {
		if _, ok := sections["Service"][key]; ok {
			t.Errorf("%s is in [Service]; systemd reads it from [Unit]", key)
		}
	}

	broken := filepath.Join(t.TempDir(), "sportel.yaml")
	mustWrite(t, broken, "imap: [\n", 0o600)
	err = exec.Command(binary, "run", "--config", broken).Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("packaged sportel run with a broken configuration: %v, want a failure", err)
	}
	code := strconv.Itoa(exit.ExitCode())
	if !slices.Contains(strings.Fields(sections["Service"]["RestartPreventExitStatus"]), code) {
		t.Errorf("sportel run exits %s for a broken configuration; the unit's RestartPreventExitStatus=%q does not name it, so systemd restarts it",
			code, sections["Service"]["RestartPreventExitStatus"])
	}
	// RestartPreventExitStatus= counts the main process alone: a command
	// run before it that fails on the same file (and is not marked "-",
	// failure ignored) fails the start, which Restart=on-failure restarts
	// whatever its status.
	for line := range strings.SplitSeq(unit, "\n") {
		cmdline, ok := strings.CutPrefix(strings.TrimSpace(line), "ExecStartPre=")
		if !ok || strings.HasPrefix(cmdline, "-") {
			continue
		}
		args := strings.Fields(strings.NewReplacer("/usr/bin/sportel", binary, "/etc/sportel/sportel.yaml", broken).Replace(cmdline))
		if args[0] != binary {
			continue // another program's
		}
		if err := exec.Command(args[0], args[1:]...).Run(); err != nil {
			t.Errorf("ExecStartPre=%s fails on a broken configuration (%v): systemd restarts the unit, RestartPreventExitStatus= notwithstanding", cmdline, err)
		}
	}
}

// unitSections is a unit file's settings by section and key (the last
// assignment wins, as for the settings read here).
func unitSections(unit string) map[string]map[string]string {
	sections := map[string]map[string]string{}
	var current map[string]string
	for _, line := range strings.Split(unit, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			current = map[string]string{}
			sections[strings.Trim(line, "[]")] = current
		case current != nil:
			if k, v, ok := strings.Cut(line, "="); ok {
				current[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
		}
	}
	return sections
}

// systemdSpan reads the time spans used here: a number of seconds, or
// numbers with s, min or h ("5s", "5min", "1h 30min").
func systemdSpan(s string) (time.Duration, error) {
	fields := strings.Fields(s)
	if len(fields) == 0 {
		return 0, errors.New("empty time span")
	}
	var total time.Duration
	for _, f := range fields {
		num := strings.TrimRight(f, "abcdefghijklmnopqrstuvwxyz")
		n, err := strconv.Atoi(num)
		if err != nil {
			return 0, fmt.Errorf("time span %q: %w", s, err)
		}
		unit, ok := map[string]time.Duration{"": time.Second, "s": time.Second, "sec": time.Second, "min": time.Minute, "h": time.Hour}[f[len(num):]]
		if !ok {
			return 0, fmt.Errorf("time span %q: unit %q not read here", s, f[len(num):])
		}
		total += time.Duration(n) * unit
	}
	return total, nil
}

// checkDocs checks the two files Debian policy wants in every package's
// /usr/share/doc (12.5, 12.7) as lintian does: a machine-readable copyright
// file, and the changelog, gzipped, its entry for the version packaged.
func checkDocs(t *testing.T, root, version string) {
	t.Helper()
	copyright, err := os.ReadFile(filepath.Join(root, "usr/share/doc/sportel/copyright"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(copyright)
	if !strings.HasPrefix(text, "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n") {
		t.Errorf("copyright is not in the machine-readable format (its first line names it):\n%s", text)
	}
	for _, field := range []string{"\nFiles: *\n", "\nCopyright: ", "\nLicense: "} {
		if !strings.Contains(text, field) {
			t.Errorf("copyright lacks %q:\n%s", strings.TrimSpace(field), text)
		}
	}
	f, err := os.Open(filepath.Join(root, "usr/share/doc/sportel/changelog.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("changelog.gz: %v", err)
	}
	entry, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("changelog.gz: %v", err)
	}
	if first, _, _ := strings.Cut(string(entry), "\n"); first != "sportel ("+version+") unstable; urgency=medium" {
		t.Errorf("changelog's first line = %q, want the entry for %s", first, version)
	}
	if parsed, err := exec.Command("dpkg-parsechangelog", "-l", "-", "-S", "Version").CombinedOutput(); err == nil {
		if got := strings.TrimSpace(string(parsed)); got != version {
			t.Errorf("dpkg-parsechangelog reads version %q, want %s", got, version)
		}
	}
}

// runLintian runs Debian's own package checker, where it is installed
// (apt-get install lintian): no error and no warning but those the package
// overrides, with its reasons, in /usr/share/lintian/overrides/sportel.
func runLintian(t *testing.T, deb string) {
	t.Helper()
	lintian, err := exec.LookPath("lintian")
	if err != nil {
		t.Log("lintian not found: the package is not linted (checkDocs and checkPaths check the main points)")
		return
	}
	out, _ := exec.Command(lintian, "--tag-display-limit", "0", deb).CombinedOutput()
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "E: ") || strings.HasPrefix(line, "W: ") {
			t.Errorf("lintian: %s", line)
		}
	}
}

// checkPaths looks at every entry of dpkg-deb --contents as lintian would:
// nothing under the directories merged-/usr makes aliases of /usr's (dpkg
// does not know that /lib/x and /usr/lib/x are one file), and nothing
// anyone may write to.
func checkPaths(t *testing.T, contents string) {
	t.Helper()
	aliased := []string{"./bin/", "./sbin/", "./lib/", "./lib32/", "./lib64/", "./libx32/", "./libo32/"}
	for _, line := range strings.Split(strings.TrimSpace(contents), "\n") {
		f := strings.Fields(line)
		if len(f) < 6 {
			t.Errorf("dpkg-deb --contents line not understood: %q", line)
			continue
		}
		mode, path := f[0], f[5]
		for _, dir := range aliased {
			if strings.HasPrefix(path, dir) {
				t.Errorf("%s is under %s, an alias of /usr%s on merged-/usr: install it under /usr", path, strings.Trim(dir, "."), strings.Trim(dir, "."))
			}
		}
		if mode[0] != 'l' && mode[8] == 'w' {
			t.Errorf("%s is %s: anyone may write to it", path, mode)
		}
	}
}

// verifyUnit runs systemd-analyze verify on the unit, pointed at the
// extracted binary (verify checks that the commands exist).
func verifyUnit(t *testing.T, unit, binary string) {
	t.Helper()
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Log("systemd-analyze not found: unit not verified")
		return
	}
	path := filepath.Join(t.TempDir(), "sportel.service")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(unit, packagedBinary, binary)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", path).CombinedOutput()
	if err != nil || strings.Contains(string(out), "sportel.service:") {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

func dpkgDeb(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("dpkg-deb", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("dpkg-deb %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func lineEndingWith(text, suffix string) string {
	for _, line := range strings.Split(text, "\n") {
		if strings.HasSuffix(line, suffix) {
			return line
		}
	}
	return ""
}

func hasLineWithPrefix(text, prefix string) bool {
	for _, line := range strings.Split(text, "\n") {
		if line == prefix || strings.HasPrefix(line, prefix+" ") {
			return true
		}
	}
	return false
}

func TestRunNeedsVersion(t *testing.T) {
	var out strings.Builder
	err := run(context.Background(), []string{"-o", t.TempDir()}, &out, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "-version is required") {
		t.Errorf("run without -version: %v, want a clear error", err)
	}
}

func TestPackagedUnitPointsAtUsrBin(t *testing.T) {
	got := packagedUnit("ExecStartPre=/usr/local/bin/sportel check-config\nExecStart=/usr/local/bin/sportel run\n")
	want := "ExecStartPre=/usr/bin/sportel check-config\nExecStart=/usr/bin/sportel run\n"
	if got != want {
		t.Errorf("packagedUnit = %q, want %q", got, want)
	}
}

// withoutEnv is env without the variable name.
func withoutEnv(env []string, name string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}

func TestPackagedConfigRefusesAChangedExample(t *testing.T) {
	tests := []struct {
		name    string
		example string
		wantErr bool
	}{
		{"both lines there", "store:\n  dsn: ./sportel.db\nimap:\n" + packagedEdits[1].old, false},
		{"the store's line changed", "store:\n  dsn: sportel.db\nimap:\n" + packagedEdits[1].old, true},
		{"the password's lines changed", "store:\n  dsn: ./sportel.db\nimap:\n  password: ${X}\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := packagedConfig(tt.example)
			if (err != nil) != tt.wantErr {
				t.Fatalf("packagedConfig: %v, want error %v", err, tt.wantErr)
			}
			if err == nil && (!strings.Contains(got, "dsn: /var/lib/sportel/sportel.db\n") || !strings.Contains(got, "password_file: ${CREDENTIALS_DIRECTORY}/imap\n")) {
				t.Errorf("packagedConfig:\n%s", got)
			}
		})
	}
}

// TestPurge runs the packaged postrm, as dpkg does, against a root of its
// own (DPKG_ROOT, which dpkg sets for chrootless installs). The account
// commands are stand-ins that record their calls: the test must not make
// or remove users on the machine it runs on.
func TestPurge(t *testing.T) {
	ctrl := packagedControl(t)
	tests := []struct {
		name        string
		action      string
		userExists  bool
		stateDir    bool // /var/lib/sportel still holds the record
		wantDeluser bool
		wantSecrets bool // /etc/sportel/credentials/imap still there
	}{
		// A user removed while its files stay leaves them to the next
		// system user adduser makes (the same uid): the record is kept,
		// so the user is too.
		{"purge with the record kept", "purge", true, true, false, false},
		{"purge after the record was removed", "purge", true, false, true, false},
		{"purge without the user", "purge", false, false, false, false},
		// Remove keeps the configuration, and so its secrets.
		{"remove", "remove", true, true, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			secret := filepath.Join(root, "etc/sportel/credentials/imap")
			mustWrite(t, secret, "hunter2\n", 0o600)
			if tt.stateDir {
				mustWrite(t, filepath.Join(root, "var/lib/sportel/sportel.db"), "SQLite format 3\x00", 0o600)
			}
			calls := runScript(t, filepath.Join(ctrl, "postrm"), root, tt.userExists, tt.action)
			if got := strings.Contains(calls, "deluser"); got != tt.wantDeluser {
				t.Errorf("postrm %s: deluser called %v, want %v; calls:\n%s", tt.action, got, tt.wantDeluser, calls)
			}
			if _, err := os.Stat(secret); (err == nil) != tt.wantSecrets {
				t.Errorf("postrm %s: secret kept %v, want %v", tt.action, err == nil, tt.wantSecrets)
			}
			if tt.stateDir {
				if _, err := os.Stat(filepath.Join(root, "var/lib/sportel/sportel.db")); err != nil {
					t.Errorf("postrm %s: the record went: %v", tt.action, err)
				}
			}
		})
	}
}

// TestConfigModeOnFirstInstallOnly runs the packaged postinst as dpkg does
// on a first install and on an upgrade, against a root of its own with
// dpkg's own statoverride database there. The configuration's mode and
// group are set once, on the first install; after that they are the
// administrator's, and an override registered with dpkg-statoverride is
// never undone.
func TestConfigModeOnFirstInstallOnly(t *testing.T) {
	if _, err := exec.LookPath("dpkg-statoverride"); err != nil {
		t.Skip("dpkg-statoverride not found: install dpkg to check the package")
	}
	ctrl := packagedControl(t)
	const config = "/etc/sportel/sportel.yaml"
	tests := []struct {
		name       string
		args       []string // after configure
		userExists bool
		override   bool // an override is registered for the configuration
		wantSet    bool // mode 0640 and group sportel
	}{
		{"first install", []string{""}, false, false, true},
		{"first install, no version given", nil, false, false, true},
		{"first install with an override", []string{""}, false, true, false},
		{"upgrade", []string{"1.2.2"}, true, false, false},
		{"upgrade with an override", []string{"1.2.2"}, true, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			// The administrator's (or the override's) choice, which
			// only a first install without an override replaces.
			mustWrite(t, filepath.Join(root, config), "store:\n", 0o600)
			// dpkg's database always holds some override; the
			// configuration's only where the row says.
			overrides := "root root 755 /usr/local/bin/other\n"
			if tt.override {
				overrides += "root root 600 " + config + "\n"
			}
			mustWrite(t, filepath.Join(root, "var/lib/dpkg/statoverride"), overrides, 0o644)
			calls := runScript(t, filepath.Join(ctrl, "postinst"), root, tt.userExists, append([]string{"configure"}, tt.args...)...)
			fi, err := os.Stat(filepath.Join(root, config))
			if err != nil {
				t.Fatal(err)
			}
			wantMode := os.FileMode(0o600)
			if tt.wantSet {
				wantMode = 0o640
			}
			if fi.Mode().Perm() != wantMode {
				t.Errorf("postinst configure %q: the configuration is %o, want %o", tt.args, fi.Mode().Perm(), wantMode)
			}
			var wantCalls []string
			if tt.wantSet {
				wantCalls = []string{"chgrp sportel " + filepath.Join(root, config)}
			}
			var gotCalls []string
			for _, c := range strings.Split(calls, "\n") {
				if strings.HasPrefix(c, "chgrp ") {
					gotCalls = append(gotCalls, c)
				}
			}
			if !slices.Equal(gotCalls, wantCalls) {
				t.Errorf("postinst configure %q: chgrp calls %q, want %q", tt.args, gotCalls, wantCalls)
			}
		})
	}
}

// packagedControl builds the package around a stand-in binary (only the
// maintainer scripts are looked at) and returns its control directory.
func packagedControl(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("dpkg-deb"); err != nil {
		t.Skip("dpkg-deb not found: install dpkg to check the package")
	}
	binary := filepath.Join(t.TempDir(), "sportel")
	mustWrite(t, binary, "#!/bin/sh\n", 0o755)
	deb, err := build(context.Background(), options{Root: "..", Binary: binary, Version: "1.2.3", Arch: runtime.GOARCH,
		OutDir: t.TempDir(), MTime: time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatalf("build package: %v", err)
	}
	ctrl := filepath.Join(t.TempDir(), "DEBIAN")
	dpkgDeb(t, "--control", deb, ctrl)
	return ctrl
}

// runScript runs a maintainer script with DPKG_ROOT=root and stand-ins for
// the commands that change accounts and services; it returns their calls.
func runScript(t *testing.T, script, root string, userExists bool, args ...string) string {
	t.Helper()
	bin := t.TempDir()
	log := filepath.Join(t.TempDir(), "calls")
	getentStatus := "2"
	if userExists {
		getentStatus = "0"
	}
	for name, body := range map[string]string{
		"getent":             `echo "getent $*" >>"$CALLS"; exit ` + getentStatus,
		"deluser":            `echo "deluser $*" >>"$CALLS"`,
		"adduser":            `echo "adduser $*" >>"$CALLS"`,
		"systemctl":          `echo "systemctl $*" >>"$CALLS"`,
		"deb-systemd-invoke": `echo "deb-systemd-invoke $*" >>"$CALLS"`,
		"deb-systemd-helper": `echo "deb-systemd-helper $*" >>"$CALLS"`,
		// The group is the host's: sportel is made by adduser above.
		"chgrp": `echo "chgrp $*" >>"$CALLS"`,
	} {
		mustWrite(t, filepath.Join(bin, name), "#!/bin/sh\n"+body+"\n", 0o755)
	}
	cmd := exec.Command("sh", append([]string{script}, args...)...)
	// dpkg names its database to the scripts, in the root it installs to.
	cmd.Env = append(os.Environ(), "DPKG_ROOT="+root, "DPKG_ADMINDIR="+filepath.Join(root, "var/lib/dpkg"),
		"CALLS="+log, "PATH="+bin+":"+os.Getenv("PATH"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(script), strings.Join(args, " "), err, out)
	}
	calls, err := os.ReadFile(log)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(calls)
}

func mustWrite(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}

// TestRunVersion: dpkg refuses to install a package whose version has a
// space or does not start with a digit, so such a version is refused when
// the package is built, not on the server.
func TestRunVersion(t *testing.T) {
	binary := filepath.Join(t.TempDir(), "sportel")
	mustWrite(t, binary, "#!/bin/sh\n", 0o755)
	tests := []struct {
		version string
		wantDeb string // "" when refused
	}{
		{"1.2.0", "sportel_1.2.0_" + runtime.GOARCH + ".deb"},
		{"v1.2.0", "sportel_1.2.0_" + runtime.GOARCH + ".deb"},
		{"1.2.0~rc1", "sportel_1.2.0~rc1_" + runtime.GOARCH + ".deb"},
		// A Debian revision stays one: 1.2.0~2 would sort before 1.2.0.
		{"1.2.0-2", "sportel_1.2.0-2_" + runtime.GOARCH + ".deb"},
		{"1.2.0 beta", ""},
		{"beta", ""},
		{"1.2.0_1", ""},
		{"1.2/0", ""},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			out := t.TempDir()
			var stdout strings.Builder
			err := run(context.Background(), []string{"-version", tt.version, "-binary", binary, "-o", out}, &stdout, io.Discard)
			if tt.wantDeb == "" {
				if err == nil || !strings.Contains(err.Error(), "-version") {
					t.Errorf("run -version %q: %v, want an error naming -version", tt.version, err)
				}
				if entries, _ := os.ReadDir(out); len(entries) != 0 {
					t.Errorf("run -version %q wrote %v", tt.version, entries)
				}
				return
			}
			if err != nil {
				t.Fatalf("run -version %q: %v", tt.version, err)
			}
			if got := filepath.Base(strings.TrimSpace(stdout.String())); got != tt.wantDeb {
				t.Errorf("run -version %q wrote %s, want %s", tt.version, got, tt.wantDeb)
			}
		})
	}
}

// TestReproducible builds the package twice from this checkout, binary
// and all, as two release builds of one commit would: the same bytes, every
// date in it the commit's (or SOURCE_DATE_EPOCH's), none the time of the
// build.
func TestReproducible(t *testing.T) {
	if _, err := exec.LookPath("dpkg-deb"); err != nil {
		t.Skip("dpkg-deb not found: install dpkg to check the package")
	}
	t.Setenv("SOURCE_DATE_EPOCH", "")
	want, err := sourceDate(context.Background(), "..", "")
	if err != nil {
		t.Skipf("not a git checkout, no commit to date the package with: %v", err)
	}
	var debs [2][]byte
	for i := range debs {
		out := t.TempDir()
		var stdout, stderr strings.Builder
		if err := run(context.Background(), []string{"-version", "1.2.3", "-o", out}, &stdout, &stderr); err != nil {
			t.Fatalf("build %d: %v\n%s", i+1, err, stderr.String())
		}
		path := strings.TrimSpace(stdout.String())
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		debs[i] = b
		if i == 0 {
			checkDates(t, path, b, want)
		}
	}
	if !bytes.Equal(debs[0], debs[1]) {
		t.Errorf("two builds of one commit differ (%d and %d bytes)", len(debs[0]), len(debs[1]))
	}
}

// checkDates: the ar members' dates and every file's in the data archive
// are want.
func checkDates(t *testing.T, path string, deb []byte, want time.Time) {
	t.Helper()
	// ar: an 8-byte magic, then per member a 60-byte header (name 16,
	// mtime 12 in decimal, ...) and the data, padded to even length.
	rest, ok := bytes.CutPrefix(deb, []byte("!<arch>\n"))
	if !ok {
		t.Fatalf("%s is not an ar archive", path)
	}
	for len(rest) >= 60 {
		name := strings.TrimSpace(string(rest[:16]))
		mtime, err1 := strconv.ParseInt(strings.TrimSpace(string(rest[16:28])), 10, 64)
		size, err2 := strconv.Atoi(strings.TrimSpace(string(rest[48:58])))
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: ar header of %s not read: %v %v", path, name, err1, err2)
		}
		if got := time.Unix(mtime, 0); !got.Equal(want) {
			t.Errorf("ar member %s dated %s, want %s", name, got.UTC(), want.UTC())
		}
		rest = rest[min(len(rest), 60+size+size%2):]
	}
	cmd := exec.Command("dpkg-deb", "--contents", path)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	contents, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("dpkg-deb --contents: %v\n%s", err, contents)
	}
	stamp := want.UTC().Format("2006-01-02 15:04")
	for _, line := range strings.Split(strings.TrimSpace(string(contents)), "\n") {
		if f := strings.Fields(line); len(f) < 6 || f[3]+" "+f[4] != stamp {
			t.Errorf("dated other than %s: %s", stamp, line)
		}
	}
}

func TestSourceDate(t *testing.T) {
	commit, err := exec.Command("git", "-C", "..", "log", "-1", "--format=%ct").Output()
	if err != nil {
		t.Skipf("not a git checkout: %v", err)
	}
	commitSec, err := strconv.ParseInt(strings.TrimSpace(string(commit)), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, root, epoch string
		want              time.Time
		wantErr           bool
	}{
		{name: "SOURCE_DATE_EPOCH wins", root: "..", epoch: "1764633600", want: time.Unix(1764633600, 0)},
		{name: "SOURCE_DATE_EPOCH that is not seconds", root: "..", epoch: "2026-12-02", wantErr: true},
		{name: "the commit's time", root: "..", want: time.Unix(commitSec, 0)},
		{name: "no git history", root: t.TempDir(), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := sourceDate(context.Background(), tt.root, tt.epoch)
			if (err != nil) != tt.wantErr {
				t.Fatalf("sourceDate: %v, want error %v", err, tt.wantErr)
			}
			if err == nil && !got.Equal(tt.want) {
				t.Errorf("sourceDate = %s, want %s", got, tt.want)
			}
		})
	}
}
