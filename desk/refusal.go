package desk

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"sportel/inquiry"
)

// An officer's action that the desk refuses comes back as a *Refusal: its
// kind, and what a front end needs to say it in the officer's language.
// The English of its Error is for the log, the ticket's record and the
// command line; what the officer reads (by mail, in Telegram, in the web
// workspace) is Say, from the one table below, so the three say the same.

// RefusalKind says why the desk refused an officer's action, so that a
// front end can say it in the officer's language.
type RefusalKind string

const (
	// RefusedClosed: the ticket is closed; reopen it first.
	RefusedClosed RefusalKind = "closed"
	// RefusedSetAside: the ticket is bulk or spam mail (Refusal.State),
	// kept and not worked.
	RefusedSetAside RefusalKind = "set_aside"
	// RefusedUnknownOfficer: no configured officer has the id Refusal.Value.
	RefusedUnknownOfficer RefusalKind = "unknown_officer"
	// RefusedUnknownCategory: Refusal.Value is no category.
	RefusedUnknownCategory RefusalKind = "unknown_category"
	// RefusedEmptyAnswer: an answer without text.
	RefusedEmptyAnswer RefusalKind = "empty_answer"

	// RefusedExtensionDays: an extension of Refusal.N days, outside 1 to
	// Refusal.Max.
	RefusedExtensionDays RefusalKind = "extension_days"
	// RefusedNoReason: an extension without its reason.
	RefusedNoReason RefusalKind = "no_reason"
	// RefusedCalendar: the legal calendar cannot count the extension (not
	// configured, or configured wrong).
	RefusedCalendar RefusalKind = "calendar"
	// RefusedExtendCategory: only document requests are extended;
	// Refusal.Category is the ticket's.
	RefusedExtendCategory RefusalKind = "extend_category"
	// RefusedAlreadyExtended: the one extension the law allows, by
	// Refusal.N days, was made on Refusal.Value (an ISO date).
	RefusedAlreadyExtended RefusalKind = "already_extended"
	// RefusedUrgentExtension: an urgent request is not extended.
	RefusedUrgentExtension RefusalKind = "urgent_extension"
	// RefusedDeadlinePassed: an extension asked for after the deadline in
	// force passed, on Refusal.Value (an ISO date): the request was
	// refused by silence then, and an extension cannot undo that.
	RefusedDeadlinePassed RefusalKind = "deadline_passed"
	// RefusedNotHeldCategory: only document requests are marked not held;
	// Refusal.Category is the ticket's.
	RefusedNotHeldCategory RefusalKind = "not_held_category"
	// RefusedAlreadyNotHeld: marked not held on Refusal.Value (an ISO date).
	RefusedAlreadyNotHeld RefusalKind = "already_not_held"
	// RefusedCloseOutcome: a ticket of Refusal.Category, not a document
	// request, closes as resolved or no answer needed, not as
	// Refusal.Value.
	RefusedCloseOutcome RefusalKind = "close_outcome"
	// RefusedGroundCategory: a ground or a decision in an answer on a
	// ticket of Refusal.Category, not a document request.
	RefusedGroundCategory RefusalKind = "ground_category"
	// RefusedNoDecision: a document request closed with Refusal.Value,
	// which is no decision.
	RefusedNoDecision RefusalKind = "no_decision"
	// RefusedNeedsGround: the decision Refusal.Value needs a ground
	// (Refusal.Choices: the configured ones).
	RefusedNeedsGround RefusalKind = "needs_ground"
	// RefusedUnknownGround: Refusal.Value is no configured ground
	// (Refusal.Choices: the configured ones).
	RefusedUnknownGround RefusalKind = "unknown_ground"
	// RefusedGroundNotTaken: the decision Refusal.Value takes no ground.
	RefusedGroundNotTaken RefusalKind = "ground_not_taken"
	// RefusedNoAnswerSent: the decision said to be in an answer, and no
	// answer was sent.
	RefusedNoAnswerSent RefusalKind = "no_answer_sent"
	// RefusedNoAnswerSinceReopen: the decision said to be in an answer,
	// and no answer was sent since the ticket was reopened on
	// Refusal.Value (an ISO date).
	RefusedNoAnswerSinceReopen RefusalKind = "no_answer_since_reopen"
	// RefusedNotClosed: a ticket reopened that is not closed
	// (Refusal.State).
	RefusedNotClosed RefusalKind = "not_closed"
	// RefusedNoAddress: an answer on a ticket whose citizen left no
	// address (and no Telegram chat) to send it to.
	RefusedNoAddress RefusalKind = "no_address"
	// RefusedEmptyNote: a note without text.
	RefusedEmptyNote RefusalKind = "empty_note"
	// RefusedNoteTooLong: a note of Refusal.N characters, more than
	// Refusal.Max.
	RefusedNoteTooLong RefusalKind = "note_too_long"
	// RefusedNoAuthor: a note without its author.
	RefusedNoAuthor RefusalKind = "no_author"

	// RefusedComplaintDate: a complaint's date, Refusal.Value as written,
	// is no date.
	RefusedComplaintDate RefusalKind = "complaint_date"
	// RefusedComplaintFuture: a complaint dated Refusal.Value (an ISO
	// date), after today.
	RefusedComplaintFuture RefusalKind = "complaint_future"
	// RefusedComplaintEarly: a complaint dated Refusal.Value (an ISO date),
	// before the request was received.
	RefusedComplaintEarly RefusalKind = "complaint_early"

	// RefusedStandardCategory: the standard text Refusal.Value is for
	// document requests, and the ticket is of Refusal.Category.
	RefusedStandardCategory RefusalKind = "standard_category"

	// RefusedCommandUsage: a command in an officer's mail, #Refusal.Value,
	// is written wrongly (its arguments).
	RefusedCommandUsage RefusalKind = "command_usage"
	// RefusedCommandDays: #extend with Refusal.Value, which is no number of
	// days.
	RefusedCommandDays RefusalKind = "command_days"
	// RefusedUnknownOutcome: #close with Refusal.Value, which is no
	// outcome (Refusal.Choices: the outcomes).
	RefusedUnknownOutcome RefusalKind = "unknown_outcome"
	// RefusedUnknownCommand: a line of an officer's mail, #Refusal.Value,
	// is no command but clearly meant as one (a near-miss, or the word in
	// the officer's language); Refusal.Meant is the command it probably is.
	RefusedUnknownCommand RefusalKind = "unknown_command"
	// RefusedCommandBullet: a line of an officer's mail, Refusal.Value, is
	// a command with a dash, bullet or list number before it;
	// Refusal.Meant is the line to write.
	RefusedCommandBullet RefusalKind = "command_bullet"
	// RefusedCommandInSubject: Refusal.Value, a command written in the
	// subject of an officer's reply, where commands are not read;
	// Refusal.Meant is the line to write in the text.
	RefusedCommandInSubject RefusalKind = "command_in_subject"
	// RefusedQuotedCommand: a command line below the quote of an officer's
	// reply, Refusal.Value, is word for word a line of what Sportel sent
	// them (the citizen's message), so it was taken for the quote.
	RefusedQuotedCommand RefusalKind = "quoted_command"
	// RefusedSuperseded: a command of an officer's mail that a later line
	// of the same mail, Refusal.Value, undoes or replaces.
	RefusedSuperseded RefusalKind = "superseded"
	// RefusedFilesChannel: an answer given in Telegram with files, for a
	// ticket whose citizen has no private chat with the bot to send them to.
	RefusedFilesChannel RefusalKind = "files_channel"
)

