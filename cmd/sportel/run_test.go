package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"sportel/internal/devserver"
	"sportel/internal/testutil"
)

// runConfig is a `sportel run` configuration on the test's servers; the
// IMAP password comes from the environment, as in production.
const runConfig = `
mailbox:
  address: komunikimi@mkrs.example
imap:
  addr: %s
  security: none
  username: komunikimi@mkrs.example
  password: ${SPORTEL_IMAP_PASSWORD}
  poll_interval: 1s
smtp:
  addr: %s
  security: none
store:
  dsn: %s
officers:
  - id: zamira
    name: "Zamira Ahmeti"
    email: %s
routing:
  - officer: zamira
outbox:
  backoff_min: 200ms
  backoff_max: 1s
metrics:
  listen: %s
`

// runPassword is the IMAP password of a `sportel run` test's mailbox.
const runPassword = "run-test-password"

// runServers starts the mail servers a `sportel run` test reads from and
// sends through; they stop with the test.
func runServers(t *testing.T) (*devserver.IMAP, *devserver.SMTP) {
	t.Helper()
	imapSrv, err := devserver.StartIMAP("komunikimi@mkrs.example", runPassword)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { imapSrv.Close() })
	smtpSrv, err := devserver.StartSMTP()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { smtpSrv.Close() })
	return imapSrv, smtpSrv
}

// runEnv is a `sportel run` test's environment: its logs, and the IMAP
// password in SPORTEL_IMAP_PASSWORD.
func runEnv(logs io.Writer) *env {
	return &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: logs,
		getenv: func(k string) (string, bool) { return runPassword, k == "SPORTEL_IMAP_PASSWORD" }}
}

