// Package storetest is the contract suite for store.Store: every driver's
// tests call Run, so the SQLite store and the drivers that follow are held to
// the same behaviour. Beyond what store.go documents, the suite expects what
// the domain relies on: times come back in UTC with nanoseconds kept, ids are
// given in insertion order, and every call honours its context.
package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// Run runs every contract test as a subtest of t. open must return a fresh,
// empty store and close it when its test ends (t.Cleanup). A store that
// is also a RowCounter has the rows that pruning keeps counted too.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	t.Helper()
	for _, ct := range contractTests {
		t.Run(ct.name, func(t *testing.T) { ct.fn(t, open) })
	}
}

// RunText runs the contract tests whose outcome a database's handling of
// text decides (case, letters, search), as subtests of t: a driver whose
// database has a locale runs them in one that is not its tests' own.
func RunText(t *testing.T, open func(t *testing.T) store.Store) {
	t.Helper()
	for _, ct := range contractTests {
		if textTests[ct.name] {
			t.Run(ct.name, func(t *testing.T) { ct.fn(t, open) })
		}
	}
}

var textTests = map[string]bool{
	"ListTicketsFilter": true, "SenderAddressCase": true, "SearchText": true, "SearchAsWritten": true,
	"NotText": true, "LookupNotText": true,
}

type contractTest struct {
	name string
	fn   func(t *testing.T, open func(t *testing.T) store.Store)
}

// contractTests is the suite, in the order it runs.
var contractTests = []contractTest{
	// Tickets, entries and thread references (tickets.go).
	{"TicketRoundTrip", testTicketRoundTrip},
	{"CreatedAtDefault", testCreatedAtDefault},
	{"UpdateMissingTicketFails", testUpdateMissingTicketFails},
	{"TicketByID", testTicketByID},
	{"CountTickets", testCountTickets},
	{"NextSequenceConcurrent", testNextSequenceConcurrent},
	{"RaiseSequence", testRaiseSequence},
	{"SequenceWithinOneTx", testSequenceWithinOneTx},
	{"ConcurrentTicketChanges", testConcurrentTicketChanges},
	{"WithTxLeavesNothingOnFailure", testWithTxLeavesNothingOnFailure},
	{"OnlyBusyIsMarkedBusy", testOnlyBusyIsMarkedBusy},
	{"MarkSource", testMarkSource},
	{"MarkSourceConcurrent", testMarkSourceConcurrent},
	{"FindThreadRefOrder", testFindThreadRefOrder},
	{"FindThreadRefFindsOutboxMail", testFindThreadRefFindsOutboxMail},
	{"ThreadRef", testThreadRef},
	{"Entry", testEntry},
	{"FirstEntry", testFirstEntry},
	{"SetEntryKind", testSetEntryKind},
	{"LastEntries", testLastEntries},
	{"RecordPage", testRecordPage},
	{"LatestChatTicket", testLatestChatTicket},
	{"ListTicketsFilter", testListTicketsFilter},
	{"ListTicketsPages", testListTicketsPages},
	{"SenderAddressCase", testSenderAddressCase},
	{"SearchText", testSearchText},
	{"SearchAsWritten", testSearchAsWritten},
	{"SetAside", testSetAside},
	{"NotText", testNotText},
	{"LookupNotText", testLookupNotText},
	{"LongText", testLongText},
	{"InsertIDs", testInsertIDs},
	// Reads bounded by a period (bounded.go).
	{"EachTicket", testEachTicket},
	{"EachTicketLocalYear", testEachTicketLocalYear},
	{"FailedJobs", testFailedJobs},
	// The outbox (jobs.go).
	{"TicketJobs", testTicketJobs},
	{"ListJobs", testListJobs},
	{"ClaimJobsTwoOwnersNeverShare", testClaimJobsTwoOwnersNeverShare},
	{"ClaimJobsOrderAndDue", testClaimJobsOrderAndDue},
	{"ClaimJobsByTransport", testClaimJobsByTransport},
	{"ChatAnswersInTurn", testChatAnswersInTurn},
	{"ExpiredLeaseIsReclaimable", testExpiredLeaseIsReclaimable},
	{"JobTransitions", testJobTransitions},
	{"SettleMissingJob", testSettleMissingJob},
	{"FinishJobsRecordsThreadRef", testFinishJobsRecordsThreadRef},
	{"LeaseRenewalAndRelease", testLeaseRenewalAndRelease},
	{"ReleaseJob", testReleaseJob},
	{"NextJobAt", testNextJobAt},
	{"CountJobsWindow", testCountJobsWindow},
	{"PendingJobUpdate", testPendingJobUpdate},
	{"QueueStats", testQueueStats},
	{"RequeueFailed", testRequeueFailed},
	{"JobByMessageID", testJobByMessageID},
	{"SentJobsWindow", testSentJobsWindow},
	{"HoldJobs", testHoldJobs},
	{"AddJobOnce", testAddJobOnce},
	{"CancelJobs", testCancelJobs},
	{"CancelGivesUpKey", testCancelGivesUpKey},
	{"CancelInFlight", testCancelInFlight},
	// Small state and context (state.go).
	{"Checkpoints", testCheckpoints},
	{"State", testState},
	{"CallsHonourContext", testCallsHonourContext},
	{"WebSignInLinks", testWebSignInLinks},
	{"WebSignInLinkUsedOnce", testWebSignInLinkUsedOnce},
	{"WebSignInAttempts", testWebSignInAttempts},
	{"WebSessions", testWebSessions},
	{"WebAudit", testWebAudit},
	{"WebSignInMailScrubbed", testWebSignInMailScrubbed},
	{"WebTicketPages", testWebTicketPages},
	{"WebTicketPagesWhileTicketsArrive", testWebTicketPagesWhileTicketsArrive},
	// What is kept only for a while (prune.go).
	{"PruneWeb", testPruneWeb},
	{"PruneSignInMails", testPruneSignInMails},
	{"PruneChatProgress", testPruneChatProgress},
}