// ErrNoTicket is an action on a ticket number that names no ticket. It is
// no refusal (ErrLifecycle): nothing about the ticket refused it.
var ErrNoTicket = errors.New("no ticket")

// Refusal is an officer action the desk refused (it is ErrLifecycle), with
// its kind and what a front end needs to say it again in the officer's
// language. Its Error is English, for the log and the command line; Say
// is what the officer reads.
type Refusal struct {
	Kind     RefusalKind
	Ticket   string           // the ticket's number
	State    inquiry.State    // the ticket's state, when it is the reason
	Category inquiry.Category // the ticket's category, when it is the reason
	// Value is what the kind says: the unknown officer, category or
	// ground, the outcome asked for, the date of an earlier action.
	Value  string
	N, Max int // a number asked for (days, characters) and its limit
	// Choices are what the officer may write instead of Value (officers'
	// ids, grounds, outcomes), when they write it themselves.
	Choices []string
	// Meant is the command an officer probably meant by a word that is
	// none (RefusedUnknownCommand), as written rightly.
	Meant string
	text  string
}

func (r *Refusal) Error() string { return ErrLifecycle.Error() + ": " + r.text }

// Unwrap makes a Refusal ErrLifecycle: callers that show refusals as they
// are (mail command reports, Telegram) need not know the kinds.
func (r *Refusal) Unwrap() error { return ErrLifecycle }

// refuseAs is a refusal of kind, for t as it stands, with the English
// text format gives.
func refuseAs(kind RefusalKind, t *inquiry.Ticket, format string, args ...any) error {
	return &Refusal{Kind: kind, Ticket: t.Number, State: t.State, Category: t.Category, text: fmt.Sprintf(format, args...)}
}

// refuseWith is refuseAs with what the kind says besides the ticket: the
// Value, N, Max and Choices of r.
func refuseWith(r Refusal, t *inquiry.Ticket, format string, args ...any) error {
	r.Ticket, r.State, r.Category, r.text = t.Number, t.State, t.Category, fmt.Sprintf(format, args...)
	return &r
}

