package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// testSearchText holds both drivers to the same full-text search: every
// word must be in the ticket's subject or one of its messages, case and
// diacritics do not matter, the last word matches as a prefix, and nothing
// the user types is read as query syntax.
func testSearchText(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	type doc struct {
		subject string
		state   inquiry.State
		entries []string // inbound first, then notes
	}
	docs := []doc{
		{"Kërkesë për dokumente", inquiry.Assigned, []string{"Përshëndetje, kërkoj kopjen e kontratës së stadiumit."}},
		{"Pyetje", inquiry.Answered, []string{"A ka përgjigje për kërkesën time?", "Thirra qytetarin në telefon."}},
		{"Zahtev za pristup", inquiry.Assigned, []string{"Molim kopiju ugovora o izgradnji sportske dvorane u Čačku."}},
		{"Press inquiry: STADIUM budget", inquiry.Closed, []string{"When will the ministry publish the budget?"}},
		{"Захтев", inquiry.Assigned, []string{"Молим информације о буџету за 2026."}},
		{"Pa tekst", inquiry.Assigned, nil},
		{"ЗАХТЕВ ЗА ИНФОРМАЦИЈЕ", inquiry.Assigned, []string{"Поштовани, шаљем жалбу."}},
	}
	numbers := make([]string, len(docs))
	var ids []int64
	inTx(t, s, func(tx store.Tx) error {
		for i, d := range docs {
			tk := newTicket(fmt.Sprintf("DKP-2026-%06d", i+1), t0.Add(time.Duration(i)*time.Minute))
			tk.Subject, tk.State = d.subject, d.state
			if err := tx.CreateTicket(tk); err != nil {
				return err
			}
			numbers[i] = tk.Number
			ids = append(ids, tk.ID)
			for k, text := range d.entries {
				kind := inquiry.EntryInbound
				if k > 0 {
					kind = inquiry.EntryNote
				}
				if err := tx.AddEntry(&inquiry.Entry{TicketID: tk.ID, Kind: kind, Text: text, CreatedAt: t0}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	cases := []struct {
		name   string
		filter inquiry.TicketFilter
		want   []int
	}{
		{"folded word in body", inquiry.TicketFilter{Text: "pergjigje"}, []int{1}},
		{"upper case with diacritics", inquiry.TicketFilter{Text: "PËRGJIGJE"}, []int{1}},
		{"decomposed diacritics", inquiry.TicketFilter{Text: "pe\u0308rgjigje"}, []int{1}},
		{"mixed scripts and signs", inquiry.TicketFilter{Text: "a·b ë̈ 2026x _"}, nil},
		{"last word is a prefix", inquiry.TicketFilter{Text: "stadium"}, []int{0, 3}},
		{"earlier words are whole", inquiry.TicketFilter{Text: "stadium budget"}, []int{3}},
		{"words across subject and body", inquiry.TicketFilter{Text: "ministry stadium"}, []int{3}},
		{"folded Serbian Latin", inquiry.TicketFilter{Text: "cacku"}, []int{2}},
		{"folded, then prefix", inquiry.TicketFilter{Text: "kontrates stad"}, []int{0}},
		{"subject only", inquiry.TicketFilter{Text: "dokumente"}, []int{0}},
		{"a note", inquiry.TicketFilter{Text: "telefon"}, []int{1}},
		{"Cyrillic", inquiry.TicketFilter{Text: "буџету"}, []int{4}},
		{"Cyrillic upper case found in lower case", inquiry.TicketFilter{Text: "захтев"}, []int{4, 6}},
		{"Cyrillic lower case found in upper case", inquiry.TicketFilter{Text: "ЗАХТЕВ"}, []int{4, 6}},
		{"Cyrillic upper-case search of lower-case text", inquiry.TicketFilter{Text: "ЖАЛБУ"}, []int{6}},
		{"Cyrillic prefix, upper and lower case", inquiry.TicketFilter{Text: "информац"}, []int{4, 6}},
		{"digits", inquiry.TicketFilter{Text: "2026"}, []int{4}},
		{"every word must match", inquiry.TicketFilter{Text: "budget pergjigje"}, nil},
		{"query syntax is text", inquiry.TicketFilter{Text: `"budget" OR NEAR(x*) AND -`}, nil},
		{"no words: no filter", inquiry.TicketFilter{Text: ` "*" - `}, []int{0, 1, 2, 3, 4, 5, 6}},
		{"with other filters", inquiry.TicketFilter{Text: "stadium", States: []inquiry.State{inquiry.Assigned}}, []int{0}},
		{"with a limit", inquiry.TicketFilter{Text: "kop", Limit: 1}, []int{0}},
	}
	check := func(t *testing.T, f inquiry.TicketFilter, want []int) {
		t.Helper()
		var wantNums []string
		for _, i := range want {
			wantNums = append(wantNums, numbers[i])
		}
		got, err := s.ListTickets(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if gotNums := ticketNumbers(got); !slices.Equal(gotNums, wantNums) {
			t.Errorf("ListTickets(%+v) = %v, want %v", f, gotNums, wantNums)
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { check(t, c.filter, c.want) })
	}

	// Later writes are found at once: a message added to a ticket, a subject
	// changed (the old one is no longer found), and within the transaction
	// that writes them.
	inTx(t, s, func(tx store.Tx) error {
		if err := tx.AddEntry(&inquiry.Entry{TicketID: ids[5], Kind: inquiry.EntryAnswer, Text: "Ju dërguam aktvendimin.", CreatedAt: t0}); err != nil {
			return err
		}
		tk, _, err := tx.TicketByID(ids[2])
		if err != nil {
			return err
		}
		tk.Subject = "Zahtev: sala u Nišu"
		if err := tx.UpdateTicket(&tk); err != nil {
			return err
		}
		got, err := tx.ListTickets(inquiry.TicketFilter{Text: "aktvendimin"})
		if err != nil {
			return err
		}
		if len(got) != 1 || got[0].Number != numbers[5] {
			t.Errorf("in the writing transaction: %v, want [%s]", ticketNumbers(got), numbers[5])
		}
		return nil
	})
	check(t, inquiry.TicketFilter{Text: "dergUAM"}, []int{5})
	check(t, inquiry.TicketFilter{Text: "nisu"}, []int{2})
	check(t, inquiry.TicketFilter{Text: "pristup"}, nil)
	check(t, inquiry.TicketFilter{Text: "cacku"}, []int{2})
}

// testSearchAsWritten holds search to text as people write it, the same on
// every driver: words joined by signs (a sentence without a space after its
// full stop, an address, a link, a date, a ticket number), letters of
// other Latin alphabets, decomposed accents, and Serbian đ written as đ, dj
// or d.
func testSearchAsWritten(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	docs := []struct{ subject, body string }{
		{"Kontrata", "Kërkoj kontratën e stadiumit.Faleminderit shumë"},
		{"Adresa", "Më shkruani në info@stadiumi-prishtina.org ju lutem"},
		{"Link", "Dokument: https://mkrs.gov.rs/dokumenti/ugovor.pdf"},
		{"Rok", "Molim odgovor, rok 15.03.2026"},
		{"Re: [DKP-2026-000042] kontrata", ""},
		{"Şehir stadyumu", "Türkçe başvuru: şikayet"},
		{"Pyetje", "pe\u0308rgjigje e plote\u0308"},
		{"Građevinska dozvola", "međunarodni stadion u Đakovici"},
		{"Gradjevinska dozvola", "Djakovica"},
		{"„Kërkesë“ për «stadiumin»", "Pagesa—urgjente… 5€ ×½ “kopje”"},
		{"ÇËSHTJE E HAPUR", "ankesë për çmimin e biletës"},
	}
	numbers := make([]string, len(docs))
	inTx(t, s, func(tx store.Tx) error {
		for i, d := range docs {
			tk := newTicket(fmt.Sprintf("DKP-2026-%06d", i+1), t0.Add(time.Duration(i)*time.Minute))
			tk.Subject = d.subject
			if err := tx.CreateTicket(tk); err != nil {
				return err
			}
			numbers[i] = tk.Number
			if d.body != "" {
				if err := tx.AddEntry(&inquiry.Entry{TicketID: tk.ID, Kind: inquiry.EntryInbound, Text: d.body, CreatedAt: t0}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	cases := []struct {
		text string
		want []int
	}{
		{"faleminderit", []int{0}},
		{"prishtina", []int{1}},
		{"info", []int{1}},
		{"ugovor", []int{2}},
		{"dokumenti", []int{2}},
		{"15.03.2026", []int{3}},
		{"000042", []int{4}},
		{"DKP-2026-000042", []int{4}},
		{"sehir", []int{5}},
		{"Şehir", []int{5}},
		{"sikayet", []int{5}},
		{"basvuru", []int{5}},
		{"pergjigje", []int{6}},
		{"përgjigje", []int{6}},
		{"gradevinska", []int{7, 8}},
		{"GRAĐEVINSKA", []int{7, 8}},
		{"gradjevinska", []int{7, 8}},
		{"medunarodni", []int{7}},
		{"dakovici", []int{7}},
		{"djakovica", []int{8}},
		{"dakovic", []int{7, 8}},
		{"kerkese", []int{9}},
		{"stadiumin", []int{9}},
		{"urgjente", []int{9}},
		{"pagesa urgjente", []int{9}},
		{"kopje", []int{9}},
		{"5", []int{9}},
		{"çështje", []int{10}},
		{"ceshtje", []int{10}},
		{"CMIMIN", []int{10}},
		{"Çmim", []int{10}},
		{"biletes", []int{10}},
		{"ℓ", nil},
		{"ℓ biletes", nil},
		{"biletes ℓ", nil},
		{"𝐀", nil},
		{"a𝐀b", nil},
		{"bilet𝐀es", nil},
		{"µg", nil},
		{"Ⅻ", []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
	}
	for _, c := range cases {
		t.Run(c.text, func(t *testing.T) {
			var want []string
			for _, i := range c.want {
				want = append(want, numbers[i])
			}
			got, err := s.ListTickets(ctx, inquiry.TicketFilter{Text: c.text})
			if err != nil {
				t.Fatal(err)
			}
			if gotNums := ticketNumbers(got); !slices.Equal(gotNums, want) {
				t.Errorf("ListTickets(Text %q) = %v, want %v", c.text, gotNums, want)
			}
		})
	}
}
