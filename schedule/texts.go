package schedule

import (
	"fmt"
	"strings"
	"time"

	"sportel/inquiry"
)

// texts are the scheduler's words in one language. Verbs: %s for ticket
// numbers and dates, %d for counts.
type texts struct {
	lang           inquiry.Language
	dateTime, date string // time layouts

	reminderSubject string // number, due moment
	reminderLead    string // number, due moment
	dueToday        string
	daysLeft        string // working days
	silence         string
	orphaned        string // the officer's id

	from, subject, received, due, officer string

	escalationSubject string // number
	escalationLead    string // number, due moment

	digestSubject string // day
	digestNew     string // from, to, count
	byCategory    string
	byChannel     string
	dueSoon       string // count
	overdue       string // count
	waiting       string // count
	failed        string // count
	none          string
	more          string // count left out
	uncertain     string
}

func albanian() texts {
	return texts{
		lang:              inquiry.Albanian,
		dateTime:          "02.01.2006 15:04",
		date:              "02.01.2006",
		reminderSubject:   "[%s] Kujtesë: afati %s",
		reminderLead:      "Kërkesa %s për qasje në dokumente publike ende nuk ka vendim. Afati ligjor: %s.",
		dueToday:          "Afati skadon sot.",
		daysLeft:          "Ditë pune deri në ditën e afatit: %d.",
		silence:           "Pa vendim deri në afat, kërkesa llogaritet e refuzuar (heshtje e administratës) dhe i dërgohet udhëheqësit të divizionit.",
		orphaned:          "Zyrtari të cilit i është caktuar (%s) nuk është më në konfigurim: kujtesa u shkon udhëheqësve të divizionit. Caktojani kërkesën një zyrtari tjetër.",
		from:              "Nga",
		subject:           "Tema",
		received:          "Pranuar",
		due:               "Afati",
		officer:           "Zyrtari",
		escalationSubject: "[%s] Afati kaloi pa vendim",
		escalationLead:    "Afati ligjor i kërkesës %s për qasje në dokumente publike kaloi më %s pa vendim. Sipas ligjit kjo llogaritet si refuzim me heshtje dhe u shënua në tiketë. Kërkuesi mund të ankohet te Agjencia për Informim dhe Privatësi brenda 15 ditëve.",
		digestSubject:     "Përmbledhja ditore, %s",
		digestNew:         "Tiketa të reja nga %s deri më %s: %d",
		byCategory:        "Sipas kategorisë",
		byChannel:         "Sipas kanalit",
		dueSoon:           "Afati skadon brenda 48 orëve (%d)",
		overdue:           "Afati ka kaluar pa vendim (%d)",
		waiting:           "Presin shqyrtim: të caktuara, askush nuk ka vepruar ende (%d)",
		failed:            "Dërgime të dështuara (%d)",
		none:              "asnjë",
		more:              "… dhe %d të tjera",
		uncertain:         "klasifikim i pasigurt",
	}
}

func serbianLatin() texts {
	return texts{
		lang:              inquiry.SerbianLatin,
		dateTime:          "02.01.2006 15:04",
		date:              "02.01.2006",
		reminderSubject:   "[%s] Podsetnik: rok %s",
		reminderLead:      "Zahtev %s za pristup javnim dokumentima još nema odluku. Zakonski rok: %s.",
		dueToday:          "Rok ističe danas.",
		daysLeft:          "Radnih dana do dana roka: %d.",
		silence:           "Bez odluke do roka, zahtev se smatra odbijenim (ćutanje administracije) i prosleđuje se šefu divizije.",
		orphaned:          "Službenik kome je dodeljen (%s) više nije u konfiguraciji: podsetnik ide šefovima divizije. Dodelite zahtev drugom službeniku.",
		from:              "Od",
		subject:           "Predmet",
		received:          "Primljen",
		due:               "Rok",
		officer:           "Službenik",
		escalationSubject: "[%s] Rok je istekao bez odluke",
		escalationLead:    "Zakonski rok za zahtev %s za pristup javnim dokumentima istekao je %s bez odluke. Po zakonu se to smatra odbijanjem ćutanjem i zabeleženo je na tiketu. Podnosilac može uložiti žalbu Agenciji za informisanje i privatnost u roku od 15 dana.",
		digestSubject:     "Dnevni pregled, %s",
		digestNew:         "Novi tiketi od %s do %s: %d",
		byCategory:        "Po kategoriji",
		byChannel:         "Po kanalu",
		dueSoon:           "Rok ističe u narednih 48 sati (%d)",
		overdue:           "Rok je istekao bez odluke (%d)",
		waiting:           "Čekaju pregled: dodeljeni, niko još nije postupio (%d)",
		failed:            "Neuspela slanja (%d)",
		none:              "nema",
		more:              "… i još %d",
		uncertain:         "nesigurna klasifikacija",
	}
}