// refuseNotOpen refuses an action on t, which is not open, as closed or as
// bulk or spam mail, with the English text format gives.
func refuseNotOpen(t *inquiry.Ticket, format string, args ...any) error {
	if t.State == inquiry.Closed {
		return refuseAs(RefusedClosed, t, format, args...)
	}
	return refuseAs(RefusedSetAside, t, format, args...)
}

// Say is the refusal as the officer reads it in lang: Albanian, Serbian in
// Latin or Cyrillic script, or English (Albanian for any other language),
// one or two whole sentences without the English of Error.
func (r *Refusal) Say(lang inquiry.Language) string {
	i := column(lang)
	s, ok := refusalTexts[r.Kind]
	if !ok {
		// A kind added without its texts (a test catches that): still not
		// the English.
		return notAllowedText[i]
	}
	var args []any
	if s.args != nil {
		args = s.args(r, lang)
	}
	text := fmt.Sprintf(s.text[i], args...)
	if len(r.Choices) > 0 {
		text += " " + fmt.Sprintf(choicesText[i], strings.Join(r.Choices, ", "))
	}
	return text
}

// OfficerText is err, which an officer's action met, as the officer reads
// it in lang: a Refusal as its Say; a ticket that does not exist; another
// refusal (ErrLifecycle without a kind, which the desk no longer makes) as
// not allowed; and anything else as a failure of the system, to try again:
// its detail is the log's, not the officer's.
func OfficerText(err error, lang inquiry.Language) string {
	i := column(lang)
	var r *Refusal
	switch {
	case errors.As(err, &r):
		return r.Say(lang)
	case errors.Is(err, ErrNoTicket):
		number := strings.TrimSpace(strings.TrimPrefix(err.Error(), ErrNoTicket.Error()))
		return fmt.Sprintf(noTicketText[i], clip(number))
	case errors.Is(err, ErrLifecycle):
		return notAllowedText[i]
	}
	return InternalFailureText(lang)
}

// InternalFailureText says in lang that an action was not done because the
// system failed (the store did not answer, ...), to try again, and whom to
// tell if it goes on.
func InternalFailureText(lang inquiry.Language) string { return internalFailureText[column(lang)] }

// column is lang's column in the tables here: Albanian, Serbian Latin,
// Serbian Cyrillic, English.
func column(lang inquiry.Language) int {
	switch lang {
	case inquiry.SerbianLatin:
		return 1
	case inquiry.SerbianCyrl:
		return 2
	case inquiry.English:
		return 3
	}
	return 0
}

// refusalSay is how a kind is said: a format in each column, and the
// arguments it takes from the refusal.
type refusalSay struct {
	args func(r *Refusal, lang inquiry.Language) []any
	text [4]string
}

// The arguments the formats take.
func sayNumber(r *Refusal, _ inquiry.Language) []any { return []any{r.Ticket} }
func sayValue(r *Refusal, _ inquiry.Language) []any  { return []any{clip(r.Value)} }
func sayNumberCategory(r *Refusal, lang inquiry.Language) []any {
	return []any{r.Ticket, CategoryName(r.Category, lang)}
}
func sayOutcome(r *Refusal, lang inquiry.Language) []any {
	return []any{outcomeName(inquiry.Outcome(r.Value), lang)}
}
func sayUsage(name string) func(*Refusal, inquiry.Language) []any {
	return func(r *Refusal, _ inquiry.Language) []any { return []any{clip(r.Value), commandUsage[name]} }
}

// sayValueMeant is the line written and the line to write instead.
func sayValueMeant(r *Refusal, _ inquiry.Language) []any { return []any{clip(r.Value), r.Meant} }

// sayMeant is the word written, the command it probably is, and how that
// is written.
func sayMeant(r *Refusal, _ inquiry.Language) []any {
	name, _, _ := strings.Cut(strings.TrimPrefix(r.Meant, "#"), " ")
	return []any{clip(r.Value), clip(r.Meant), commandUsage[name]}
}

