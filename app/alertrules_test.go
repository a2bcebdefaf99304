package app

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"sportel/config"
	"sportel/internal/devserver"
	"sportel/internal/testutil"
)

// alertRulesFile is the shipped Prometheus rules file.
const alertRulesFile = "../contrib/prometheus/sportel.rules.yml"

type ruleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Alert       string            `yaml:"alert"`
			Expr        string            `yaml:"expr"`
			For         string            `yaml:"for"`
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

// TestAlertRulesNameExposedMetrics loads the shipped alert rules and checks
// that every Sportel metric they use is one a running daemon exposes, with
// every optional part on (Telegram, an LLM classifier), so a renamed metric
// cannot leave an alert silently blind. When promtool is installed it also
// checks the rules as Prometheus will load them.
func TestAlertRulesNameExposedMetrics(t *testing.T) {
	raw, err := os.ReadFile(alertRulesFile)
	if err != nil {
		t.Fatal(err)
	}
	var rules ruleFile
	dec := yaml.NewDecoder(strings.NewReader(string(raw)))
	dec.KnownFields(true)
	if err := dec.Decode(&rules); err != nil {
		t.Fatalf("parse %s: %v", alertRulesFile, err)
	}

	exposed := exposedMetrics(t)
	metricName := regexp.MustCompile(`\bsportel_[a-z0-9_]+`)
	alerts := map[string]bool{}
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" || alerts[r.Alert] {
				t.Errorf("group %s: rule with empty or repeated alert name %q", g.Name, r.Alert)
			}
			alerts[r.Alert] = true
			if s := r.Labels["severity"]; s != "critical" && s != "warning" && s != "info" {
				t.Errorf("%s: severity %q, want critical, warning or info", r.Alert, s)
			}
			if r.Annotations["summary"] == "" || r.Annotations["description"] == "" {
				t.Errorf("%s: needs a summary and a description for whoever is paged", r.Alert)
			}
			for _, name := range metricName.FindAllString(r.Expr, -1) {
				if !exposed[name] {
					t.Errorf("%s: expression uses %s, which the daemon does not expose", r.Alert, name)
				}
			}
		}
	}
	// What the issue asks alerts for, by the metric each must watch.
	for alert, metric := range map[string]string{
		"SportelIMAPNotFetching":    "sportel_imap_last_good_fetch_timestamp_seconds",
		"SportelOutboxStuck":        "sportel_outbox_oldest_due_job_age_seconds",
		"SportelSendsFailed":        "sportel_outbox_failed_jobs",
		"SportelRequestsOverdue":    "sportel_tickets_overdue",
		"SportelConfigReloadFailed": "sportel_config_last_reload_success",
	} {
		if !alerts[alert] {
			t.Errorf("rules lack %s", alert)
		}
		if !strings.Contains(string(raw), metric) {
			t.Errorf("rules do not watch %s", metric)
		}
	}

	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Log("promtool not installed: rules checked for names only")
		return
	}
	if out, err := exec.Command(promtool, "check", "rules", alertRulesFile).CombinedOutput(); err != nil {
		t.Errorf("promtool check rules: %v\n%s", err, out)
	}
}

// exposedMetrics runs the daemon with metrics, Telegram and an LLM
// classifier on and returns the metric names its /metrics lists.
func exposedMetrics(t *testing.T) map[string]bool {
	t.Helper()
	llmSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":{"message":"not loaded"}}`, http.StatusInternalServerError)
	}))
	defer llmSrv.Close()
	tg := devserver.StartTelegram("123:alert-rules", "sportel_test_bot")
	defer tg.Close()

	s := newMemStack(t)
	addr := testutil.FreeAddr(t)
	s.cfg.Metrics.Listen = addr
	s.cfg.Classifier = config.ClassifierConfig{Kind: config.ClassifierOpenAI,
		OpenAI: &config.OpenAIConfig{BaseURL: llmSrv.URL + "/v1", Model: "test-model", Timeout: 5 * time.Second}}
	s.cfg.Telegram = botConfig(tg)
	_, stop := s.serve()
	defer stop()

	names := map[string]bool{}
	testutil.Eventually(t, "a metrics scrape", 20*time.Second, func() (bool, error) {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			return false, nil
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) >= 3 && f[0] == "#" && f[1] == "TYPE" {
				names[f[2]] = true
			}
		}
		return names["sportel_telegram_intake_blocked_seconds"], err
	})
	return names
}

