package main

import (
	"context"
	"errors"
	"fmt"
	"os/user"
	"strings"
	"testing"
	"time"

	"sportel/app"
	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/store"
)

func TestTicketsRetryFailed(t *testing.T) {
	path, vars, cfg := openTicketsConfig(t)
	ctx := context.Background()
	a, err := app.Open(ctx, cfg, testutil.DiscardLogger())
	if err != nil {
		t.Fatal(err)
	}
	// Two acknowledgements the relay refused for good.
	ids := addFailedAcks(t, a, "ack", 2)
	a.Close()

	steps := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"tickets", "list", "--failed-jobs"}, 0, "relay refused"},
		{[]string{"tickets", "retry-failed"}, 2, "or --all"},
		{[]string{"tickets", "retry-failed", "--all", fmt.Sprint(ids[0])}, 2, "or --all"},
		{[]string{"tickets", "retry-failed", "seven"}, 2, `"seven" is not a job id`},
		{[]string{"tickets", "retry-failed", fmt.Sprint(ids[0]), "999"}, 1, "not failed jobs, left alone: 999"},
		{[]string{"tickets", "retry-failed", fmt.Sprint(ids[0])}, 1, "not failed jobs, left alone: " + fmt.Sprint(ids[0])},
		{[]string{"tickets", "retry-failed", "--all"}, 0, "1 failed jobs are pending again"},
	}
	for _, s := range steps {
		code, out, errOut := runCmd(t, "", vars, append(s.args, "--config", path)...)
		if code != s.code || !strings.Contains(out+errOut, s.want) {
			t.Errorf("%v: exit %d, output %q %q; want exit %d containing %q", s.args, code, out, errOut, s.code, s.want)
		}
	}

	a, err = app.Open(ctx, cfg, testutil.DiscardLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for _, state := range []inquiry.JobState{inquiry.JobFailed, inquiry.JobPending} {
		jobs, err := a.Store().ListJobs(ctx, state, 0)
		if err != nil {
			t.Fatal(err)
		}
		want := map[inquiry.JobState]int{inquiry.JobFailed: 0, inquiry.JobPending: 2}[state]
		if len(jobs) != want {
			t.Errorf("%d %s jobs after retry-failed, want %d", len(jobs), state, want)
		}
	}
}

func TestAuditUser(t *testing.T) {
	osUser := func(name string, err error) func() (*user.User, error) {
		return func() (*user.User, error) { return &user.User{Username: name}, err }
	}
	cases := []struct {
		name    string
		env     map[string]string
		current func() (*user.User, error)
		want    string
	}{
		{"behind sudo", map[string]string{"SUDO_USER": "arta", "USER": "sportel"}, osUser("sportel", nil), "arta"},
		{"os user", map[string]string{}, osUser("jusuf", nil), "jusuf"},
		{"cron without USER", map[string]string{}, osUser("sportel", nil), "sportel"},
		{"no user database", map[string]string{"USER": "zamira"}, osUser("", errors.New("unknown userid 1001")), "zamira"},
		{"nothing at all", map[string]string{}, osUser("", errors.New("unknown userid 1001")), "unknown"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := auditUser(func(k string) string { return c.env[k] }, c.current); got != c.want {
				t.Errorf("auditUser = %q, want %q", got, c.want)
			}
		})
	}
}

// addFailedAcks queues n acknowledgements to q<i>@example.net, with
// Message-IDs <prefix>-<i>@sportel, and fails them for good as a relay
// refusing them would; it returns the jobs' ids.
func addFailedAcks(t *testing.T, a *app.App, prefix string, n int) []int64 {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	var ids []int64
	err := a.Store().WithTx(ctx, func(tx store.Tx) error {
		for i := range n {
			j := &inquiry.Job{Kind: inquiry.JobAck, Recipient: fmt.Sprintf("q%d@example.net", i), State: inquiry.JobPending, NextAt: now, CreatedAt: now,
				Mail: &inquiry.Mail{MessageID: fmt.Sprintf("%s-%d@sportel", prefix, i), Date: now, Text: "x"}}
			if err := tx.AddJob(j); err != nil {
				return err
			}
			ids = append(ids, j.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Claims every due job: those of tickets filed before too.
	if _, err := a.Store().ClaimJobs(ctx, "test", now, time.Minute, 1000); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if err := a.Store().FailJob(ctx, id, "test", "554 5.7.1 relay refused", now); err != nil {
			t.Fatal(err)
		}
	}
	return ids
}