// refusalTexts say each kind; the Serbian Cyrillic column is the Serbian
// Latin one written in Cyrillic (as the web workspace writes it).
var refusalTexts = map[RefusalKind]refusalSay{
	RefusedClosed: {sayNumber, [4]string{"Tiketa %s është e mbyllur: rihapeni më parë.", "Tiket %s je zatvoren: prvo ga ponovo otvorite.", "Тикет %s је затворен: прво га поново отворите.", "Ticket %s is closed: reopen it first."}},
	RefusedSetAside: {func(r *Refusal, lang inquiry.Language) []any {
		return []any{r.Ticket, setAsideName(r.State, lang)}
	}, [4]string{"Tiketa %s është %s: ruhet, por nuk punohet.", "Tiket %s je %s: čuva se, ali se ne obrađuje.", "Тикет %s је %s: чува се, али се не обрађује.", "Ticket %s is %s: kept, not worked."}},
	RefusedUnknownOfficer:  {sayValue, [4]string{"Zyrtari %q nuk njihet.", "Službenik %q nije poznat.", "Службеник %q није познат.", "Unknown officer %q."}},
	RefusedUnknownCategory: {sayValue, [4]string{"Kategoria %q nuk njihet.", "Kategorija %q nije poznata.", "Категорија %q није позната.", "Unknown category %q."}},
	RefusedEmptyAnswer:     {nil, [4]string{"Përgjigjja është bosh; asgjë nuk u dërgua.", "Odgovor je prazan; ništa nije poslato.", "Одговор је празан; ништа није послато.", "The answer is empty; nothing was sent."}},
	RefusedExtensionDays: {func(r *Refusal, _ inquiry.Language) []any { return []any{r.Max, r.N} },
		[4]string{"Zgjatja është nga 1 deri në %d ditë, jo %d.", "Produženje je od 1 do %d dana, ne %d.", "Продужење је од 1 до %d дана, не %d.", "An extension is 1 to %d days, not %d."}},
	RefusedNoReason:       {nil, [4]string{"Shkruani arsyen e zgjatjes: i tregohet kërkuesit.", "Navedite razlog produženja: saopštava se podnosiocu zahteva.", "Наведите разлог продужења: саопштава се подносиоцу захтева.", "Give the reason for the extension: the requester is told it."}},
	RefusedCalendar:       {nil, [4]string{"Afati i ri nuk mund të llogaritet: kalendari ligjor nuk është konfiguruar si duhet. Njoftoni administratorin.", "Novi rok ne može da se izračuna: zakonski kalendar nije ispravno podešen. Obavestite administratora.", "Нови рок не може да се израчуна: законски календар није исправно подешен. Обавестите администратора.", "The new deadline cannot be counted: the legal calendar is not set up right. Tell the administrator."}},
	RefusedExtendCategory: {sayNumberCategory, [4]string{"Tiketa %s është në kategorinë „%s”: vetëm kërkesat për dokumente kanë afat që zgjatet.", "Tiket %s je u kategoriji „%s”: samo zahtevi za dokumente imaju rok koji se produžava.", "Тикет %s је у категорији „%s”: само захтеви за документе имају рок који се продужава.", "Ticket %s is a “%s”: only document requests have a deadline to extend."}},
	RefusedAlreadyExtended: {func(r *Refusal, _ inquiry.Language) []any { return []any{r.Ticket, r.N, isoDay(r.Value)} },
		[4]string{"Afati i tiketës %s është zgjatur tashmë me %d ditë më %s: ligji lejon vetëm një zgjatje.", "Rok tiketa %s je već produžen za %d dana, %s: zakon dozvoljava samo jedno produženje.", "Рок тикета %s је већ продужен за %d дана, %s: закон дозвољава само једно продужење.", "Ticket %s was already extended by %d days on %s: the law allows one extension."}},
	RefusedUrgentExtension: {sayNumber, [4]string{"Tiketa %s është urgjente (48 orë): kërkesa urgjente nuk zgjatet. Hiqni më parë urgjencën.", "Tiket %s je hitan (48 č): hitan zahtev se ne produžava. Prvo uklonite hitnost.", "Тикет %s је хитан (48 ч): хитан захтев се не продужава. Прво уклоните хитност.", "Ticket %s is urgent (48 hours): an urgent request cannot be extended. Clear the urgent flag first."}},
	RefusedDeadlinePassed: {func(r *Refusal, _ inquiry.Language) []any { return []any{r.Ticket, isoDay(r.Value)} },
		[4]string{"Afati i tiketës %s ka kaluar më %s pa vendim: ligji e lejon zgjatjen vetëm brenda afatit, me njoftim për kërkuesin, dhe zgjatja pas tij nuk e ndryshon refuzimin e heshtur. Vendosni për kërkesën sa më parë.",
			"Rok tiketa %s je istekao %s bez odluke: zakon dozvoljava produženje samo u okviru roka, uz obaveštenje podnosiocu zahteva, a produženje posle roka ne menja prećutno odbijanje. Odlučite o zahtevu što pre.",
			"Рок тикета %s је истекао %s без одлуке: закон дозвољава продужење само у оквиру рока, уз обавештење подносиоцу захтева, а продужење после рока не мења прећутно одбијање. Одлучите о захтеву што пре.",
			"Ticket %s's deadline passed on %s with no decision: the law allows an extension only within the deadline, with the requester told, and one made after it does not undo the refusal by silence. Decide the request as soon as you can."}},
	RefusedNotHeldCategory: {sayNumberCategory, [4]string{"Tiketa %s është në kategorinë „%s”: vetëm një kërkesë për dokumente mund të shënohet si dokument që nuk mbahet.", "Tiket %s je u kategoriji „%s”: samo zahtev za dokumente može da se označi kao dokument koji se ne čuva.", "Тикет %s је у категорији „%s”: само захтев за документе може да се означи као документ који се не чува.", "Ticket %s is a “%s”: only a document request can be marked not held."}},
	RefusedAlreadyNotHeld: {func(r *Refusal, _ inquiry.Language) []any { return []any{r.Ticket, isoDay(r.Value)} },
		[4]string{"Tiketa %s është shënuar tashmë më %s: dokumenti nuk mbahet.", "Tiket %s je već označen %s: dokument se ne čuva.", "Тикет %s је већ означен %s: документ се не чува.", "Ticket %s was already marked not held on %s."}},
	RefusedCloseOutcome:   {sayNumberCategory, [4]string{"Tiketa %s është në kategorinë „%s”: mbyllet si „zgjidhur” ose „pa nevojë për përgjigje”.", "Tiket %s je u kategoriji „%s”: zatvara se kao „rešeno” ili „bez potrebe za odgovorom”.", "Тикет %s је у категорији „%s”: затвара се као „решено” или „без потребе за одговором”.", "Ticket %s is a “%s”: close it as “resolved” or “no answer needed”."}},
	RefusedGroundCategory: {sayNumberCategory, [4]string{"Tiketa %s është në kategorinë „%s”: baza e refuzimit dhe vendimi në përgjigje janë vetëm për kërkesat për dokumente.", "Tiket %s je u kategoriji „%s”: osnov odbijanja i odluka u odgovoru postoje samo za zahteve za dokumente.", "Тикет %s је у категорији „%s”: основ одбијања и одлука у одговору постоје само за захтеве за документе.", "Ticket %s is a “%s”: a refusal ground or a decision in an answer is only for document requests."}},
	RefusedNoDecision:     {sayNumber, [4]string{"Tiketa %s është kërkesë për dokumente: zgjidhni vendimin (miratuar, miratuar pjesërisht, refuzuar, nuk mbahet, tërhequr).", "Tiket %s je zahtev za dokumente: izaberite odluku (odobreno, delimično odobreno, odbijeno, ne čuva se, povučeno).", "Тикет %s је захтев за документе: изаберите одлуку (одобрено, делимично одобрено, одбијено, не чува се, повучено).", "Ticket %s is a document request: choose its decision (granted, partly granted, refused, not held, withdrawn)."}},
	RefusedNeedsGround:    {sayOutcome, [4]string{"Vendimi „%s” kërkon bazën e refuzimit.", "Odluka „%s” zahteva osnov odbijanja.", "Одлука „%s” захтева основ одбијања.", "A decision “%s” needs a refusal ground."}},
	RefusedUnknownGround:  {sayValue, [4]string{"Baza e refuzimit %q nuk njihet.", "Osnov odbijanja %q nije poznat.", "Основ одбијања %q није познат.", "Unknown refusal ground %q."}},
	RefusedGroundNotTaken: {sayOutcome, [4]string{"Vendimi „%s” nuk ka bazë refuzimi: baza vlen vetëm për refuzimin dhe miratimin e pjesshëm.", "Odluka „%s” nema osnov odbijanja: osnov važi samo za odbijanje i delimično odobrenje.", "Одлука „%s” нема основ одбијања: основ важи само за одбијање и делимично одобрење.", "A decision “%s” takes no refusal ground: grounds are for refused and partly granted."}},
	RefusedNoAnswerSent:   {sayNumber, [4]string{"Kërkuesit nuk i është dërguar asnjë përgjigje për tiketën %s, prandaj vendimi nuk mund të ketë shkuar në të.", "Podnosiocu zahteva nije poslat nijedan odgovor na tiket %s, pa odluka nije mogla da ode u njemu.", "Подносиоцу захтева није послат ниједан одговор на тикет %s, па одлука није могла да оде у њему.", "No answer went to the requester on ticket %s, so the decision cannot have gone out in one."}},
	RefusedNoAnswerSinceReopen: {func(r *Refusal, _ inquiry.Language) []any { return []any{r.Ticket, isoDay(r.Value)} },
		[4]string{"Tiketa %s u rihap më %s dhe që atëherë kërkuesit nuk i është dërguar asnjë përgjigje, prandaj vendimi i ri nuk mund të ketë shkuar në të. Dërgoni më parë përgjigjen, ose mbylleni që kërkuesi të marrë njoftimin e vendimit.",
			"Tiket %s je ponovo otvoren %s i od tada podnosiocu zahteva nije poslat nijedan odgovor, pa nova odluka nije mogla da ode u njemu. Prvo pošaljite odgovor ili ga zatvorite tako da podnosilac zahteva dobije obaveštenje o odluci.",
			"Тикет %s је поново отворен %s и од тада подносиоцу захтева није послат ниједан одговор, па нова одлука није могла да оде у њему. Прво пошаљите одговор или га затворите тако да подносилац захтева добије обавештење о одлуци.",
			"Ticket %s was reopened on %s and no answer has gone to the requester since, so the new decision cannot have gone out in one. Send the answer first, or close it so that the requester gets the decision notice."}},
	RefusedNotClosed: {func(r *Refusal, lang inquiry.Language) []any { return []any{r.Ticket, stateName(r.State, lang)} },
		[4]string{"Tiketa %s nuk është e mbyllur (%s): nuk ka çfarë të rihapet.", "Tiket %s nije zatvoren (%s): nema šta da se ponovo otvori.", "Тикет %s није затворен (%s): нема шта да се поново отвори.", "Ticket %s is not closed (%s): there is nothing to reopen."}},
	RefusedNoAddress: {sayNumber, [4]string{"Tiketa %s nuk ka adresë ku të dërgohet përgjigja: qytetari nuk la adresë. Përgjigja nuk u dërgua; shtojeni si shënim nëse duhet ruajtur.", "Tiket %s nema adresu na koju bi se poslao odgovor: građanin nije ostavio adresu. Odgovor nije poslat; dodajte ga kao belešku ako treba da se sačuva.", "Тикет %s нема адресу на коју би се послао одговор: грађанин није оставио адресу. Одговор није послат; додајте га као белешку ако треба да се сачува.", "Ticket %s has no address to answer: the citizen left none. The answer was not sent; add it as a note if it should be kept."}},
	RefusedEmptyNote: {nil, [4]string{"Shënimi është bosh; asgjë nuk u shtua.", "Beleška je prazna; ništa nije dodato.", "Белешка је празна; ништа није додато.", "The note is empty; nothing was added."}},
	RefusedNoteTooLong: {func(r *Refusal, _ inquiry.Language) []any { return []any{r.N, r.Max} },
		[4]string{"Shënimi ka %d shenja; lejohen më së shumti %d.", "Beleška ima %d znakova; dozvoljeno je najviše %d.", "Белешка има %d знакова; дозвољено је највише %d.", "The note has %d characters; at most %d are allowed."}},
	RefusedNoAuthor:      {nil, [4]string{"Shënimi nuk ka autor; asgjë nuk u shtua.", "Beleška nema autora; ništa nije dodato.", "Белешка нема аутора; ништа није додато.", "The note has no author; nothing was added."}},
	RefusedComplaintDate: {sayValue, [4]string{"Data e ankesës %q nuk është datë si 2026-12-01.", "Datum žalbe %q nije datum poput 2026-12-01.", "Датум жалбе %q није датум попут 2026-12-01.", "The complaint's date %q is not a date like 2026-12-01."}},
	RefusedComplaintFuture: {func(r *Refusal, _ inquiry.Language) []any { return []any{isoDay(r.Value)} },
		[4]string{"Data e ankesës, %s, është në të ardhmen.", "Datum žalbe, %s, je u budućnosti.", "Датум жалбе, %s, је у будућности.", "The complaint's date, %s, is in the future."}},
	RefusedComplaintEarly: {func(r *Refusal, _ inquiry.Language) []any { return []any{isoDay(r.Value), r.Ticket} },
		[4]string{"Data e ankesës, %s, është para ditës kur u pranua kërkesa e tiketës %s.", "Datum žalbe, %s, je pre dana kada je primljen zahtev tiketa %s.", "Датум жалбе, %s, је пре дана када је примљен захтев тикета %s.", "The complaint's date, %s, is before ticket %s's request was received."}},
	RefusedStandardCategory: {sayNumberCategory, [4]string{"Tiketa %s është në kategorinë „%s”: ky tekst standard është vetëm për kërkesat për dokumente.", "Tiket %s je u kategoriji „%s”: ovaj standardni tekst je samo za zahteve za dokumente.", "Тикет %s је у категорији „%s”: овај стандардни текст је само за захтеве за документе.", "Ticket %s is a “%s”: this standard text is for document requests only."}},
	RefusedCommandUsage: {func(r *Refusal, _ inquiry.Language) []any { return []any{clip(r.Value), commandUsage[r.Value]} },
		[4]string{"Komanda #%s nuk është shkruar si duhet. Shkruajeni kështu: %s", "Komanda #%s nije napisana kako treba. Napišite je ovako: %s", "Команда #%s није написана како треба. Напишите је овако: %s", "The command #%s is not written right. Write it as: %s"}},
	RefusedCommandDays:    {sayUsage("extend"), [4]string{"%q nuk është numër ditësh. Shkruajeni kështu: %s", "%q nije broj dana. Napišite ovako: %s", "%q није број дана. Напишите овако: %s", "%q is not a number of days. Write it as: %s"}},
	RefusedUnknownOutcome: {sayUsage("close"), [4]string{"Rezultati %q nuk njihet. Shkruajeni kështu: %s", "Ishod %q nije poznat. Napišite ovako: %s", "Исход %q није познат. Напишите овако: %s", "Unknown outcome %q. Write it as: %s"}},
	RefusedFilesChannel:   {sayNumber, [4]string{"Qytetari i tiketës %s nuk ka bisedë private me botin ku t'i dërgohet skedari: përgjigjuni me email njoftimit të tiketës, me skedarin bashkëngjitur.", "Građanin tiketa %s nema privatni razgovor sa botom u koji bi se poslala datoteka: odgovorite e-poštom na obaveštenje o tiketu, sa datotekom u prilogu.", "Грађанин тикета %s нема приватни разговор са ботом у који би се послала датотека: одговорите е-поштом на обавештење о тикету, са датотеком у прилогу.", "Ticket %s's citizen has no private chat with the bot to send the file to: answer the ticket's notification by mail, with the file attached."}},
	RefusedCommandBullet: {sayValueMeant, [4]string{"Rreshti „%s” nuk u krye dhe nuk iu dërgua qytetarit: një komandë shkruhet në fillim të rreshtit, pa vizë, pikë apo numër para saj. Shkruajeni kështu: %s",
		"Red „%s” nije izvršen i nije poslat građaninu: komanda se piše na početku reda, bez crte, tačke ili broja ispred nje. Napišite je ovako: %s",
		"Ред „%s” није извршен и није послат грађанину: команда се пише на почетку реда, без црте, тачке или броја испред ње. Напишите је овако: %s",
		"The line “%s” was not done and did not go to the citizen: a command starts its line, with no dash, bullet or number before it. Write it as: %s"}},
	RefusedCommandInSubject: {sayValueMeant, [4]string{"„%s” në temën e mesazhit nuk u krye: komandat lexohen vetëm në tekstin e mesazhit, secila në rreshtin e vet, sepse tema mbetet në çdo përgjigje të mëvonshme. Nëse e doni, shkruajeni në tekst: %s",
		"„%s” u naslovu poruke nije izvršeno: komande se čitaju samo u tekstu poruke, svaka u svom redu, jer naslov ostaje u svakom kasnijem odgovoru. Ako je želite, napišite je u tekstu: %s",
		"„%s” у наслову поруке није извршено: команде се читају само у тексту поруке, свака у свом реду, јер наслов остаје у сваком каснијем одговору. Ако је желите, напишите је у тексту: %s",
		"“%s” in the mail's subject was not done: commands are read in the mail's text only, each on a line of its own, since the subject stays in every later reply. If you want it, write it in the text: %s"}},
	RefusedQuotedCommand: {sayValue, [4]string{"Rreshti „%s” nën mesazhin e cituar është fjalë për fjalë një rresht i mesazhit të qytetarit, ndaj u mor si pjesë e citimit dhe nuk u krye. Nëse e keni shkruar ju, dërgojeni sërish sipër mesazhit të cituar.",
		"Red „%s” ispod citirane poruke je od reči do reči red iz poruke građanina, pa je uzet kao deo citata i nije izvršen. Ako ste ga vi napisali, pošaljite ga ponovo iznad citirane poruke.",
		"Ред „%s” испод цитиране поруке је од речи до речи ред из поруке грађанина, па је узет као део цитата и није извршен. Ако сте га ви написали, пошаљите га поново изнад цитиране поруке.",
		"The line “%s” below the quoted mail is word for word a line of the citizen's message, so it was taken as part of the quote and not done. If you wrote it, send it again above the quoted mail."}},
	RefusedSuperseded: {sayValue, [4]string{"U zëvendësua nga %s, më poshtë në të njëjtin mesazh: vlen rreshti i fundit, ndaj ky nuk u krye.",
		"Zamenjeno redom %s niže u istoj poruci: važi poslednji red, pa ovaj nije izvršen.",
		"Замењено редом %s ниже у истој поруци: важи последњи ред, па овај није извршен.",
		"Replaced by %s further down the same mail: the last line counts, so this one was not done."}},
	RefusedUnknownCommand: {sayMeant, [4]string{"#%s nuk është komandë: nuk u krye asgjë dhe rreshti nuk iu dërgua qytetarit. Ndoshta keni dashur %s? Shkruajeni kështu: %s",
		"#%s nije komanda: ništa nije izvršeno i red nije poslat građaninu. Da li ste mislili %s? Napišite ovako: %s",
		"#%s није команда: ништа није извршено и ред није послат грађанину. Да ли сте мислили %s? Напишите овако: %s",
		"#%s is no command: nothing was done and the line did not go to the citizen. Did you mean %s? Write it as: %s"}},
}

