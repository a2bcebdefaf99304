package classifier

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"sportel/inquiry"
)

// newTestClassifier loads the embedded model; each test
// that needs it calls this helper, so there is no package-level state.
func newTestClassifier(t testing.TB) *Builtin {
	t.Helper()
	b, err := New(Options{})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return b
}

type policyCase struct {
	name    string
	lang    inquiry.Language
	subject string
	text    string
	want    inquiry.Category
}

// policyCases are the category rules of the issue, each written fresh in all
// four language variants (none of these sentences is in the corpus).
func policyCases() []policyCase {
	type variant struct {
		lang inquiry.Language
		text string
	}
	rules := []struct {
		name     string
		want     inquiry.Category
		variants []variant
	}{
		{"journalist asking for copies is a document request", inquiry.DocumentRequest, []variant{
			{inquiry.Albanian, "Jam gazetare në Radio Kosova dhe ju kërkoj kopjet e kontratave për festivalin e verës, në bazë të ligjit për qasje në dokumente publike."},
			{inquiry.SerbianLatin, "Novinar sam lista Danas i tražim kopije ugovora za letnji festival, po zakonu o pristupu javnim dokumentima."},
			{inquiry.SerbianCyrl, "Новинарка сам портала Колубара и тражим копије уговора за летњи фестивал, по закону о приступу јавним документима."},
			{inquiry.English, "I'm a reporter at the Prishtina Post and I request copies of the contracts for the summer festival under the access to public documents law."},
		}},
		{"asking how to file a request is a general question", inquiry.GeneralQuestion, []variant{
			{inquiry.Albanian, "Si mund të paraqes një kërkesë për qasje në dokumente publike? A ka ndonjë formular?"},
			{inquiry.SerbianLatin, "Kako da podnesem zahtev za pristup javnim dokumentima? Postoji li neki obrazac?"},
			{inquiry.SerbianCyrl, "Како да поднесем захтев за приступ јавним документима? Постоји ли образац?"},
			{inquiry.English, "How do I submit a request for access to public documents, and is there a form I have to fill in?"},
		}},
		{"comment on an audit report is a press inquiry", inquiry.PressInquiry, []variant{
			{inquiry.Albanian, "Cili është komenti i ministrisë për raportin e auditimit që u publikua sot? Na duhet një deklaratë për lajmet e orës 19."},
			{inquiry.SerbianLatin, "Kakav je komentar ministarstva na izveštaj revizije objavljen danas? Treba nam izjava za večernje vesti."},
			{inquiry.SerbianCyrl, "Какав је коментар министарства на извештај ревизије објављен данас? Треба нам изјава за вечерње вести."},
			{inquiry.English, "What is the ministry's comment on the audit report published today? We need a statement for the evening news."},
		}},
		{"status of one's own application is a general question", inquiry.GeneralQuestion, []variant{
			{inquiry.Albanian, "Kam aplikuar për bursë sportive para një muaji, në çfarë faze është aplikimi im?"},
			{inquiry.SerbianLatin, "Prijavio sam se za sportsku stipendiju pre mesec dana, u kojoj je fazi moja prijava?"},
			{inquiry.SerbianCyrl, "Пријавила сам се за спортску стипендију пре месец дана, у којој је фази моја пријава?"},
			{inquiry.English, "I applied for the sports scholarship a month ago, what stage is my application at?"},
		}},
		{"copy of a decision is a document request", inquiry.DocumentRequest, []variant{
			{inquiry.Albanian, "ju lutem me dergoni kopjen e vendimit per ndarjen e subvencioneve per klubet e futbollit"},
			{inquiry.SerbianLatin, "posaljite mi kopiju odluke o raspodeli subvencija fudbalskim klubovima"},
			{inquiry.SerbianCyrl, "пошаљите ми копију одлуке о расподели субвенција фудбалским клубовима"},
			{inquiry.English, "please send me a copy of the decision on subsidies for football clubs"},
		}},
		{"interview request is a press inquiry", inquiry.PressInquiry, []variant{
			{inquiry.Albanian, "A mund ta intervistojmë ministrin të enjten për emisionin tonë të mëngjesit?"},
			{inquiry.SerbianLatin, "Da li bi ministar mogao da nam da intervju u četvrtak za jutarnji program?"},
			{inquiry.SerbianCyrl, "Да ли би министар могао да нам да интервју у четвртак за јутарњи програм?"},
			{inquiry.English, "Could the minister give us an interview on Thursday for our morning programme?"},
		}},
		{"opening hours are a general question", inquiry.GeneralQuestion, []variant{
			{inquiry.Albanian, "Deri në sa ora punon biblioteka kombëtare të shtunën?"},
			{inquiry.SerbianLatin, "Do koliko sati radi Narodna biblioteka subotom?"},
			{inquiry.SerbianCyrl, "До колико сати ради Народна библиотека суботом?"},
			{inquiry.English, "Until what time is the National Library open on Saturdays?"},
		}},
		{"permission to film is a press inquiry", inquiry.PressInquiry, []variant{
			{inquiry.Albanian, "Ekipi ynë televiziv kërkon leje për të xhiruar në kalanë e Prizrenit javën e ardhshme."},
			{inquiry.SerbianLatin, "Naša televizijska ekipa traži dozvolu za snimanje u prizrenskoj tvrđavi sledeće nedelje."},
			{inquiry.SerbianCyrl, "Наша телевизијска екипа тражи дозволу за снимање у призренској тврђави следеће недеље."},
			{inquiry.English, "Our TV crew is asking for permission to film at the Prizren fortress next week."},
		}},
		{"list of grant beneficiaries is a document request", inquiry.DocumentRequest, []variant{
			{inquiry.Albanian, "Kërkoj listën e përfituesve të granteve për kulturë për vitin 2025 me shumat përkatëse."},
			{inquiry.SerbianLatin, "Tražim spisak korisnika grantova za kulturu za 2025. godinu sa iznosima."},
			{inquiry.SerbianCyrl, "Тражим списак корисника грантова за културу за 2025. годину са износима."},
			{inquiry.English, "I'd like the list of culture grant recipients for 2025 with the amounts each received."},
		}},
		{"a complaint is a general question", inquiry.GeneralQuestion, []variant{
			{inquiry.Albanian, "Dua të ankohem sepse qendra rinore në lagjen tonë është e mbyllur prej dy muajsh."},
			{inquiry.SerbianLatin, "Želim da se žalim jer je omladinski centar u našem naselju zatvoren već dva meseca."},
			{inquiry.SerbianCyrl, "Желим да се жалим јер је омладински центар у нашем насељу затворен већ два месеца."},
			{inquiry.English, "I want to complain that the youth centre in our neighbourhood has been closed for two months."},
		}},
	}
	var out []policyCase
	for _, r := range rules {
		for _, v := range r.variants {
			out = append(out, policyCase{name: r.name + "/" + string(v.lang), lang: v.lang, text: v.text, want: r.want})
		}
	}
	return out
}