// cet makes sure times given in another zone come back as the same instant.
var cet = time.FixedZone("CET", 3600)

// t0 has nanoseconds, so a store that drops them fails the round trips.
var t0 = time.Date(2026, 3, 2, 9, 30, 0, 123456789, time.UTC)

// inTx runs fn in one transaction and fails the test if it does not commit.
func inTx(t testing.TB, s store.Store, fn func(tx store.Tx) error) {
	t.Helper()
	if err := s.WithTx(context.Background(), fn); err != nil {
		t.Fatalf("WithTx: %v", err)
	}
}

func newTicket(number string, received time.Time) *inquiry.Ticket {
	return &inquiry.Ticket{
		Number: number, Channel: inquiry.ChannelEmail,
		Sender:   inquiry.Address{Name: "Arta Krasniqi", Address: "arta@example.org"},
		Language: inquiry.Albanian, Category: inquiry.DocumentRequest, Classifier: "builtin", Confidence: 0.9,
		OfficerID: "officer1", State: inquiry.Assigned, ReceivedAt: received, UpdatedAt: received,
	}
}

// createTickets files n tickets received at t0 and returns their ids.
func createTickets(t testing.TB, s store.Store, n int) []int64 {
	t.Helper()
	ids := make([]int64, n)
	inTx(t, s, func(tx store.Tx) error {
		for i := range ids {
			tk := newTicket(fmt.Sprintf("DKP-2026-%06d", i+1), t0)
			if err := tx.CreateTicket(tk); err != nil {
				return err
			}
			ids[i] = tk.ID
		}
		return nil
	})
	return ids
}

// addJobs queues n pending acks, job i due at nextAt(i), and returns their ids.
func addJobs(t testing.TB, s store.Store, n int, nextAt func(i int) time.Time) []int64 {
	t.Helper()
	ids := make([]int64, n)
	inTx(t, s, func(tx store.Tx) error {
		for i := range n {
			j := &inquiry.Job{Kind: inquiry.JobAck, Recipient: fmt.Sprintf("r%d@x", i), NextAt: nextAt(i), CreatedAt: t0,
				Mail: &inquiry.Mail{MessageID: fmt.Sprintf("job%d@sportel", i), Date: t0, Text: "x"}}
			if err := tx.AddJob(j); err != nil {
				return err
			}
			ids[i] = j.ID
		}
		return nil
	})
	return ids
}

// jobStates are all states a job can be in, to list every job through
// ListJobs without relying on an "any state" value the contract leaves open.
var jobStates = []inquiry.JobState{inquiry.JobPending, inquiry.JobDone, inquiry.JobFailed, inquiry.JobCancelled}

// allJobs returns every job in the store, keyed by id.
func allJobs(t testing.TB, s store.Store) map[int64]inquiry.Job {
	t.Helper()
	all := map[int64]inquiry.Job{}
	for _, st := range jobStates {
		jobs, err := s.ListJobs(context.Background(), st, 0)
		if err != nil {
			t.Fatalf("ListJobs(%s): %v", st, err)
		}
		for _, j := range jobs {
			if j.State != st {
				t.Errorf("ListJobs(%s) returned job %d in state %s", st, j.ID, j.State)
			}
			all[j.ID] = j
		}
	}
	return all
}

// jobByID returns the job with id, failing the test if it is not stored.
func jobByID(t testing.TB, s store.Store, id int64) inquiry.Job {
	t.Helper()
	j, ok := allJobs(t, s)[id]
	if !ok {
		t.Fatalf("job %d is not stored", id)
	}
	return j
}
