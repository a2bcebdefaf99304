package app

import (
	"context"
	"time"

	"sportel/desk"
	"sportel/inquiry"
)

// liveDesk is the desk in use as the bot and the web workspace see it:
// every call goes to the desk the last configuration (re)load built, so a
// reload reaches officers' actions at once; intake goes through the app,
// so Telegram's is counted like email's.
type liveDesk struct{ a *App }

func (l liveDesk) Handle(ctx context.Context, m *inquiry.Message) (inquiry.Disposition, error) {
	return l.a.Handle(ctx, m)
}

func (l liveDesk) Quarantine(ctx context.Context, m *inquiry.Message, reason string) (inquiry.Disposition, error) {
	return l.a.Quarantine(ctx, m, reason)
}

func (l liveDesk) Known(ctx context.Context, sourceID string) (bool, error) {
	return l.a.Desk().Known(ctx, sourceID)
}

func (l liveDesk) Take(ctx context.Context, number, officerID string) (inquiry.Ticket, error) {
	return l.a.Desk().Take(ctx, number, officerID)
}

func (l liveDesk) Assign(ctx context.Context, number, officerID, by string) (inquiry.Ticket, error) {
	return l.a.Desk().Assign(ctx, number, officerID, by)
}

func (l liveDesk) Recategorize(ctx context.Context, number string, c inquiry.Category, by string) (inquiry.Ticket, error) {
	return l.a.Desk().Recategorize(ctx, number, c, by)
}

func (l liveDesk) Answer(ctx context.Context, number, officerID, text string) (inquiry.Ticket, error) {
	return l.a.Desk().Answer(ctx, number, officerID, text)
}

func (l liveDesk) AnswerOnce(ctx context.Context, key, number, officerID, text string) (inquiry.Ticket, bool, error) {
	return l.a.Desk().AnswerOnce(ctx, key, number, officerID, text)
}

func (l liveDesk) AnswerOnceWithFiles(ctx context.Context, key, number, officerID, text string, files []inquiry.ChatFile) (inquiry.Ticket, bool, error) {
	return l.a.Desk().AnswerOnceWithFiles(ctx, key, number, officerID, text, files)
}

func (l liveDesk) Ticket(ctx context.Context, number string) (inquiry.Ticket, bool, error) {
	return l.a.Desk().Ticket(ctx, number)
}

func (l liveDesk) TicketByRef(ctx context.Context, ref string) (inquiry.Ticket, inquiry.ThreadRef, bool, error) {
	return l.a.Desk().TicketByRef(ctx, ref)
}

func (l liveDesk) Tickets(ctx context.Context, f inquiry.TicketFilter) ([]inquiry.Ticket, error) {
	return l.a.Desk().Tickets(ctx, f)
}

func (l liveDesk) LinkPrivateChat(ctx context.Context, number string, userID, chatID int64) (inquiry.Ticket, error) {
	return l.a.Desk().LinkPrivateChat(ctx, number, userID, chatID)
}

func (l liveDesk) Urgent(ctx context.Context, number string, on bool, by string) (inquiry.Ticket, error) {
	return l.a.Desk().Urgent(ctx, number, on, by)
}

func (l liveDesk) SetUrgent(ctx context.Context, number string, on bool, by string) (inquiry.Ticket, desk.UrgentChange, error) {
	return l.a.Desk().SetUrgent(ctx, number, on, by)
}

func (l liveDesk) Extend(ctx context.Context, number string, days int, reason, by string) (inquiry.Ticket, error) {
	return l.a.Desk().Extend(ctx, number, days, reason, by)
}

func (l liveDesk) NotHeld(ctx context.Context, number, holder, by string) (inquiry.Ticket, error) {
	return l.a.Desk().NotHeld(ctx, number, holder, by)
}

func (l liveDesk) CloseWith(ctx context.Context, number string, c desk.Closing, by string) (inquiry.Ticket, error) {
	return l.a.Desk().CloseWith(ctx, number, c, by)
}

func (l liveDesk) CloseWithOnce(ctx context.Context, key, number string, c desk.Closing, by string) (inquiry.Ticket, bool, error) {
	return l.a.Desk().CloseWithOnce(ctx, key, number, c, by)
}

func (l liveDesk) Reopen(ctx context.Context, number, by string) (inquiry.Ticket, error) {
	return l.a.Desk().Reopen(ctx, number, by)
}

func (l liveDesk) Note(ctx context.Context, number, author, text string) (inquiry.Ticket, error) {
	return l.a.Desk().Note(ctx, number, author, text)
}

func (l liveDesk) NoteOnce(ctx context.Context, key, number, author, text string) (inquiry.Ticket, bool, error) {
	return l.a.Desk().NoteOnce(ctx, key, number, author, text)
}

func (l liveDesk) MailSignInLink(ctx context.Context, officerID, link string, expires time.Time) error {
	return l.a.Desk().MailSignInLink(ctx, officerID, link, expires)
}

func (l liveDesk) StandardText(kind string, t inquiry.Ticket, officerID string) (string, error) {
	return l.a.Desk().StandardText(kind, t, officerID)
}
