package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"sportel/store"
)

// retryFailed makes failed sends pending again: the jobs named by id, or
// every failed job with all. `sportel run` sends them (the same mail, with
// the same Message-ID) at its next pass over the outbox. Useful after a
// relay refused every mail for a while and the cause is fixed.
func retryFailed(ctx context.Context, st store.Jobs, args []string, all bool, w io.Writer, now time.Time) error {
	if all == (len(args) > 0) {
		return usageError{"give the failed jobs' ids (from `sportel tickets list --failed-jobs`) or --all"}
	}
	ids := make([]int64, len(args))
	for i, a := range args {
		id, err := strconv.ParseInt(a, 10, 64)
		if err != nil || id <= 0 {
			return usageError{fmt.Sprintf("%q is not a job id", a)}
		}
		ids[i] = id
	}
	done, err := st.RequeueFailed(ctx, ids, now)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%d failed jobs are pending again; `sportel run` sends them\n", len(done))
	if len(ids) > 0 && len(done) < len(ids) {
		requeued := make(map[int64]bool, len(done))
		for _, id := range done {
			requeued[id] = true
		}
		var left []string
		for _, id := range ids {
			if !requeued[id] {
				left = append(left, strconv.FormatInt(id, 10))
			}
		}
		// A mistyped id, or one sent meanwhile: a script must see it.
		return fmt.Errorf("not failed jobs, left alone: %s (see `sportel tickets list --failed-jobs`)", strings.Join(left, ", "))
	}
	return nil
}