func serbianCyrillic() texts {
	return texts{
		lang:              inquiry.SerbianCyrl,
		dateTime:          "02.01.2006 15:04",
		date:              "02.01.2006",
		reminderSubject:   "[%s] Подсетник: рок %s",
		reminderLead:      "Захтев %s за приступ јавним документима још нема одлуку. Законски рок: %s.",
		dueToday:          "Рок истиче данас.",
		daysLeft:          "Радних дана до дана рока: %d.",
		silence:           "Без одлуке до рока, захтев се сматра одбијеним (ћутање администрације) и прослеђује се шефу дивизије.",
		orphaned:          "Службеник коме је додељен (%s) више није у конфигурацији: подсетник иде шефовима дивизије. Доделите захтев другом службенику.",
		from:              "Од",
		subject:           "Предмет",
		received:          "Примљен",
		due:               "Рок",
		officer:           "Службеник",
		escalationSubject: "[%s] Рок је истекао без одлуке",
		escalationLead:    "Законски рок за захтев %s за приступ јавним документима истекао је %s без одлуке. По закону се то сматра одбијањем ћутањем и забележено је на тикету. Подносилац може уложити жалбу Агенцији за информисање и приватност у року од 15 дана.",
		digestSubject:     "Дневни преглед, %s",
		digestNew:         "Нови тикети од %s до %s: %d",
		byCategory:        "По категорији",
		byChannel:         "По каналу",
		dueSoon:           "Рок истиче у наредних 48 сати (%d)",
		overdue:           "Рок је истекао без одлуке (%d)",
		waiting:           "Чекају преглед: додељени, нико још није поступио (%d)",
		failed:            "Неуспела слања (%d)",
		none:              "нема",
		more:              "… и још %d",
		uncertain:         "несигурна класификација",
	}
}

func english() texts {
	return texts{
		lang:              inquiry.English,
		dateTime:          "2 January 2006, 15:04",
		date:              "2 January 2006",
		reminderSubject:   "[%s] Reminder: due %s",
		reminderLead:      "Document request %s has no decision yet. Legal deadline: %s.",
		dueToday:          "It is due today.",
		daysLeft:          "Working days until the due day: %d.",
		silence:           "Without a decision by then, the request counts as refused (silence of the administration) and goes to the head of the division.",
		orphaned:          "The officer it is assigned to (%s) is no longer in the configuration: the reminder goes to the heads of the division. Assign the request to another officer.",
		from:              "From",
		subject:           "Subject",
		received:          "Received",
		due:               "Due",
		officer:           "Officer",
		escalationSubject: "[%s] Deadline passed with no decision",
		escalationLead:    "The legal deadline of document request %s passed on %s with no decision. By law this counts as a refusal by silence, and it is recorded on the ticket. The requester may complain to the Information and Privacy Agency within 15 days.",
		digestSubject:     "Daily digest, %s",
		digestNew:         "New tickets from %s to %s: %d",
		byCategory:        "By category",
		byChannel:         "By channel",
		dueSoon:           "Due within 48 hours (%d)",
		overdue:           "Deadline passed with no decision (%d)",
		waiting:           "Waiting for review: assigned, nobody has acted yet (%d)",
		failed:            "Failed sends (%d)",
		none:              "none",
		more:              "… and %d more",
		uncertain:         "uncertain classification",
	}
}