// TestRunReloadsOnHangup runs `sportel run` and sends the process SIGHUP,
// as `systemctl reload` does: an officer's new address in the file is
// where the next ticket is notified; a broken file is reported with its
// problems, the metric says the reload failed, and the daemon goes on with
// the old configuration. Two SIGHUPs at once are one reload or two, never
// a stop.
func TestRunReloadsOnHangup(t *testing.T) {
	imapSrv, smtpSrv := runServers(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "sportel.yaml")
	metricsAddr := testutil.FreeAddr(t)
	write := func(officerEmail, extra string) {
		t.Helper()
		text := fmt.Sprintf(runConfig, imapSrv.Addr, smtpSrv.Addr, filepath.Join(dir, "sportel.db"), officerEmail, metricsAddr) + extra
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("zamira@mkrs.example", "")

	logs := testutil.NewLogBuffer(t)
	e := runEnv(logs)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	exited := make(chan int, 1)
	go func() { exited <- cmdRun(ctx, []string{"--config", path}, e) }()
	testutil.Eventually(t, "the daemon and its metrics", 30*time.Second, func() (bool, error) {
		return metric(metricsAddr, "sportel_config_last_reload_success") == "1", nil
	})
	// The unit runs no check-config before run (its failure would be
	// restarted): run itself says what is still the example's.
	if !strings.Contains(logs.String(), `level=WARN msg="still example addresses`) || !strings.Contains(logs.String(), "mailbox.address, imap.username, officers[0].email") {
		t.Errorf("run does not warn of the example's addresses left in the file:\n%s", logs.String())
	}

	hangup := func(times int, wantLog string) {
		t.Helper()
		before := strings.Count(logs.String(), wantLog)
		for range times {
			if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
				t.Fatal(err)
			}
		}
		testutil.Eventually(t, wantLog, 30*time.Second, func() (bool, error) {
			return strings.Count(logs.String(), wantLog) > before, nil
		})
	}
	question := func(n int) {
		t.Helper()
		raw := fmt.Sprintf("From: Qytetar <q%d@example.net>\r\nTo: komunikimi@mkrs.example\r\nSubject: Orari %d\r\n"+
			"Message-ID: <run-reload-%d@example.net>\r\nDate: %s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"+
			"Përshëndetje, a mund të më tregoni orarin e muzeut të dielave? Faleminderit.\r\n", n, n, n, time.Now().Format(time.RFC1123Z))
		if _, err := imapSrv.Append("INBOX", []byte(raw), time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	notified := func(to string, n int) {
		t.Helper()
		testutil.Eventually(t, fmt.Sprintf("%d notifications to %s", n, to), 30*time.Second, func() (bool, error) {
			got := 0
			for _, m := range smtpSrv.Mails() {
				if slices.Contains(m.To, to) && strings.Contains(string(m.Data), "sportel.notify.") {
					got++
				}
			}
			return got == n, nil
		})
	}

	question(1)
	notified("zamira@mkrs.example", 1)

	write("zamira.ahmeti@kultura.example", "")
	hangup(2, `msg="configuration reloaded" applied=officers`)
	question(2)
	notified("zamira.ahmeti@kultura.example", 1)

	write("zamira-at-kultura", "")
	hangup(1, `msg="configuration reload failed: the configuration in use stays"`)
	if !strings.Contains(logs.String(), `problem="officers[0].email:`) {
		t.Errorf("the reload's problem is not logged:\n%s", logs)
	}
	if got := metric(metricsAddr, "sportel_config_last_reload_success"); got != "0" {
		t.Errorf("after a failed reload sportel_config_last_reload_success = %q, want 0", got)
	}
	question(3)
	notified("zamira.ahmeti@kultura.example", 2)

	cancel()
	select {
	case code := <-exited:
		if code != 0 {
			t.Errorf("sportel run exited %d, want 0", code)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("sportel run did not stop")
	}
	if strings.Contains(logs.String(), runPassword) {
		t.Error("the IMAP password reached the logs")
	}
}

// metric is a metric's value as /metrics shows it, "" when unreachable or
// absent.
func metric(addr, name string) string {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			return v
		}
	}
	return ""
}

// TestRunConfigErrorExitStatus: a configuration `sportel run` cannot use
// exits with exitConfig, the status the unit's RestartPreventExitStatus=
// names, so systemd does not restart it every few seconds; among them a
// secret from an environment variable the unit does not set, which
// `check-config` (the unit's ExecStartPre) passes as "not checked".
func TestRunConfigErrorExitStatus(t *testing.T) {
	dir := t.TempDir()
	valid := fmt.Sprintf(runConfig, "127.0.0.1:1", "127.0.0.1:1", filepath.Join(dir, "sportel.db"), "zamira@mkrs.example", "")
	valid = strings.Replace(valid, "metrics:\n  listen: \n", "", 1)
	tests := []struct {
		name, config string
		missing      bool // no file at all
		password     bool // SPORTEL_IMAP_PASSWORD is set
	}{
		{name: "no file", missing: true, password: true},
		{name: "not YAML", config: "imap: [\n", password: true},
		{name: "an unknown key", config: valid + "imap_typo: {}\n", password: true},
		{name: "the password's variable unset", config: valid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "sportel.yaml")
			if !tt.missing {
				if err := os.WriteFile(path, []byte(tt.config), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			var stderr strings.Builder
			e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: &stderr,
				getenv: func(k string) (string, bool) { return "secret", tt.password && k == "SPORTEL_IMAP_PASSWORD" }}
			if code := cmdRun(context.Background(), []string{"--config", path}, e); code != exitConfig {
				t.Errorf("sportel run exited %d, want %d; stderr:\n%s", code, exitConfig, stderr.String())
			}
			if !strings.Contains(stderr.String(), "configuration has errors") {
				t.Errorf("stderr does not say the configuration has errors:\n%s", stderr.String())
			}
		})
	}
}

// A mailbox the server refuses at start stops `sportel run`, and its log
// names the setting to change, as check-config --connect does. Real
// in-memory IMAP server without the configured mailbox.
func TestRunStopsNamingTheRefusedMailbox(t *testing.T) {
	imapSrv, smtpSrv := runServers(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "sportel.yaml")
	text := fmt.Sprintf(runConfig, imapSrv.Addr, smtpSrv.Addr, filepath.Join(dir, "sportel.db"), "zamira@mkrs.example", "")
	text = strings.Replace(text, "  poll_interval: 1s\n", "  poll_interval: 1s\n  mailbox: Publike/Hyrëse\n", 1)
	text = strings.Replace(text, "metrics:\n  listen: \n", "", 1)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	logs := testutil.NewLogBuffer(t)
	e := runEnv(logs)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if code := cmdRun(ctx, []string{"--config", path}, e); code != 1 {
		t.Fatalf("sportel run exited %d, want 1", code)
	}
	if !strings.Contains(logs.String(), `hint="set imap.mailbox to a mailbox this server accepts`) {
		t.Errorf("the stop does not name imap.mailbox:\n%s", logs.String())
	}
}

