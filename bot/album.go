package bot

import "strings"

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
// memory for the others. Parts split across two fetches are filed in the
// order they came, as before.

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