// categoryName names a category in lang (Albanian when unknown).
func categoryName(lang inquiry.Language, c inquiry.Category) string {
	names := map[inquiry.Language]map[inquiry.Category]string{
		inquiry.Albanian:     {inquiry.DocumentRequest: "kërkesë për dokumente", inquiry.PressInquiry: "pyetje e medias", inquiry.GeneralQuestion: "pyetje e përgjithshme"},
		inquiry.SerbianLatin: {inquiry.DocumentRequest: "zahtev za dokumente", inquiry.PressInquiry: "pitanje medija", inquiry.GeneralQuestion: "opšte pitanje"},
		inquiry.SerbianCyrl:  {inquiry.DocumentRequest: "захтев за документе", inquiry.PressInquiry: "питање медија", inquiry.GeneralQuestion: "опште питање"},
		inquiry.English:      {inquiry.DocumentRequest: "document request", inquiry.PressInquiry: "press inquiry", inquiry.GeneralQuestion: "general question"},
	}
	return names[language(lang)][c]
}

// language is the officer's language, Albanian when unset.
func language(l inquiry.Language) inquiry.Language {
	switch l {
	case inquiry.SerbianLatin, inquiry.SerbianCyrl, inquiry.English:
		return l
	}
	return inquiry.Albanian
}

func textsFor(l inquiry.Language) texts {
	switch language(l) {
	case inquiry.SerbianLatin:
		return serbianLatin()
	case inquiry.SerbianCyrl:
		return serbianCyrillic()
	case inquiry.English:
		return english()
	}
	return albanian()
}

func (s *Scheduler) when(w texts, t time.Time) string {
	return t.In(s.cfg.Location).Format(w.dateTime)
}

// ticketFacts lists a ticket for its officer or a head.
func (s *Scheduler) ticketFacts(b *strings.Builder, w texts, t *inquiry.Ticket) {
	from := t.Sender.Address
	if t.Sender.Name != "" {
		from = t.Sender.Name + " <" + t.Sender.Address + ">"
	}
	if t.Channel == inquiry.ChannelTelegram {
		from = t.Sender.Name + " (Telegram)"
	}
	fmt.Fprintf(b, "%s: %s\n", w.from, from)
	if t.Subject != "" {
		fmt.Fprintf(b, "%s: %s\n", w.subject, oneLine(t.Subject))
	}
	fmt.Fprintf(b, "%s: %s\n", w.received, s.when(w, t.ReceivedAt))
	fmt.Fprintf(b, "%s: %s\n", w.due, s.when(w, t.DueAt))
	fmt.Fprintf(b, "%s: %s\n", w.officer, s.officerName(t.OfficerID))
}

func (s *Scheduler) officerName(id string) string {
	if o, ok := s.officers[id]; ok && o.Name != "" {
		return o.Name
	}
	return id
}

// oneLine keeps a subject on one line and short.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 80 {
		s = string(r[:80]) + "…"
	}
	return s
}

// reminderText is a reminder's subject, mail text and chat text.
func (s *Scheduler) reminderText(w texts, t *inquiry.Ticket, o inquiry.Officer, days int) (subject, text, chat string) {
	due := s.when(w, t.DueAt)
	subject = fmt.Sprintf(w.reminderSubject, t.Number, due)
	var b strings.Builder
	fmt.Fprintf(&b, w.reminderLead, t.Number, due)
	b.WriteString(" ")
	if days == 0 {
		b.WriteString(w.dueToday)
	} else {
		fmt.Fprintf(&b, w.daysLeft, days)
	}
	b.WriteString("\n" + w.silence + "\n")
	if _, ok := s.officers[t.OfficerID]; !ok {
		fmt.Fprintf(&b, w.orphaned+"\n", t.OfficerID)
	}
	chat = b.String()
	b.WriteString("\n")
	s.ticketFacts(&b, w, t)
	return subject, b.String(), chat
}

