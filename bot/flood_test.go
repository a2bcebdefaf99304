package bot_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"sportel/bot"
	"sportel/desk"
	"sportel/inquiry"
	"sportel/internal/testutil"
)

// floodText is the i-th message of a chat that will not stop writing.
func floodText(i int) string {
	return fmt.Sprintf("Hello, what are the opening hours of the ethnographic museum on Sundays? Please answer (%d).", i)
}

func TestTelegramFloodGivesOneTicketAndFewNotifications(t *testing.T) {
	const n = 200
	f := newFixture(t, setup{deskCfg: func(c *desk.Config) { c.NotifyQuiet = time.Hour }})
	for i := range n {
		f.tg.PushText(john, floodText(i))
	}
	f.settle()

	ts := f.tickets()
	if len(ts) != 1 {
		t.Fatalf("%d tickets from one chat's burst, want 1", len(ts))
	}
	tk := ts[0]
	entries, err := f.store.Entries(f.ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	inbound := 0
	for _, e := range entries {
		if e.Kind == inquiry.EntryInbound {
			inbound++
		}
	}
	if inbound != n {
		t.Errorf("%d messages recorded, want all %d", inbound, n)
	}
	// The new ticket: mail, the officer's chat and the officers' group;
	// the rest: one digest by mail and one in the officer's chat.
	notes := f.jobs(tk.Number, inquiry.JobNotify)
	if len(notes) > 5 {
		t.Fatalf("%d officer notifications for a burst of %d messages, want at most 5", len(notes), n)
	}
	covered := map[int64]int{} // by chat; 0 is mail
	for _, j := range notes {
		var chat int64
		if j.Chat != nil {
			chat = j.Chat.ChatID
		}
		if j.Digest == nil {
			covered[chat]++
		} else {
			covered[chat] += j.Digest.Count
		}
	}
	if covered[zamira.ID] != n || covered[0] != n || covered[officersChat] != 1 {
		t.Errorf("notifications cover %d messages in the officer's chat, %d by mail and %d in the officers' group; want %d, %d and 1 (the new ticket)",
			covered[zamira.ID], covered[0], covered[officersChat], n, n)
	}
	// Until the quiet interval ends the officer's chat holds one message.
	if got := len(f.tg.Sent(zamira.ID)); got != 1 {
		t.Errorf("the officer got %d Telegram messages during the burst, want 1", got)
	}
}

func TestOfficerReplyToTelegramDigestIsRelayed(t *testing.T) {
	// The three follow-ups must all arrive within the quiet interval after
	// the first notification to share one digest: 2 s leaves room for a
	// loaded machine (300 ms did not, under -race beside other builds).
	f := newFixture(t, setup{deskCfg: func(c *desk.Config) { c.NotifyQuiet = 2 * time.Second }})
	f.say(john, generalEN)
	tk := f.tickets()[0]
	for i := range 3 {
		f.tg.PushText(john, floodText(i))
	}
	f.settle()
	var digest models.Message
	testutil.Eventually(t, "the digest in the officer's chat", 30*time.Second, func() (bool, error) {
		if err := f.outbox.Drain(f.ctx); err != nil {
			return false, err
		}
		for _, m := range f.tg.Sent(zamira.ID) {
			if strings.Contains(m.Text, "3 mesazhe të reja") {
				digest = m
				return true, nil
			}
		}
		return false, nil
	})
	if miss := containsAll(digest.Text, tk.Number, "(0)", "(2)"); len(miss) > 0 {
		t.Errorf("digest lacks %q:\n%s", miss, digest.Text)
	}
	if len(buttonData(digest)) == 0 {
		t.Error("the digest offers no buttons")
	}

	answer := "The museum is open from 10 to 18 on Sundays."
	f.tg.PushMessage(models.Message{From: &zamira, Chat: models.Chat{ID: zamira.ID, Type: models.ChatTypePrivate},
		Text: answer, ReplyToMessage: &digest})
	f.settle()
	if got := f.ticket(tk.Number); got.State != inquiry.Answered {
		t.Errorf("ticket state %s after the answer to the digest, want answered", got.State)
	}
	if got := f.lastSent(john.ID).Text; !strings.Contains(got, answer) || !strings.Contains(got, tk.Number) {
		t.Errorf("citizen got %q", got)
	}
}

// BenchmarkTelegramFlood pushes one chat's burst through the bot's update
// loop (fake Bot API, real store, the outbox running) and reports messages
// per second. The rate for 1,600 should match the rate for 200: the cost
// per message does not grow with the conversation.
func BenchmarkTelegramFlood(b *testing.B) {
	for _, n := range []int{200, 1600} {
		b.Run(fmt.Sprintf("msgs=%d", n), func(b *testing.B) {
			f := newFixture(b, setup{
				opts:    func(o *bot.Options) { o.FloodMessages = 1 << 20 },
				deskCfg: func(c *desk.Config) { c.NotifyQuiet = 2 * time.Minute }, // the default
			})
			defer testutil.RunBackground(b, "outbox", stopLimit, f.outbox.Run)()
			var total time.Duration
			for i := range b.N {
				user := models.User{ID: int64(300000 + i), FirstName: "Flood", LanguageCode: "en"}
				start := time.Now()
				for k := range n {
					f.tg.PushText(user, floodText(k))
				}
				if err := f.tg.WaitDrained(f.ctx); err != nil {
					b.Fatal(err)
				}
				total += time.Since(start)
			}
			b.ReportMetric(float64(n*b.N)/total.Seconds(), "msgs/s")
		})
	}
}

// A chat muted for flooding gets no answers, but what it says is still
// filed: a "/new" with words opens the ticket it asks for; the commands
// that carry no message are not answered.
func TestMutedChatsNewWithWordsIsFiled(t *testing.T) {
	f := newFixture(t, setup{opts: func(o *bot.Options) { o.FloodMessages, o.FloodPer = 3, time.Hour }})
	for i := range 4 {
		f.tg.PushText(john, floodText(i))
	}
	f.settle()
	sentBefore := len(f.tg.Sent(john.ID))
	const request = "Kërkoj kopjen e kontratës për renovimin e teatrit në Prizren."
	f.tg.PushText(john, "/status")
	f.tg.PushText(john, "/new "+request)
	f.settle()

	ts := f.tickets()
	if len(ts) != 2 {
		t.Fatalf("%d tickets, want 2: the flood's and the one /new asked for", len(ts))
	}
	entries, err := f.store.Entries(f.ctx, ts[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 || !strings.Contains(entries[0].Text, request) {
		t.Errorf("the new ticket's first message = %+v, want the words after /new", entries)
	}
	if got := len(f.tg.Sent(john.ID)); got != sentBefore {
		t.Errorf("the muted chat got %d more messages, want none", got-sentBefore)
	}
}
