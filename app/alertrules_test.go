package app

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
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
	tgCfg := config.DefaultTelegram()
	tgCfg.Token, tgCfg.APIURL, tgCfg.PollTimeout = config.Secret(tg.Token), tg.URL, time.Second
	s.cfg.Telegram = &tgCfg
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