// escalationText is an escalation's subject, mail text and chat text.
func (s *Scheduler) escalationText(w texts, t *inquiry.Ticket, _ inquiry.Officer) (subject, text, chat string) {
	subject = fmt.Sprintf(w.escalationSubject, t.Number)
	var b strings.Builder
	fmt.Fprintf(&b, w.escalationLead, t.Number, s.when(w, t.DueAt))
	b.WriteString("\n")
	chat = b.String()
	b.WriteString("\n")
	s.ticketFacts(&b, w, t)
	return subject, b.String(), chat
}

// digestText is a digest's subject, mail text and chat text (the counts
// alone).
func (s *Scheduler) digestText(w texts, d digestData) (subject, text, chat string) {
	lang := w.lang
	day := d.Day.In(s.cfg.Location).Format(w.date)
	subject = fmt.Sprintf(w.digestSubject, day)
	var b, c strings.Builder
	fmt.Fprintf(&b, w.digestNew+"\n", s.when(w, d.From), s.when(w, d.To), d.New)
	c.WriteString(subject + "\n")
	fmt.Fprintf(&c, w.digestNew+"\n", s.when(w, d.From), s.when(w, d.To), d.New)
	if d.New > 0 {
		b.WriteString("  " + w.byCategory + ":")
		for _, cat := range inquiry.Categories {
			if n := d.ByCategory[cat]; n > 0 {
				fmt.Fprintf(&b, " %s %d;", categoryName(lang, cat), n)
			}
		}
		b.WriteString("\n  " + w.byChannel + ":")
		for _, ch := range []inquiry.Channel{inquiry.ChannelEmail, inquiry.ChannelTelegram} {
			if n := d.ByChannel[ch]; n > 0 {
				fmt.Fprintf(&b, " %s %d;", ch, n)
			}
		}
		b.WriteString("\n")
	}
	section := func(head string, n int, lines func(i int) string) {
		fmt.Fprintf(&b, "\n"+head+"\n", n)
		fmt.Fprintf(&c, head+"\n", n)
		if n == 0 {
			b.WriteString("  " + w.none + "\n")
		}
		for i := range min(n, digestListMax) {
			b.WriteString("  " + lines(i) + "\n")
		}
		if n > digestListMax {
			b.WriteString("  " + fmt.Sprintf(w.more, n-digestListMax) + "\n")
		}
	}
	dueLine := func(ts []inquiry.Ticket) func(int) string {
		return func(i int) string {
			t := ts[i]
			return fmt.Sprintf("%s  %s: %s  %s: %s  %s", t.Number, w.due, s.when(w, t.DueAt), w.officer, s.officerName(t.OfficerID), oneLine(t.Subject))
		}
	}
	section(w.dueSoon, len(d.DueSoon), dueLine(d.DueSoon))
	section(w.overdue, len(d.Overdue), dueLine(d.Overdue))
	section(w.waiting, len(d.Waiting), func(i int) string {
		t := d.Waiting[i]
		line := fmt.Sprintf("%s  %s  %s: %s  %s: %s", t.Number, categoryName(lang, t.Category), w.received, s.when(w, t.ReceivedAt), w.officer, s.officerName(t.OfficerID))
		if t.NeedsReview {
			line += "  (" + w.uncertain + ")"
		}
		return line
	})
	section(w.failed, d.FailedCount, func(i int) string {
		j := d.Failed[i]
		line := fmt.Sprintf("%s  %s  %s", s.when(w, j.FinishedAt), j.Kind, j.Recipient)
		if n := d.Numbers[j.TicketID]; n != "" {
			line += "  " + n
		}
		return line + ": " + oneLine(j.LastError)
	})
	return subject, b.String(), c.String()
}
