package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
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
		{"./lib/systemd/system/sportel.service", "-rw-r--r--", "root/root"},
		{"./etc/sportel/sportel.yaml", "-rw-r-----", "root/root"},
		{"./etc/sportel/credentials/", "drwx------", "root/root"},
		{"./usr/share/doc/sportel/README.md", "-rw-r--r--", "root/root"},
		{"./usr/share/doc/sportel/prometheus/sportel.rules.yml", "-rw-r--r--", "root/root"},
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

	unit, err := os.ReadFile(filepath.Join(root, "lib/systemd/system/sportel.service"))
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
	err := run(context.Background(), []string{"-o", t.TempDir()}, &out)
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