var (
	// choicesText follows a refusal that has Choices.
	choicesText = [4]string{"Mundësitë: %s.", "Mogućnosti: %s.", "Могућности: %s.", "The options: %s."}
	// noTicketText is ErrNoTicket, with the number asked for.
	noTicketText = [4]string{"Nuk ka tiketë %s.", "Nema tiketa %s.", "Нема тикета %s.", "There is no ticket %s."}
	// notAllowedText is a refusal with no kind to say more by.
	notAllowedText = [4]string{"Veprimi nuk lejohet.", "Radnja nije dozvoljena.", "Радња није дозвољена.", "The action is not allowed."}
	// internalFailureText is any failure that is not the officer's to
	// mend: the store did not answer, a send could not be queued.
	internalFailureText = [4]string{
		"Veprimi nuk u krye për një gabim të sistemit. Provoni sërish pas pak; nëse gabimi vazhdon, njoftoni administratorin e IT-së.",
		"Radnja nije izvršena zbog greške u sistemu. Pokušajte ponovo malo kasnije; ako se greška ponavlja, obavestite IT administratora.",
		"Радња није извршена због грешке у систему. Покушајте поново мало касније; ако се грешка понавља, обавестите IT администратора.",
		"The action was not done: the system failed. Try again in a little while; if it keeps failing, tell the IT administrator."}
)