// TestAlertRulesFollowTheLeader runs the shipped rules through `promtool
// test rules` on two instances whose leadership changes: a leads for the
// first 30 minutes, then nobody until minute 45, then b. Both report a
// mailbox never read, three overdue requests and b's intake blocked; each
// alert must come from the leader alone, and SportelNoLeader only while
// nobody leads.
func TestAlertRulesFollowTheLeader(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool not installed (Debian's prometheus package has it)")
	}
	rules, err := filepath.Abs(alertRulesFile)
	if err != nil {
		t.Fatal(err)
	}
	series := map[string]string{
		`sportel_leader{job="sportel",instance="a"}`:                                 "1x30 0x30",
		`sportel_leader{job="sportel",instance="b"}`:                                 "0x45 1x15",
		`sportel_imap_last_good_fetch_timestamp_seconds{job="sportel",instance="a"}`: "0x60",
		`sportel_imap_last_good_fetch_timestamp_seconds{job="sportel",instance="b"}`: "0x60",
		`sportel_imap_intake_blocked_seconds{job="sportel",instance="b"}`:            "600x60",
		`sportel_imap_stale_after_seconds{job="sportel",instance="a"}`:               "1200x60", // a longer idle_restart

		`sportel_imap_stale_after_seconds{job="sportel",instance="b"}`:                  "900x60",
		`sportel_telegram_last_good_poll_timestamp_seconds{job="sportel",instance="a"}`: "0x60",
		`sportel_telegram_last_good_poll_timestamp_seconds{job="sportel",instance="b"}`: "0x60",
		`sportel_tickets_overdue{job="sportel",instance="a"}`:                           "3x60",
		`sportel_tickets_overdue{job="sportel",instance="b"}`:                           "3x60",
		`sportel_imap_moves_refused_total{job="sportel",instance="a"}`:                  "0x20 2+2x40",
		// b's relay refuses its login from minute 10 on; every instance
		// sends mail, so the standby's counts too.
		`sportel_outbox_mail_paused{job="sportel",instance="a"}`: "0x60",
		`sportel_outbox_mail_paused{job="sportel",instance="b"}`: "0x10 1x50",
		// a's Bot API fails from minute 30 on, b's never.
		`sportel_outbox_telegram_paused{job="sportel",instance="a"}`: "0x30 1x30",
		`sportel_outbox_telegram_paused{job="sportel",instance="b"}`: "0x60",
	}
	cases := []struct {
		minute   int
		alert    string
		instance string // of the one firing alert; "-" for one without, "" for none
		summary  string // as rendered
	}{
		// a's own limit is 20 minutes: unread since the start, not for 5
		// minutes past it yet at 25, at 28 yes.
		{25, "SportelIMAPNotFetching", "", ""},
		{28, "SportelIMAPNotFetching", "a", "Sportel has not read the mailbox for 28m 0s"},
		{25, "SportelRequestsOverdue", "a", "3 tickets are past their legal deadline"},
		{25, "SportelTelegramNotPolling", "a", "Sportel has not polled Telegram for 25m 0s"},
		{25, "SportelIntakeBlocked", "", ""}, // b is blocked, but stands by
		{25, "SportelNoLeader", "", ""},
		{31, "SportelNoLeader", "", ""}, // not for a minute yet
		{40, "SportelNoLeader", "-", "No Sportel instance leads"},
		{40, "SportelIMAPNotFetching", "", ""},
		{40, "SportelTelegramNotPolling", "", ""},
		{40, "SportelRequestsOverdue", "", ""},
		{58, "SportelIMAPNotFetching", "b", "Sportel has not read the mailbox for 58m 0s"},
		{58, "SportelIntakeBlocked", "b", "Sportel cannot store incoming messages (10m 0s)"},
		{58, "SportelTelegramNotPolling", "b", "Sportel has not polled Telegram for 58m 0s"},
		{58, "SportelRequestsOverdue", "b", "3 tickets are past their legal deadline"},
		{58, "SportelNoLeader", "", ""},
		// a's server refused moves from minute 21 on.
		{15, "SportelMailNotMoved", "", ""},
		{25, "SportelMailNotMoved", "a", "Sportel cannot move handled mail out of the watched mailbox"},
		{15, "SportelSMTPRelayFailing", "", ""}, // not for 10 minutes yet
		{25, "SportelSMTPRelayFailing", "b", "Sportel on b cannot hand mail to the SMTP relay"},
		{35, "SportelTelegramAPIFailing", "", ""}, // not for 10 minutes yet
		{45, "SportelTelegramAPIFailing", "a", "Sportel on a cannot send Telegram messages"},
	}
	var y strings.Builder
	fmt.Fprintf(&y, "rule_files: [%q]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n", rules)
	for name, values := range series {
		fmt.Fprintf(&y, "      - series: %q\n        values: %q\n", name, values)
	}
	y.WriteString("    alert_rule_test:\n")
	for _, c := range cases {
		fmt.Fprintf(&y, "      - eval_time: %dm\n        alertname: %s\n", c.minute, c.alert)
		if c.instance == "" {
			y.WriteString("        exp_alerts: []\n")
			continue
		}
		severity, annotations := shippedRule(t, c.alert)
		fmt.Fprintf(&y, "        exp_alerts:\n          - exp_labels: {severity: %s", severity)
		if c.instance != "-" {
			fmt.Fprintf(&y, ", job: sportel, instance: %s", c.instance)
		}
		fmt.Fprintf(&y, "}\n            exp_annotations: {summary: %q, description: %q}\n", c.summary, annotations["description"])
	}
	test := filepath.Join(t.TempDir(), "leader_test.yml")
	if err := os.WriteFile(test, []byte(y.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(promtool, "test", "rules", test).CombinedOutput(); err != nil {
		t.Errorf("promtool test rules: %v\n%s\n%s", err, out, y.String())
	}
}

// shippedRule returns the rule of the shipped file that raises alert.
func shippedRule(t *testing.T, alert string) (severity string, annotations map[string]string) {
	t.Helper()
	raw, err := os.ReadFile(alertRulesFile)
	if err != nil {
		t.Fatal(err)
	}
	var rules ruleFile
	if err := yaml.Unmarshal(raw, &rules); err != nil {
		t.Fatal(err)
	}
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			if r.Alert == alert {
				return r.Labels["severity"], r.Annotations
			}
		}
	}
	t.Fatalf("no rule raises %s", alert)
	return "", nil
}