// A PostgreSQL store out of reach when `sportel run` starts (the database
// restarting, or coming up after Sportel at boot) is waited for, not
// exited on: systemd would give up after five restarts. The wait is said
// once at error, with the cause; the daemon starts when the database
// answers; a stop during the wait is a clean exit.
func TestRunWaitsForTheStore(t *testing.T) {
	dsn := cluster.Database(t)
	realPort := regexp.MustCompile(`port=(\d+)`).FindStringSubmatch(dsn)[1]
	tests := []struct {
		name     string
		comeBack bool   // the database answers during the wait; else a stop ends it
		refusal  string // a DSN change the server refuses: no wait, exit 1
	}{
		{"the database comes", true, ""},
		{"stopped while waiting", false, ""},
		{"a login refused", false, "user=nobody_such_user"},
		{"TLS the server does not offer", false, "sslmode=require"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			imapSrv, smtpSrv := runServers(t)
			// Nothing listens at the store's address until the proxy
			// to the real server starts.
			addr := testutil.FreeAddr(t)
			_, port, _ := net.SplitHostPort(addr)
			awayDSN := strings.Replace(dsn, "port="+realPort, "port="+port, 1)
			if tt.refusal != "" {
				// The server is there, and says no.
				awayDSN = strings.NewReplacer("user=postgres", "", "sslmode=disable", "").Replace(dsn) + " " + tt.refusal
			}
			dir := t.TempDir()
			path := filepath.Join(dir, "sportel.yaml")
			text := fmt.Sprintf(runConfig, imapSrv.Addr, smtpSrv.Addr, `"`+awayDSN+`"`, "zamira@mkrs.example", "")
			text = strings.Replace(text, "store:\n", "store:\n  driver: postgres\n", 1)
			text = strings.Replace(text, "metrics:\n  listen: \n", "log:\n  level: debug\n", 1)
			if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			logs := testutil.NewLogBuffer(t)
			e := runEnv(logs)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			code := make(chan int, 1)
			go func() { code <- cmdRun(ctx, []string{"--config", path}, e) }()
			if tt.refusal != "" {
				select {
				case c := <-code:
					if c != 1 || strings.Contains(logs.String(), "store cannot be reached") {
						t.Errorf("sportel run exited %d, want 1 at once, without waiting:\n%s", c, logs.String())
					}
				case <-time.After(30 * time.Second):
					t.Fatalf("sportel run waits for a server that refuses:\n%s", logs.String())
				}
				return
			}
			// Tried three times (the retries at debug), one error line.
			testutil.Eventually(t, "three tries", 30*time.Second, func() (bool, error) {
				return strings.Count(logs.String(), `msg="store cannot be reached; the daemon starts once it answers"`) >= 3, nil
			})
			if n := strings.Count(logs.String(), `level=ERROR msg="store cannot be reached`); n != 1 {
				t.Errorf("%d error lines for the wait, want 1:\n%s", n, logs.String())
			}
			if tt.comeBack {
				proxy := startTCPProxy(t, addr, "127.0.0.1:"+realPort)
				defer proxy.Close()
				testutil.Eventually(t, "the daemon started", 30*time.Second, func() (bool, error) {
					return strings.Contains(logs.String(), `level=INFO msg="store answers; starting"`) &&
						strings.Contains(logs.String(), `msg="imap mailbox opened"`), nil
				})
			}
			cancel()
			select {
			case c := <-code:
				if c != 0 {
					t.Errorf("sportel run exited %d, want 0 for a stop:\n%s", c, logs.String())
				}
			case <-time.After(30 * time.Second):
				t.Fatal("sportel run did not stop")
			}
			if !tt.comeBack && !strings.Contains(logs.String(), "stopped while starting") {
				t.Errorf("the stop during the wait is not said:\n%s", logs.String())
			}
		})
	}
}

// startTCPProxy listens on addr and passes each connection to target.
func startTCPProxy(t *testing.T, addr, target string) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				u, err := net.Dial("tcp", target)
				if err != nil {
					return
				}
				defer u.Close()
				go io.Copy(u, c)
				io.Copy(c, u)
			}()
		}
	}()
	return ln
}