// outcomeNames name the outcomes in the refusals' texts.
var outcomeNames = map[inquiry.Outcome][4]string{
	inquiry.Granted:        {"miratuar", "odobreno", "одобрено", "granted"},
	inquiry.PartlyGranted:  {"miratuar pjesërisht", "delimično odobreno", "делимично одобрено", "partly granted"},
	inquiry.Refused:        {"refuzuar", "odbijeno", "одбијено", "refused"},
	inquiry.NotHeld:        {"nuk mbahet", "ne čuva se", "не чува се", "not held"},
	inquiry.Withdrawn:      {"tërhequr", "povučeno", "повучено", "withdrawn"},
	inquiry.Resolved:       {"zgjidhur", "rešeno", "решено", "resolved"},
	inquiry.NoAnswerNeeded: {"pa nevojë për përgjigje", "bez potrebe za odgovorom", "без потребе за одговором", "no answer needed"},
}

func outcomeName(o inquiry.Outcome, lang inquiry.Language) string {
	return nameIn(outcomeNames, o, lang, clip(string(o)))
}

// stateNames name the states of a ticket in the refusals' texts.
var stateNames = map[inquiry.State][4]string{
	inquiry.Assigned: {"caktuar", "dodeljen", "додељен", "assigned"},
	inquiry.Answered: {"përgjigjur", "odgovoren", "одговорен", "answered"},
	inquiry.Closed:   {"mbyllur", "zatvoren", "затворен", "closed"},
	inquiry.BulkMail: {"masive", "masovna", "масовна", "bulk"},
	inquiry.SpamMail: {"spam", "spam", "spam", "spam"},
}

