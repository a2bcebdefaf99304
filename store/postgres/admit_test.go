package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// AdmitJob counts, against the cap, the hour's sends and the jobs other
// claims admitted that are still in flight under a live lease: not one
// whose lease ran out (its instance died), one given back (no claim), one
// claimed but not admitted yet, nor the job asking. A job its owner no
// longer holds is not admitted.
func TestAdmitJobCountsEveryInstancesSendsInFlight(t *testing.T) {
	ctx := context.Background()
	const cap = 3
	now := t0.Add(time.Minute)
	// Each other job's row as the admission finds it.
	const (
		inFlight = `claimed_by = 'other', lease_until = $2, admitted_at = $3`
		dead     = `claimed_by = 'dead', lease_until = $3, admitted_at = $3`
		givenUp  = `claimed_by = NULL, lease_until = NULL, admitted_at = $3`
		claimed  = `claimed_by = 'other', lease_until = $2, admitted_at = NULL`
		sent     = `state = 'done', finished_at = $3, admitted_at = $3`
		sentLong = `state = 'done', finished_at = $3 - interval '2 hours', admitted_at = $3`
	)
	tests := []struct {
		name         string
		others       []string
		wantAdmitted bool
		wantCounted  int
	}{
		{"nothing sent or in flight", nil, true, 0},
		{"two in flight on other instances and one sent fill the cap", []string{inFlight, inFlight, sent}, false, 3},
		{"one in flight and one sent leave room", []string{inFlight, sent}, true, 2},
		{"a dead instance's, one given back, one not admitted yet and one sent hours ago count nothing",
			[]string{dead, givenUp, claimed, sentLong}, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, dsn := openFresh(t)
			raw := rawConn(t, dsn)
			var ids []int64
			if err := s.WithTx(ctx, func(tx store.Tx) error {
				for i := range len(tt.others) + 1 {
					j := &inquiry.Job{Kind: inquiry.JobAck, Recipient: fmt.Sprintf("r%d@x", i), NextAt: t0, CreatedAt: t0}
					if err := tx.AddJob(j); err != nil {
						return err
					}
					ids = append(ids, j.ID)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			mine := ids[len(ids)-1]
			if _, err := raw.Exec(ctx, `UPDATE jobs SET claimed_by = 'me', lease_until = $2 WHERE id = $1`, mine, now.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			for i, set := range tt.others {
				if _, err := raw.Exec(ctx, `UPDATE jobs SET `+set+` WHERE id = $1 AND $2::timestamptz IS NOT NULL AND $3::timestamptz IS NOT NULL`, ids[i], now.Add(time.Minute), now.Add(-time.Second)); err != nil {
					t.Fatalf("%s: %v", set, err)
				}
			}
			admitted, counted, _, err := s.AdmitJob(ctx, mine, "me", inquiry.JobAck, now.Add(-time.Hour), cap, now)
			if err != nil || admitted != tt.wantAdmitted || counted != tt.wantCounted {
				t.Errorf("AdmitJob = %v, %d, %v; want %v, %d", admitted, counted, err, tt.wantAdmitted, tt.wantCounted)
			}
			if ok, _, _, err := s.AdmitJob(ctx, mine, "thief", inquiry.JobAck, now.Add(-time.Hour), cap, now); err != nil || ok {
				t.Errorf("AdmitJob by an owner without the claim = %v, %v; want false", ok, err)
			}
			// A new claim clears the admission: until admitted again the
			// job is not counted as in flight.
			if _, err := raw.Exec(ctx, `UPDATE jobs SET claimed_by = NULL, lease_until = NULL WHERE id = $1`, mine); err != nil {
				t.Fatal(err)
			}
			if c, err := s.ClaimJobs(ctx, "me2", now, time.Minute, 10); err != nil || len(c) == 0 {
				t.Fatalf("claim again = %v, %v", c, err)
			}
			var admittedAt *time.Time
			if err := raw.QueryRow(ctx, `SELECT admitted_at FROM jobs WHERE id = $1`, mine).Scan(&admittedAt); err != nil || admittedAt != nil {
				t.Errorf("admitted_at after a new claim = %v, %v; want none", admittedAt, err)
			}
		})
	}
}
