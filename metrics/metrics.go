// Package metrics exposes Sportel's counters in the Prometheus text format,
// so an operator can alert on a stuck mailbox or failing sends, and answers
// liveness (/healthz) and readiness (/readyz) probes beside them. The
// readiness checks are functions the caller passes in: this package knows
// nothing of the store or the mailbox.
package metrics

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds Sportel's collectors in a registry of its own.
type Metrics struct {
	reg      *prometheus.Registry
	messages *prometheus.CounterVec
	sends    *prometheus.CounterVec
	failures *prometheus.CounterVec
	checks   []check
	statuses []status
}

// status is one line /readyz always shows, whether ready or not.
type status struct {
	name  string
	value func() string
}

// check is one condition /readyz requires.
type check struct {
	name string
	run  func(context.Context) error
}

// checkTimeout bounds one readiness check, so a stuck store makes /readyz
// answer "not ready" rather than hang the prober.
const checkTimeout = 2 * time.Second

// New registers the collectors.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sportel_messages_total",
			Help: "Incoming messages by channel and what became of them (filed, attached, relayed, recorded, quarantined, duplicate).",
		}, []string{"channel", "disposition"}),
		sends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sportel_sends_total",
			Help: "Messages sent from the outbox, by job kind.",
		}, []string{"kind"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sportel_send_failures_total",
			Help: "Failed send attempts, by job kind and whether the job was given up (final).",
		}, []string{"kind", "final"}),
	}
	m.reg.MustRegister(m.messages, m.sends, m.failures,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Message counts one incoming message.
func (m *Metrics) Message(channel, disposition string) {
	m.messages.WithLabelValues(channel, disposition).Inc()
}

// Sent counts one successful send.
func (m *Metrics) Sent(kind string) { m.sends.WithLabelValues(kind).Inc() }

// SendFailed counts one failed send attempt.
func (m *Metrics) SendFailed(kind string, final bool) {
	m.failures.WithLabelValues(kind, fmt.Sprint(final)).Inc()
}

// Gauge registers a value read at scrape time, e.g. the time of the last
// good IMAP fetch.
func (m *Metrics) Gauge(name, help string, value func() float64) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, value))
}

// Counter registers a monotonically growing value read at scrape time.
func (m *Metrics) Counter(name, help string, value func() float64) {
	m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, value))
}

// BuildInfo registers sportel_build_info{version,commit} = 1, so dashboards
// can tell which build is running.
func (m *Metrics) BuildInfo(version, commit string) {
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "sportel_build_info",
		Help:        "Always 1; its labels name the running build.",
		ConstLabels: prometheus.Labels{"version": version, "commit": commit},
	})
	g.Set(1)
	m.reg.MustRegister(g)
}

// Ready adds a check to /readyz: run returns nil while the daemon can do
// its work, else an error whose text says why not. Call it before Serve.
func (m *Metrics) Ready(name string, run func(context.Context) error) {
	m.checks = append(m.checks, check{name, run})
}

// Status adds a line "name: value" to every /readyz answer, after the
// verdict: what the daemon is doing rather than whether it can (an
// instance's role, leader or standby). Call it before Serve.
func (m *Metrics) Status(name string, value func() string) {
	m.statuses = append(m.statuses, status{name, value})
}

// Handler serves the registry.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Routes serves /metrics, /healthz and /readyz.
func (m *Metrics) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", m.Handler())
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		// The process answers: that is all liveness means here.
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("/readyz", m.serveReady)
	return mux
}

// serveReady answers 200 "ok" when every check passes, else 503 with one
// line per failing check; the status lines follow either.
func (m *Metrics) serveReady(w http.ResponseWriter, r *http.Request) {
	var failed strings.Builder
	for _, c := range m.checks {
		ctx, cancel := context.WithTimeout(r.Context(), checkTimeout)
		err := c.run(ctx)
		cancel()
		if err != nil {
			// One line each, whatever the error's text holds.
			fmt.Fprintf(&failed, "%s: %s\n", c.name, strings.ReplaceAll(err.Error(), "\n", " "))
		}
	}
	var statuses strings.Builder
	for _, s := range m.statuses {
		fmt.Fprintf(&statuses, "%s: %s\n", s.name, strings.ReplaceAll(s.value(), "\n", " "))
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if failed.Len() > 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, failed.String()+statuses.String())
		return
	}
	_, _ = io.WriteString(w, "ok\n"+statuses.String())
}

// Serve listens on addr until ctx is done.
func (m *Metrics) Serve(ctx context.Context, addr string, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("metrics: listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: m.Routes(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Info("metrics listening", "addr", ln.Addr().String())
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("metrics: serve: %w", err)
	}
	return nil
}