func stateName(s inquiry.State, lang inquiry.Language) string {
	return nameIn(stateNames, s, lang, clip(string(s)))
}

// StateName is a ticket's state as officers read it in lang.
func StateName(s inquiry.State, lang inquiry.Language) string { return stateName(s, lang) }

// setAsideNames name the mail that is kept and not worked.
var setAsideNames = map[inquiry.State][4]string{
	inquiry.BulkMail: {"postë masive", "masovna pošta", "масовна пошта", "bulk mail"},
	inquiry.SpamMail: {"spam", "spam", "spam", "spam"},
}

func setAsideName(s inquiry.State, lang inquiry.Language) string {
	return nameIn(setAsideNames, s, lang, stateName(s, lang))
}

// nameIn is k's name in lang from names, or otherwise when names has none.
func nameIn[K comparable](names map[K][4]string, k K, lang inquiry.Language, otherwise string) string {
	if n, ok := names[k]; ok {
		return n[column(lang)]
	}
	return otherwise
}

// isoDay writes a day the desk names (2006-01-02) as officers read days;
// as it is if it does not parse.
func isoDay(s string) string {
	if day, err := time.Parse(time.DateOnly, s); err == nil {
		return day.Format("02.01.2006")
	}
	return clip(s)
}

// clip is a value an officer wrote, on one line and cut short, to say back.
func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
