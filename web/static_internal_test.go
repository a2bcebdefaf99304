package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/fstest"
)

// The workspace embeds one file today; a directory added under static/
// later is not listed either, nor anything in it that is no file.
func TestServeStaticNeverListsADirectory(t *testing.T) {
	files := fstest.MapFS{
		"style.css":         {Data: []byte("body{}")},
		"fonts/a.woff2":     {Data: []byte("wOF2")},
		"fonts/deep/b.woff": {Data: []byte("wOFF")},
	}
	m := http.NewServeMux()
	m.HandleFunc(staticPattern, serveStatic(files, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "not here", http.StatusNotFound)
	}))
	srv := httptest.NewServer(m)
	defer srv.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	tests := []struct {
		path   string
		status int
		body   string
	}{
		{"/static/style.css", 200, "body{}"},
		{"/static/fonts/a.woff2", 200, "wOF2"},
		{"/static/fonts/deep/b.woff", 200, "wOFF"},
		{"/static/", 404, "not here\n"},
		{"/static/fonts/", 404, "not here\n"},
		{"/static/fonts", 404, "not here\n"},
		{"/static/fonts/deep/", 404, "not here\n"},
		{"/static/fonts/none.woff", 404, "not here\n"},
	}
	for _, tt := range tests {
		resp, err := client.Get(srv.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != tt.status || string(body) != tt.body {
			t.Errorf("GET %s = %d %q, want %d %q", tt.path, resp.StatusCode, body, tt.status, tt.body)
		}
	}
}
