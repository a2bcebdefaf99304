package classifier

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"sportel/inbox/parse"
	"sportel/internal/mailgen"
)

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
		{"sr-Latn", "Brat mi je u zatvoru i treba nam rešenje komisije.", true, "u zatvoru"},
		{"sq", "Jeta e tij është në rrezik pa këtë vendim.", true, "jeta e tij eshte ne rrezik"},
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

// urgentBySearch is Urgent as first written: one search of the whole text a
// cue. Urgent must agree with it on every text.
func urgentBySearch(text string) (bool, string) {
	n := " " + Normalize(text) + " "
	for _, cue := range urgentCues {
		if strings.Contains(n, " "+cue) {
			return true, cue
		}
	}
	return false, ""
}

// TestUrgentAgreesWithSearchingEachCue runs Urgent and the search it replaced
// on realistic mail, as it is and with cues (and near misses) put in at
// random places, so several cues and cues at the very start or end of the
// text are covered.
func TestUrgentAgreesWithSearchingEachCue(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	g := mailgen.New(r, "dkp@mkrs.example", time.Now())
	nearMisses := []string{"hospitality", "predetention", "spitalit", "Bolnica", "ROČIŠTE", "život zavisi", "x"}
	urgent := 0
	for i, raw := range g.Backlog(600) {
		m := parse.Parse(raw, time.Now(), parse.Options{})
		texts := []string{m.Subject + "\n" + m.Text}
		words := strings.Fields(m.Text)
		for range 3 {
			w := slices.Clone(words)
			for range r.IntN(3) + 1 {
				insert := urgentCues[r.IntN(len(urgentCues))]
				if r.IntN(3) == 0 {
					insert = nearMisses[r.IntN(len(nearMisses))]
				}
				w = slices.Insert(w, r.IntN(len(w)+1), insert)
			}
			texts = append(texts, strings.Join(w, " "))
		}
		for j, text := range texts {
			got, gotCue := Urgent(text)
			want, wantCue := urgentBySearch(text)
			if got != want || gotCue != wantCue {
				t.Fatalf("mail %d, text %d: Urgent = %v, %q; searching each cue gives %v, %q\n%s", i, j, got, gotCue, want, wantCue, text)
			}
			if got {
				urgent++
			}
		}
	}
	if urgent < 1000 {
		t.Errorf("only %d of 2,400 texts were urgent: the comparison hardly covers the cues", urgent)
	}
}

// BenchmarkUrgentRealistic is the urgent check on the text of realistic
// mail, which the desk runs for every new ticket inside its transaction.
func BenchmarkUrgentRealistic(b *testing.B) {
	g := mailgen.New(rand.New(rand.NewPCG(1, 2)), "dkp@mkrs.example", time.Now())
	var texts []string
	for _, raw := range g.Backlog(1000) {
		m := parse.Parse(raw, time.Now(), parse.Options{})
		texts = append(texts, m.Subject+"\n"+m.Text)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		Urgent(texts[i%len(texts)])
		i++
	}
}

// Ordinary messages to a ministry of culture, youth and sport that say
// nothing about anyone's life or liberty must not raise the urgent flag
// (which pages the head of the division and sets a 48-hour clock).
func TestUrgentFalsePositives(t *testing.T) {
	cases := []struct{ lang, text string }{
		// Serbian "zatvoren" is first of all "closed" (a pool, a museum, a call).
		{"sr-Latn", "Poštovani, zašto je bazen u Gračanici zatvoren već dva meseca? Kada će ponovo raditi?"},
		{"sr-Latn", "Dom kulture u Štrpcu je zatvoren za publiku. Molim vas za izjavu ministra."},
		{"sr-Latn", "Konkurs za stipendije je zatvoren pre roka, a ja nisam stigao da se prijavim."},
		{"sr-Cyrl", "Зашто је музеј у Грачаници затворен викендом?"},
		{"sr-Latn", "Muzej je zatvoren u nedelju, a mi smo došli iz Prizrena."},
		// Albanian "jeta e" / "jetën e" is "the life of": cultural life, youth life.
		{"sq", "Jam gazetare dhe po shkruaj për jetën e artistëve të pavarur. A mund të na jepni një deklaratë?"},
		{"sq", "Si do të ndikojë strategjia e re në jetën e të rinjve në komunat e vogla?"},
		{"sq", "Jeta e klubeve sportive ne fshatra eshte e veshtire; kur hapet thirrja per subvencione?"},
	}
	for _, c := range cases {
		t.Run(c.lang+"/"+c.text, func(t *testing.T) {
			if got, cue := Urgent(c.text); got {
				t.Errorf("Urgent(%q) = true, cue %q; want false (nothing about life or liberty)", c.text, cue)
			}
		})
	}
}