func TestClassifyPolicy(t *testing.T) {
	b := newTestClassifier(t)
	for _, tc := range policyCases() {
		t.Run(tc.name, func(t *testing.T) {
			got, err := b.Classify(context.Background(), &inquiry.Message{Channel: inquiry.ChannelTelegram, Subject: tc.subject, Text: tc.text})
			if err != nil {
				t.Fatal(err)
			}
			if got.Category != tc.want {
				t.Errorf("category %s (confidence %.2f, %s), want %s", got.Category, got.Confidence, got.Reason, tc.want)
			}
			if got.Language != tc.lang {
				t.Errorf("language %s, want %s", got.Language, tc.lang)
			}
			if got.Classifier != Name {
				t.Errorf("classifier %q, want %q", got.Classifier, Name)
			}
			if got.Confidence < 0 || got.Confidence > 1 {
				t.Errorf("confidence %v outside [0,1]", got.Confidence)
			}
		})
	}
}

// TestClassifyEmails runs whole emails with greetings, signatures and quoted
// replies: what is quoted must not decide the category or the language.
func TestClassifyEmails(t *testing.T) {
	b := newTestClassifier(t)
	tests := []struct {
		name     string
		subject  string
		text     string
		want     inquiry.Category
		wantLang inquiry.Language
	}{
		{
			name:    "press question under a quoted document answer",
			subject: "Re: Kërkesa juaj",
			text: "Përshëndetje,\n\nFaleminderit për dokumentet. Tani si gazetar i Lajmi.net do të doja një koment të zëdhënësit: " +
				"pse u vonua pagesa për teatrin? Lajmi publikohet nesër në mëngjes.\n\nMe respekt,\nBlend Hoxha\nLajmi.net\n\n" +
				"Më 10 prill 2026, në 09:14, DKP <info@mkrs.example> shkroi:\n> I nderuar,\n> bashkëngjitur gjeni kopjet e kontratave, " +
				"faturave dhe procesverbalet që kërkuat në bazë të ligjit për qasje në dokumente publike.\n> Me respekt",
			want:     inquiry.PressInquiry,
			wantLang: inquiry.Albanian,
		},
		{
			name:    "English request quoting a Serbian reply",
			subject: "Re: Zahtev",
			text: "Hello, thank you. Could you now send me the signed contract and the invoices for the roof of the cultural centre?\n\n" +
				"Best regards,\nPeter Novak\n\nSent from my iPhone\n\n" +
				"Dana 3. 4. 2026. u 10:00, Kancelarija <info@mkrs.example> je napisao:\n> Poštovani, vaš zahtev je primljen i biće obrađen u roku.",
			want:     inquiry.DocumentRequest,
			wantLang: inquiry.English,
		},
		{
			name:    "Cyrillic grant question with signature",
			subject: "Питање о конкурсу",
			text: "Поштовани,\n\nинтересује нас када се отвара конкурс за пројекте младих и да ли удружења из Грачанице могу да се пријаве.\n\n" +
				"Срдачан поздрав,\nМарија Јовановић\nУдружење „Млади Грачанице“\n-- \nтел. 038 123 456",
			want:     inquiry.GeneralQuestion,
			wantLang: inquiry.SerbianCyrl,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := b.Classify(context.Background(), &inquiry.Message{Channel: inquiry.ChannelEmail, Subject: tc.subject, Text: tc.text})
			if err != nil {
				t.Fatal(err)
			}
			if got.Category != tc.want || got.Language != tc.wantLang {
				t.Errorf("got %s/%s (confidence %.2f, %s), want %s/%s", got.Category, got.Language, got.Confidence, got.Reason, tc.want, tc.wantLang)
			}
		})
	}
}

