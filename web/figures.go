package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"sportel/inquiry"
	"sportel/report"
)

// The figures page: the year's access-to-documents report (the same
// numbers as `sportel report access-documents`) and the inbox's weekly
// volumes by category and channel, with CSV downloads.

type figuresData struct {
	Year     int
	Years    []option
	Access   report.AccessReport
	Median   string
	P90      string
	Category template.HTML
	Channel  template.HTML
	From, To string
}

func (s *Server) figuresYear(r *http.Request) (int, bool) {
	now := s.cfg.Now().In(s.settings().Location)
	y := now.Year()
	if v := r.URL.Query().Get("year"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 2000 || n > now.Year() {
			return 0, false
		}
		y = n
	}
	return y, true
}

// yearSpan is the year's first day and its last (today, for this year).
func (s *Server) yearSpan(year int) (time.Time, time.Time) {
	loc := s.settings().Location
	first := time.Date(year, 1, 1, 0, 0, 0, 0, loc)
	last := time.Date(year, 12, 31, 0, 0, 0, 0, loc)
	if now := s.cfg.Now().In(loc); now.Before(last) {
		last = now
	}
	return first, last
}

// yearFigures reads the tickets received in year once, as the store reads
// them, into both the annual report and the weekly volumes: what is held is
// the two counters, not the year's tickets, so a busy year costs no more
// memory than a quiet one.
func (s *Server) yearFigures(ctx context.Context, year int) (report.AccessReport, report.WeeklyReport, error) {
	// One set of settings throughout, should a reload come meanwhile.
	set := s.settings()
	first, last := s.yearSpan(year)
	access := report.NewAccessCounter(year, first.Location(), s.cfg.Now())
	weekly := report.NewWeeklyCounter(first, last, first.Location())
	// Both count tickets received in the year, in the workspace's
	// calendar: only those are read, not every ticket of every year.
	err := s.store.EachTicket(ctx, inquiry.TicketFilter{
		ReceivedFrom:   first,
		ReceivedBefore: time.Date(year+1, 1, 1, 0, 0, 0, 0, first.Location()),
	}, func(t inquiry.Ticket) error {
		access.Add(t)
		weekly.Add(t)
		return nil
	})
	if err != nil {
		return report.AccessReport{}, report.WeeklyReport{}, fmt.Errorf("read the tickets of %d: %w", year, err)
	}
	rep := access.Report()
	rep.GroundLabels = map[string]string{}
	for _, g := range set.RefusalGrounds {
		rep.GroundLabels[g.ID] = g.Label[inquiry.Albanian]
	}
	return rep, weekly.Report(), nil
}

func (s *Server) figuresPage(w http.ResponseWriter, r *http.Request, sess *session) {
	p := s.newPage(r, sess, translate(s.language(r, sess), "figures"))
	year, ok := s.figuresYear(r)
	if !ok {
		s.fail(w, r, sess, http.StatusBadRequest, "not_found")
		return
	}
	rep, weekly, err := s.yearFigures(r.Context(), year)
	if err != nil {
		s.internal(w, r, sess, "read tickets", err)
		return
	}
	first, last := s.yearSpan(year)
	d := figuresData{Year: year, Access: rep, Median: days(rep.MedianDays), P90: days(rep.P90Days),
		From: first.Format("02.01.2006"), To: last.Format("02.01.2006")}
	if d.Category, err = weekly.Figure("category", string(p.Lang)); err == nil {
		d.Channel, err = weekly.Figure("channel", string(p.Lang))
	}
	if err != nil {
		s.internal(w, r, sess, "draw weekly figures", err)
		return
	}
	thisYear := s.cfg.Now().In(s.settings().Location).Year()
	for y := thisYear; y >= thisYear-4; y-- {
		d.Years = append(d.Years, option{Value: strconv.Itoa(y), Label: strconv.Itoa(y), Selected: y == year})
	}
	p.D = d
	s.render(w, http.StatusOK, "figures", p)
}

func days(x *float64) string {
	if x == nil {
		return "–"
	}
	return strconv.FormatFloat(*x, 'f', 1, 64)
}

var figureFile = regexp.MustCompile(`^(access|weekly)-(\d{4})\.(html|csv)$`)

// figuresDownload serves the annual report's page and the CSV files.
func (s *Server) figuresDownload(w http.ResponseWriter, r *http.Request, sess *session) {
	m := figureFile.FindStringSubmatch(r.PathValue("file"))
	if m == nil || (m[1] == "weekly" && m[3] == "html") {
		s.fail(w, r, sess, http.StatusNotFound, "not_found")
		return
	}
	year, _ := strconv.Atoi(m[2])
	if year < 2000 || year > s.cfg.Now().In(s.settings().Location).Year() {
		s.fail(w, r, sess, http.StatusNotFound, "not_found")
		return
	}
	rep, weekly, err := s.yearFigures(r.Context(), year)
	if err != nil {
		s.internal(w, r, sess, "read tickets", err)
		return
	}
	var b bytes.Buffer
	switch {
	case m[1] == "weekly":
		err = weekly.WriteCSV(&b)
	default:
		err = rep.Write(&b, m[3])
	}
	if err != nil {
		s.internal(w, r, sess, "write report", err)
		return
	}
	s.audit(r.Context(), sess.OfficerID, "download_figures", "", m[0])
	if m[3] == "html" {
		// The report is one self-contained page with its own inline CSS
		// (so it can be mailed and printed); still no scripts.
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(b.Bytes())
		return
	}
	download(w, fmt.Sprintf("sportel-%s", m[0]), "text/csv; charset=utf-8", b.Bytes())
}
