// Package metrics exposes Sportel's counters in the Prometheus text format,
// so an operator can alert on a stuck mailbox or failing sends.
package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
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
}

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

// Handler serves the registry.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Serve listens on addr until ctx is done.
func (m *Metrics) Serve(ctx context.Context, addr string, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("metrics: listen on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", m.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
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