func TestClassifyDeterministic(t *testing.T) {
	msg := &inquiry.Message{Subject: "Kerkese", Text: "pershendetje, a mund te me dergoni procesverbalin e mbledhjes se keshillit per kulture?"}
	first := newTestClassifier(t)
	second := newTestClassifier(t) // trained again: training must be deterministic too
	want, err := first.Classify(context.Background(), msg)
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range []*Builtin{first, first, second} {
		got, err := b.Classify(context.Background(), msg)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("run %d: %+v, want %+v", i, got, want)
		}
	}
}

func TestClassifyConcurrent(t *testing.T) {
	b := newTestClassifier(t)
	cases := policyCases()
	want := make([]inquiry.Classification, len(cases))
	for i, tc := range cases {
		c, err := b.Classify(context.Background(), &inquiry.Message{Text: tc.text})
		if err != nil {
			t.Fatal(err)
		}
		want[i] = c
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(cases))
	for i, tc := range cases {
		wg.Go(func() {
			c, err := b.Classify(context.Background(), &inquiry.Message{Text: tc.text})
			if err != nil || c != want[i] {
				errs <- errors.Join(err, errors.New(tc.name+": differs when run concurrently"))
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestClassifyReviewThreshold(t *testing.T) {
	msg := &inquiry.Message{Text: "pyetje"} // one vague word: the model cannot be sure
	tests := []struct {
		threshold  float64
		wantReview func(conf float64) bool
	}{
		{0, func(conf float64) bool { return conf < DefaultReviewThreshold }},
		{0.999, func(float64) bool { return true }},
		{0.01, func(float64) bool { return false }},
	}
	for _, tc := range tests {
		b, err := New(Options{ReviewThreshold: tc.threshold})
		if err != nil {
			t.Fatal(err)
		}
		got, err := b.Classify(context.Background(), msg)
		if err != nil {
			t.Fatal(err)
		}
		if got.NeedsReview != tc.wantReview(got.Confidence) {
			t.Errorf("threshold %v, confidence %.3f: NeedsReview %v", tc.threshold, got.Confidence, got.NeedsReview)
		}
	}
	// A one-word message must not come out confident.
	b := newTestClassifier(t)
	got, _ := b.Classify(context.Background(), msg)
	if !got.NeedsReview {
		t.Errorf("%q: confidence %.3f, want below the default threshold", msg.Text, got.Confidence)
	}
	for _, bad := range []float64{-0.1, 1.5} {
		if _, err := New(Options{ReviewThreshold: bad}); err == nil {
			t.Errorf("threshold %v accepted", bad)
		}
	}
}

func TestClassifyReason(t *testing.T) {
	b := newTestClassifier(t)
	text := "Ju lutem më dërgoni kopjen e kontratës dhe faturat për renovimin e stadiumit. " + strings.Repeat("Faleminderit shumë. ", 40)
	got, err := b.Classify(context.Background(), &inquiry.Message{Text: text})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got.Reason, "top features: \"") {
		t.Fatalf("reason %q does not name features", got.Reason)
	}
	if n := strings.Count(got.Reason, "\""); n < 2 || n > 2*maxReasonFeatures {
		t.Errorf("reason %q names %d features, want 1..%d", got.Reason, n/2, maxReasonFeatures)
	}
	if len(got.Reason) > 120 {
		t.Errorf("reason is %d bytes, want a short one: %q", len(got.Reason), got.Reason)
	}
	if !strings.Contains(got.Reason, "kopje") && !strings.Contains(got.Reason, "kontrat") && !strings.Contains(got.Reason, "dergoni") {
		t.Errorf("reason %q misses the telling words", got.Reason)
	}
}

func TestClassifyEdgeCases(t *testing.T) {
	b := newTestClassifier(t)
	t.Run("no text", func(t *testing.T) {
		got, err := b.Classify(context.Background(), &inquiry.Message{Text: "  \n 123 ", Subject: ""})
		if err != nil {
			t.Fatal(err)
		}
		if got.Category != inquiry.GeneralQuestion || !got.NeedsReview || got.Language != inquiry.UndefinedLang {
			t.Errorf("got %+v, want general_question, needs review, und", got)
		}
	})
	t.Run("subject only", func(t *testing.T) {
		got, err := b.Classify(context.Background(), &inquiry.Message{Subject: "Request for copies of the tender documents and contract"})
		if err != nil {
			t.Fatal(err)
		}
		if got.Category != inquiry.DocumentRequest {
			t.Errorf("got %s, want document_request", got.Category)
		}
	})
	t.Run("cancelled context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := b.Classify(ctx, &inquiry.Message{Text: "hello"}); !errors.Is(err, context.Canceled) {
			t.Errorf("err %v, want context.Canceled", err)
		}
	})
	t.Run("nil message", func(t *testing.T) {
		if _, err := b.Classify(context.Background(), nil); err == nil {
			t.Error("nil message accepted")
		}
	})
}

func TestParseCorpusErrorsNameTheLine(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"bad json", `{"lang":"en","label":"press_inquiry","text":"x"}` + "\n{oops\n", "line 2"},
		{"bad label", `{"lang":"en","label":"spam","text":"x"}`, `line 1: unknown label "spam"`},
		{"bad lang", "\n" + `{"lang":"de","label":"press_inquiry","text":"x"}`, `line 2: unknown lang "de"`},
		{"no text", `{"lang":"sq","label":"press_inquiry","text":"  "}`, "line 1: no subject and no text"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseCorpus([]byte(tc.data))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// TestEmbeddedCorpus checks the corpus the binary carries: every category
// in every language variant, and enough examples overall.
func TestEmbeddedCorpus(t *testing.T) {
	lines, err := loadCorpus(corpusFS)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) < 600 {
		t.Errorf("corpus has %d examples, want at least 600", len(lines))
	}
	seen := map[string]int{}
	for _, l := range lines {
		seen[l.Lang+"/"+l.Label]++
	}
	for _, lang := range inquiry.Languages {
		for _, cat := range inquiry.Categories {
			if seen[string(lang)+"/"+string(cat)] == 0 {
				t.Errorf("corpus has no %s examples in %s", cat, lang)
			}
		}
	}
}
