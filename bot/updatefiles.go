package bot

import "context"

// updateFiles holds what the downloads of the update in hand gave, so that
// an update the desk failed does not fetch its files again on each retry:
// a hung file server would cost FileTimeout a try, and a working one the
// same bytes again. It holds one update's at a time, and Run drops them
// once that update is confirmed or set aside. Only Run's goroutine uses it
// (handlers run inside Run's loop, one update at a time).
type updateFiles struct {
	// stop is Run's own context, which ends at the shutdown: a download
	// ends with it (download), where handling goes on for a grace.
	stop   context.Context
	update int64
	got    map[string]fetchResult // by Telegram file id
}

func newUpdateFiles(stop context.Context) *updateFiles {
	return &updateFiles{stop: stop}
}

// begin starts handling update: what another update's downloads gave is
// dropped, this one's kept from its earlier tries.
func (h *updateFiles) begin(update int64) {
	if h.got != nil && h.update == update {
		return
	}
	h.update, h.got = update, map[string]fetchResult{}
}

// drop lets the bytes go: the update is confirmed or set aside.
func (h *updateFiles) drop() { h.got = nil }

// get is what an earlier try of this update fetched of the file, if any.
func (h *updateFiles) get(fileID string) (fetchResult, bool) {
	if h == nil || h.got == nil {
		return fetchResult{}, false
	}
	r, ok := h.got[fileID]
	return r, ok
}

// put keeps what fetching the file gave, kept or not: it was tried once.
func (h *updateFiles) put(fileID string, r fetchResult) {
	if h == nil || h.got == nil {
		return
	}
	h.got[fileID] = r
}

// shutdown is the context whose end cuts downloads off: Run's, or one
// that never ends when the update is handled outside Run.
func (h *updateFiles) shutdown() context.Context {
	if h == nil || h.stop == nil {
		return context.Background()
	}
	return h.stop
}

type updateFilesKey struct{}

func withUpdateFiles(ctx context.Context, h *updateFiles) context.Context {
	return context.WithValue(ctx, updateFilesKey{}, h)
}

// updateFilesOf is the holder Run put in ctx; nil outside Run.
func updateFilesOf(ctx context.Context) *updateFiles {
	h, _ := ctx.Value(updateFilesKey{}).(*updateFiles)
	return h
}
