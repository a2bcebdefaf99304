package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"sportel/inquiry"
	"sportel/internal/devserver"
	"sportel/store"
)

// demoTelegramConfig turns the bot on against the in-process fake Bot API.
const demoTelegramConfig = `
telegram:
  token: ${SPORTEL_DEMO_TELEGRAM_TOKEN}
  api_url: %s
  poll_timeout: 1s
`

// demoChats are citizens and journalists writing to the bot.
var demoChats = []struct {
	user models.User
	text string
}{
	{models.User{ID: 501, FirstName: "Ardit", LanguageCode: "sq"}, "pershendetje, a mundeni me ma dergu listen e perfituesve te granteve per kulture 2025?"},
	{models.User{ID: 502, FirstName: "Jelena", LanguageCode: "sr"}, "Dobar dan, ja sam novinarka portala Sever Info. Da li bi ministar dao izjavu o obnovi doma kulture u Zvečanu?"},
	{models.User{ID: 503, FirstName: "Sarah", LanguageCode: "en"}, "Hi! When does the youth centre in Gjilan open on Saturdays?"},
}

// runTelegramDemo shows the second front door: three people write to the
// bot, each gets an acknowledgement in their language, and an officer
// answers one of them by replying to the notification in Telegram.
func runTelegramDemo(ctx context.Context, out io.Writer, tg *devserver.Telegram, st store.Reader) error {
	fmt.Fprintf(out, "\n━━ Telegram: %d people write to the bot @%s\n", len(demoChats), tg.Me.Username)
	wait, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for _, c := range demoChats {
		tg.MarkStarted(c.user.ID)
		sent := tg.PushText(c.user, c.text)
		ack, err := tg.WaitSent(wait, c.user.ID, func(m models.Message) bool { return strings.Contains(m.Text, "DKP-") })
		if err != nil {
			return fmt.Errorf("telegram acknowledgement to %s: %w", c.user.FirstName, err)
		}
		tickets, err := st.ListTickets(ctx, inquiry.TicketFilter{ChatID: sent.Chat.ID})
		if err != nil || len(tickets) == 0 {
			return fmt.Errorf("find %s's ticket: %v", c.user.FirstName, err)
		}
		t := tickets[len(tickets)-1]
		fmt.Fprintf(out, "   %s wrote: %q\n", c.user.FirstName, clip(c.text, 70))
		fmt.Fprintf(out, "   → %s  %s  →  %s (language %s)\n", t.Number, t.Category, t.OfficerID, t.Language)
		for _, l := range strings.Split(strings.TrimSpace(ack.Text), "\n") {
			fmt.Fprintf(out, "   │ %s\n", l)
		}
		fmt.Fprintln(out)
	}

	// The officer replies in Telegram to the notification about Ardit's
	// ticket; the answer reaches Ardit's chat.
	const jusuf = 7002
	note, err := tg.WaitSent(wait, jusuf, func(m models.Message) bool { return strings.Contains(m.Text, "Ardit") })
	if err != nil {
		return fmt.Errorf("officer notification in Telegram: %w", err)
	}
	officer := models.User{ID: jusuf, FirstName: "Jusuf"}
	tg.PushMessage(models.Message{From: &officer, Chat: models.Chat{ID: jusuf, Type: models.ChatTypePrivate},
		Text: "Lista e përfituesve është publikuar në faqen e ministrisë; jua dërgojmë edhe si dokument brenda afatit.", ReplyToMessage: &note})
	answer, err := tg.WaitSent(wait, demoChats[0].user.ID, func(m models.Message) bool { return strings.Contains(m.Text, "Lista e përfituesve") })
	if err != nil {
		return fmt.Errorf("officer's answer in Telegram: %w", err)
	}
	// The bot confirms to the officer itself, not through the outbox: wait
	// for it too, or the demo's count of Telegram messages would race it.
	confirmed, err := tg.WaitSent(wait, jusuf, func(m models.Message) bool { return strings.Contains(m.Text, "Përgjigjja për") })
	if err != nil {
		return fmt.Errorf("the bot's confirmation to the officer: %w", err)
	}
	fmt.Fprintf(out, "   Jusuf replied to his Telegram notification; Ardit received:\n")
	for _, l := range strings.Split(strings.TrimSpace(answer.Text), "\n") {
		fmt.Fprintf(out, "   │ %s\n", l)
	}
	fmt.Fprintf(out, "   and the bot told Jusuf: %s\n", confirmed.Text)
	return nil
}
