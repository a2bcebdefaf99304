package metrics

import (
	"context"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// StoreGauge registers a gauge read from the store at each scrape (within
// checkTimeout). When read fails the gauge is NaN, unknown rather than
// zero, and the failure is logged at warn when it begins and at info when
// a read works again, not at every scrape: a store down for an hour would
// otherwise be a line every scrape interval on every instance, and the
// line that says when it began would scroll away. Later failures of the
// same outage go to debug.
func (m *Metrics) StoreGauge(name, help string, log *slog.Logger, read func(context.Context) (float64, error)) {
	f := &readFailures{log: log.With("metric", name), now: time.Now}
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), checkTimeout)
		defer cancel()
		v, err := read(ctx)
		if err != nil {
			f.failed(err)
			return math.NaN()
		}
		f.answered()
		return v
	}))
}

// readFailures tracks whether a gauge's reads are failing, to say so once
// an outage. Scrapes may come at once (two Prometheus servers), hence the
// lock.
type readFailures struct {
	log *slog.Logger
	now func() time.Time

	mu      sync.Mutex
	failing bool
	since   time.Time
}

func (f *readFailures) failed(err error) {
	f.mu.Lock()
	first := !f.failing
	if first {
		f.failing, f.since = true, f.now()
	}
	f.mu.Unlock()
	if first {
		f.log.Warn("store failing: this metric cannot be read and is reported unknown (NaN) until it can (logged again then)", "err", err)
		return
	}
	f.log.Debug("store still failing: metric unknown", "err", err)
}

func (f *readFailures) answered() {
	f.mu.Lock()
	was, since := f.failing, f.since
	f.failing = false
	f.mu.Unlock()
	if was {
		f.log.Info("metric read from the store again", "failing_for", f.now().Sub(since).Round(time.Millisecond))
	}
}
