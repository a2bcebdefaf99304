package classifier

import "testing"

func TestUrgent(t *testing.T) {
	cases := []struct {
		lang, text string
		want       bool
		cue        string
	}{
		{"sq", "Vëllai im është në paraburgim dhe na duhet vendimi për të, ju lutem sa më shpejt.", true, "paraburgim"},
		{"sq", "Nëna ime është shtruar në spitalin rajonal; kërkoj dokumentet e sigurimit shëndetësor.", true, "spital"},
		{"sq", "Kemi një emergjencë mjekësore dhe na nevojitet vërtetimi.", true, "emergjence mjekesore"},
		{"sq", "Afati i gjykatës skadon të hënën, kërkoj kopjen e kontratës.", true, "afati i gjykates"},
		{"sq", "Kërkoj kopjen e kontratës për renovimin e Teatrit Kombëtar.", false, ""},
		{"sr-Latn", "Moj sin je u pritvoru od juče, potreban nam je dokument hitno.", true, "pritvor"},
		{"sr-Latn", "Otac je u bolnici, hitna medicinska pomoć traži potvrdu.", true, "bolnic"},
		{"sr-Latn", "Ročište je zakazano za ponedeljak, molim zapisnik.", true, "rociste"},
		{"sr-Latn", "Molim kopiju ugovora o finansiranju festivala.", false, ""},
		{"sr-Cyrl", "Мој брат је лишен слободе и треба нам решење.", true, "lisen slobode"},
		{"sr-Cyrl", "Мајка је у болници, потребна нам је потврда.", true, "bolnic"},
		{"sr-Cyrl", "Судски рок истиче сутра.", true, "sudski rok"},
		{"sr-Cyrl", "Молим вас за копију записника са седнице.", false, ""},
		{"en", "My client is in detention and the court deadline is on Monday.", true, "detention"},
		{"en", "This is a medical emergency: I need my late father's records.", true, "medical emergency"},
		{"en", "The court hearing is tomorrow; please send the decision.", true, "court hearing"},
		{"en", "Please send me the 2025 budget of the ministry.", false, ""},
		{"en", "She was hospitalised last week.", true, "hospitalis"},
		// A cue only matches at the start of a word, some only whole words.
		{"en", "We are a hospitality school asking about grants.", false, ""},
		{"en", "The predetention phase of the project.", false, ""},
	}
	for _, c := range cases {
		t.Run(c.lang+"/"+c.text, func(t *testing.T) {
			got, cue := Urgent(c.text)
			if got != c.want || cue != c.cue {
				t.Errorf("Urgent = %v, %q; want %v, %q", got, cue, c.want, c.cue)
			}
		})
	}
}
