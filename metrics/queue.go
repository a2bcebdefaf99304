package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// QueueFigures are the division's queue and the outbox at one scrape.
type QueueFigures struct {
	Open, DueSoon, Overdue  int
	PendingJobs, FailedJobs int
	// OldestDueAge is how long the longest-waiting due job has waited (0:
	// none is due).
	OldestDueAge time.Duration
}

// Queue registers gauges read through read at each scrape: open tickets,
// deadlines, outbox depth and age. One read serves every gauge, so they
// agree with each other; when it fails, sportel_queue_stats_ok is 0 and the
// other gauges are left out of that scrape rather than reported as zero.
func (m *Metrics) Queue(read func(context.Context) (QueueFigures, error)) {
	m.reg.MustRegister(&queueCollector{read: read,
		ok:       prometheus.NewDesc("sportel_queue_stats_ok", "1 when the queue figures below could be read from the store at this scrape, else 0.", nil, nil),
		open:     prometheus.NewDesc("sportel_tickets_open", "Tickets being worked (assigned or answered).", nil, nil),
		dueSoon:  prometheus.NewDesc("sportel_tickets_due_within_48h", "Open tickets whose legal deadline falls within 48 hours.", nil, nil),
		overdue:  prometheus.NewDesc("sportel_tickets_overdue", "Open tickets whose legal deadline has passed. Alert on it.", nil, nil),
		pending:  prometheus.NewDesc("sportel_outbox_pending_jobs", "Outbox jobs not sent yet (including those waiting for a retry or a later hour).", nil, nil),
		failed:   prometheus.NewDesc("sportel_outbox_failed_jobs", "Outbox jobs given up after their last attempt; `sportel tickets list --failed-jobs` lists them.", nil, nil),
		oldestAt: prometheus.NewDesc("sportel_outbox_oldest_due_job_age_seconds", "How long the longest-waiting due outbox job has waited (0: none is due). Alert when it keeps growing.", nil, nil),
	})
}

type queueCollector struct {
	read                                                  func(context.Context) (QueueFigures, error)
	ok, open, dueSoon, overdue, pending, failed, oldestAt *prometheus.Desc
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.ok, c.open, c.dueSoon, c.overdue, c.pending, c.failed, c.oldestAt} {
		ch <- d
	}
}

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), checkTimeout)
	defer cancel()
	q, err := c.read(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(c.ok, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.ok, prometheus.GaugeValue, 1)
	for _, g := range []struct {
		d *prometheus.Desc
		v float64
	}{
		{c.open, float64(q.Open)}, {c.dueSoon, float64(q.DueSoon)}, {c.overdue, float64(q.Overdue)},
		{c.pending, float64(q.PendingJobs)}, {c.failed, float64(q.FailedJobs)}, {c.oldestAt, q.OldestDueAge.Seconds()},
	} {
		ch <- prometheus.MustNewConstMetric(g.d, prometheus.GaugeValue, g.v)
	}
}
