package bot

import (
	"time"

	"sportel/inquiry"
)

// staff is what a configuration reload may change in a running bot: the
// officers (their Telegram ids decide who may act), the refusal grounds
// their buttons offer and the zone deadlines are shown in.
type staff struct {
	officers []inquiry.Officer
	byUser   map[int64]inquiry.Officer
	byID     map[string]inquiry.Officer
	grounds  []Ground
	location *time.Location
}

func newStaff(officers []inquiry.Officer, grounds []Ground, loc *time.Location) *staff {
	if loc == nil {
		loc = time.UTC
	}
	s := &staff{officers: officers, byUser: map[int64]inquiry.Officer{}, byID: map[string]inquiry.Officer{},
		grounds: grounds, location: loc}
	for _, o := range officers {
		if o.TelegramUserID != 0 {
			s.byUser[o.TelegramUserID] = o
		}
		s.byID[o.ID] = o
	}
	return s
}

// Reconfigure replaces the officers, the refusal grounds and the time zone
// of a running bot (a reloaded configuration). Nothing is restarted: the
// long poll and the chats' state go on, and the next lookup sees the new
// staff.
func (b *Bot) Reconfigure(officers []inquiry.Officer, grounds []Ground, loc *time.Location) {
	b.staff.Store(newStaff(officers, grounds, loc))
}

// officer is the configured officer with Telegram user id userID.
func (b *Bot) officer(userID int64) (inquiry.Officer, bool) {
	o, ok := b.staff.Load().byUser[userID]
	return o, ok
}
