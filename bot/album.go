package bot

import (
	"strconv"
	"strings"
	"time"
)

// An album (photos or documents sent together) comes as one update a
// file, sharing a media_group_id, with the caption on one of them: the
// first for photos, often the last for documents. Filed in the order they
// came, an album whose first part has no words opened a ticket on a bare
// file, acknowledged as a general question and routed so, and the caption
// then reclassified it: a corrected acknowledgement to the citizen, a
// notification to an officer the ticket was no longer theirs. So, of the
// parts one fetch gives, the captioned one is handled first and the rest
// join its ticket as the conversation's files. Each part is still filed
// on its own, and nothing is confirmed before it is: no part waits in
// memory for the others. A fetch may end inside an album (the long poll
// answers as soon as its first part is there): an album at the end of a
// fetch with no words yet is left unconfirmed for a moment (albumWait), so
// the next fetch brings it again with its caption.

// captionFirst moves, in each run of consecutive updates that are parts of
// one album, the first part with words to the front of the run.
func captionFirst(updates []fetched) []fetched {
	for start := 0; start < len(updates); {
		end := start + 1
		for end < len(updates) && sameAlbum(updates[start], updates[end]) {
			end++
		}
		run := updates[start:end]
		for i := 1; i < len(run) && !hasWords(run[0]); i++ {
			if hasWords(run[i]) {
				captioned := run[i]
				copy(run[1:i+1], run[:i])
				run[0] = captioned
			}
		}
		start = end
	}
	return updates
}

// sameAlbum reports whether a and b are parts of one album in one chat.
func sameAlbum(a, b fetched) bool {
	if a.unreadable != "" || b.unreadable != "" || a.Message == nil || b.Message == nil {
		return false
	}
	return a.Message.MediaGroupID != "" && a.Message.MediaGroupID == b.Message.MediaGroupID &&
		a.Message.Chat.ID == b.Message.Chat.ID
}

func hasWords(f fetched) bool {
	return f.Message != nil && strings.TrimSpace(messageText(f.Message)) != ""
}

// confirmable is the offset that confirms updates[:i+1], handled, and none
// of those after them, which captionFirst may have put behind a later id.
func confirmable(updates []fetched, i int) int64 {
	var next int64
	for _, f := range updates[:i+1] {
		next = max(next, f.ID+1)
	}
	for _, f := range updates[i+1:] {
		next = min(next, f.ID)
	}
	return next
}

// albumWait is how long an album with no words yet, at the end of a fetch,
// waits for its other parts; albumPoll is how often it asks for them. A
// client sends an album's parts in one request, so they come within
// milliseconds; an album sent without a caption is filed after the wait.
const (
	albumWait = time.Second
	albumPoll = 100 * time.Millisecond
)

// albumHold remembers when the bot first saw each album it holds back:
// the fetches that bring it again do not restart its wait. The times are
// the machine's clock, not the desk's: the wait is for Telegram.
type albumHold map[string]time.Time

// ready returns how many of updates (after captionFirst) may be handled
// now: all, unless they end with parts of an album that has no words yet
// and has waited less than albumWait since it was first seen.
func (h albumHold) ready(updates []fetched, now time.Time) int {
	for key, first := range h {
		if now.Sub(first) > time.Minute {
			delete(h, key) // an album handled or gone; keep the map small
		}
	}
	n := len(updates)
	if n == 0 || !sameAlbum(updates[n-1], updates[n-1]) { // not an album's part
		return n
	}
	start := n - 1
	for start > 0 && sameAlbum(updates[start-1], updates[n-1]) {
		start--
	}
	last := updates[n-1].Message
	key := strconv.FormatInt(last.Chat.ID, 10) + ":" + last.MediaGroupID
	if hasWords(updates[start]) {
		delete(h, key)
		return n
	}
	first, seen := h[key]
	if !seen {
		h[key], first = now, now
	}
	if now.Sub(first) < albumWait {
		return start
	}
	delete(h, key)
	return n
}
