package bot

import (
	"fmt"
	"strings"
	"time"

	"sportel/desk"
	"sportel/inquiry"
)

// What the bot says to citizens, in the four languages it answers in.
// Officers' texts are Albanian only, like the desk's notifications.
type phrases struct {
	langSet, help, newPrompt, flood, unsupported, empty, edited string
	// filesNotKept: %s the files' names (each with a space before it, or
	// none), %d the largest file the bot may fetch, in MB. privateOnly:
	// %s the bot's @name without the @.
	filesNotKept, privateOnly                          string
	linked, linkFailed, noTickets, statusHead, refused string
	states                                             map[inquiry.State]string
	categories                                         map[inquiry.Category]string
	due                                                string
}

// greeting is the /start text: Albanian first, as the ministry's main
// language, and a line for each other language next to its button.
const greeting = "Mirë se vini te Divizioni për Komunikim Publik i Ministrisë së Kulturës, Rinisë dhe Sportit.\n" +
	"Shkruani pyetjen ose kërkesën tuaj këtu; do t'ju konfirmojmë me një numër tikete.\n\n" +
	"Zgjidhni gjuhën · Izaberite jezik · Изаберите језик · Choose your language:"

var languageButtons = []struct {
	Label string
	Lang  inquiry.Language
}{
	{"Shqip", inquiry.Albanian},
	{"Srpski", inquiry.SerbianLatin},
	{"Српски", inquiry.SerbianCyrl},
	{"English", inquiry.English},
}

var catalog = map[inquiry.Language]phrases{
	inquiry.Albanian: {
		langSet:      "Do t'ju përgjigjemi në shqip. Shkruani pyetjen tuaj.",
		help:         "Shkruani pyetjen tuaj si mesazh. /status tregon tiketat tuaja, /new hap një tiketë të re, /start ndryshon gjuhën.",
		newPrompt:    "Shkruani mesazhin tuaj të ri; ai do të hapë një tiketë të re.",
		flood:        "Po shkruani shumë shpejt. Mesazhet tuaja janë ruajtur dhe do t'i shqyrtojmë; ju lutemi prisni pak minuta para se të shkruani përsëri.",
		unsupported:  "Mund të lexoj tekst, fotografi, dokumente dhe mesazhe zanore. Ju lutemi shkruani pyetjen tuaj me fjalë.",
		filesNotKept: "Nuk mundëm ta ruajmë skedarin%s, ndaj mesazhi juaj u regjistrua pa të. Këtu mund të merren skedarë deri në %d MB: ju lutemi dërgojeni më të vogël ose në disa pjesë.",
		privateOnly:  "Pyetjet i pranoj vetëm në bisedë private: shkruani te https://t.me/%s. Mesazhi juaj këtu nuk u regjistrua.",
		empty:        "Mesazhi është bosh. Ju lutemi shkruani pyetjen tuaj.",
		edited:       "Ndryshimet në një mesazh të dërguar nuk shihen. Ju lutemi dërgoni korrigjimin si mesazh të ri.",
		linked:       "Tiketa %s tani është e lidhur me këtë bisedë; përgjigjja do të vijë këtu.",
		linkFailed:   "Nuk mund ta lidhnim atë tiketë me këtë bisedë.",
		noTickets:    "Nuk keni ende asnjë tiketë.",
		statusHead:   "Tiketat tuaja:",
		refused:      "Ky veprim është vetëm për zyrtarët e ministrisë.",
		due:          "afati",
		states:       map[inquiry.State]string{inquiry.Assigned: "në shqyrtim", inquiry.Answered: "përgjigjur", inquiry.Closed: "mbyllur"},
		categories: map[inquiry.Category]string{
			inquiry.DocumentRequest: "kërkesë për qasje në dokumente publike",
			inquiry.PressInquiry:    "pyetje nga media",
			inquiry.GeneralQuestion: "pyetje e përgjithshme",
		},
	},
	inquiry.SerbianLatin: {
		langSet:      "Odgovaraćemo vam na srpskom. Napišite svoje pitanje.",
		help:         "Napišite svoje pitanje kao poruku. /status prikazuje vaše predmete, /new otvara novi predmet, /start menja jezik.",
		newPrompt:    "Napišite novu poruku; ona će otvoriti novi predmet.",
		flood:        "Pišete vrlo brzo. Vaše poruke su sačuvane i razmotrićemo ih; molimo sačekajte nekoliko minuta pre nego što ponovo pišete.",
		unsupported:  "Mogu da pročitam tekst, fotografije, dokumente i glasovne poruke. Molimo napišite pitanje rečima.",
		filesNotKept: "Nismo mogli da sačuvamo datoteku%s, pa je vaša poruka zavedena bez nje. Ovde se mogu primiti datoteke do %d MB: pošaljite je manju ili u više delova.",
		privateOnly:  "Pitanja primam samo u privatnom razgovoru: pišite na https://t.me/%s. Vaša poruka ovde nije zavedena.",
		empty:        "Poruka je prazna. Molimo napišite svoje pitanje.",
		edited:       "Izmene poslate poruke se ne vide. Molimo pošaljite ispravku kao novu poruku.",
		linked:       "Predmet %s je sada povezan sa ovim razgovorom; odgovor će stići ovde.",
		linkFailed:   "Nismo mogli da povežemo taj predmet sa ovim razgovorom.",
		noTickets:    "Još nemate nijedan predmet.",
		statusHead:   "Vaši predmeti:",
		refused:      "Ova radnja je samo za službenike ministarstva.",
		due:          "rok",
		states:       map[inquiry.State]string{inquiry.Assigned: "u razmatranju", inquiry.Answered: "odgovoreno", inquiry.Closed: "zatvoreno"},
		categories: map[inquiry.Category]string{
			inquiry.DocumentRequest: "zahtev za pristup javnim dokumentima",
			inquiry.PressInquiry:    "upit medija",
			inquiry.GeneralQuestion: "opšte pitanje",
		},
	},
	inquiry.SerbianCyrl: {
		langSet:      "Одговараћемо вам на српском. Напишите своје питање.",
		help:         "Напишите своје питање као поруку. /status приказује ваше предмете, /new отвара нови предмет, /start мења језик.",
		newPrompt:    "Напишите нову поруку; она ће отворити нови предмет.",
		flood:        "Пишете врло брзо. Ваше поруке су сачуване и размотрићемо их; молимо сачекајте неколико минута пре него што поново пишете.",
		unsupported:  "Могу да прочитам текст, фотографије, документе и гласовне поруке. Молимо напишите питање речима.",
		filesNotKept: "Нисмо могли да сачувамо датотеку%s, па је ваша порука заведена без ње. Овде се могу примити датотеке до %d MB: пошаљите је мању или у више делова.",
		privateOnly:  "Питања примам само у приватном разговору: пишите на https://t.me/%s. Ваша порука овде није заведена.",
		empty:        "Порука је празна. Молимо напишите своје питање.",
		edited:       "Измене послате поруке се не виде. Молимо пошаљите исправку као нову поруку.",
		linked:       "Предмет %s је сада повезан са овим разговором; одговор ће стићи овде.",
		linkFailed:   "Нисмо могли да повежемо тај предмет са овим разговором.",
		noTickets:    "Још немате ниједан предмет.",
		statusHead:   "Ваши предмети:",
		refused:      "Ова радња је само за службенике министарства.",
		due:          "рок",
		states:       map[inquiry.State]string{inquiry.Assigned: "у разматрању", inquiry.Answered: "одговорено", inquiry.Closed: "затворено"},
		categories: map[inquiry.Category]string{
			inquiry.DocumentRequest: "захтев за приступ јавним документима",
			inquiry.PressInquiry:    "упит медија",
			inquiry.GeneralQuestion: "опште питање",
		},
	},
	inquiry.English: {
		langSet:      "We will answer you in English. Please write your question.",
		help:         "Write your question as a message. /status shows your tickets, /new opens a new ticket, /start changes the language.",
		newPrompt:    "Write your new message; it will open a new ticket.",
		flood:        "You are writing very fast. Your messages are saved and we will look at them; please wait a few minutes before writing again.",
		unsupported:  "I can read text, photos, documents and voice messages. Please write your question in words.",
		filesNotKept: "We could not keep the file%s, so your message was filed without it. Files of up to %d MB can be received here: please send it smaller or in several parts.",
		privateOnly:  "I take questions only in a private chat: write to https://t.me/%s. Your message here was not registered.",
		empty:        "The message is empty. Please write your question.",
		edited:       "Changes to a sent message are not seen. Please send the correction as a new message.",
		linked:       "Ticket %s is now connected to this chat; the answer will come here.",
		linkFailed:   "We could not connect that ticket to this chat.",
		noTickets:    "You have no tickets yet.",
		statusHead:   "Your tickets:",
		refused:      "This action is for ministry officers only.",
		due:          "deadline",
		states:       map[inquiry.State]string{inquiry.Assigned: "in progress", inquiry.Answered: "answered", inquiry.Closed: "closed"},
		categories: map[inquiry.Category]string{
			inquiry.DocumentRequest: "request for access to public documents",
			inquiry.PressInquiry:    "press inquiry",
			inquiry.GeneralQuestion: "general question",
		},
	},
}

func say(lang inquiry.Language) phrases {
	if p, ok := catalog[lang]; ok {
		return p
	}
	return catalog[inquiry.Albanian]
}

// stateName is a ticket's state in plain words; bulk and spam tickets are
// simply closed as far as their sender is concerned.
func (p phrases) stateName(s inquiry.State) string {
	if n, ok := p.states[s]; ok {
		return n
	}
	return p.states[inquiry.Closed]
}

// clientLanguage maps Telegram's language_code to a reply language.
func clientLanguage(code string) (inquiry.Language, bool) {
	code = strings.ToLower(code)
	switch {
	case strings.HasPrefix(code, "sq"):
		return inquiry.Albanian, true
	case code == "sr", strings.Contains(code, "cyrl"):
		// Telegram's own Serbian is written in Cyrillic.
		return inquiry.SerbianCyrl, true
	case strings.HasPrefix(code, "sr"), strings.HasPrefix(code, "bs"), strings.HasPrefix(code, "hr"):
		return inquiry.SerbianLatin, true
	case strings.HasPrefix(code, "en"):
		return inquiry.English, true
	}
	return "", false
}

func formatDay(t time.Time, lang inquiry.Language) string {
	if lang == inquiry.English {
		return t.Format("2 January 2006")
	}
	return t.Format("02.01.2006")
}

// Officers' words.
var (
	officerCategory = map[inquiry.Category]string{
		inquiry.DocumentRequest: "kërkesë për dokumente",
		inquiry.PressInquiry:    "pyetje nga media",
		inquiry.GeneralQuestion: "pyetje e përgjithshme",
	}
	outcomeNames = map[inquiry.Outcome]string{
		inquiry.Granted:        "Lejuar",
		inquiry.PartlyGranted:  "Lejuar pjesërisht",
		inquiry.Refused:        "Refuzuar",
		inquiry.NotHeld:        "Nuk e posedojmë",
		inquiry.Withdrawn:      "Tërhequr",
		inquiry.Resolved:       "Zgjidhur",
		inquiry.NoAnswerNeeded: "Pa nevojë për përgjigje",
	}
)

const officerHelp = "Komandat: /tickets (tiketat tuaja të hapura), /ticket NUMRI, /close NUMRI [rezultati] [baza] [shënim], /reply NUMRI teksti, /login (lidhja për hapësirën e punës në ueb).\n" +
	"Afati ligjor: " + lifecycleHelp + ".\n" +
	"Për t'iu përgjigjur qytetarit, përgjigjuni (Reply) njoftimit të tiketës në këtë bisedë."

// forwardedNoCommand answers a command in a message an officer forwarded.
const forwardedNoCommand = "Urdhri nuk u zbatua: mesazhi është i përcjellë, dhe urdhrat merren vetëm kur i shkruani vetë. " +
	"Nëse doni ta zbatoni, shkruajeni urdhrin si mesazh të ri."

// answerWithoutWords answers an officer's reply to a notification that is
// an emoji or marks only; %s is the ticket's number.
const answerWithoutWords = "Asgjë nuk iu dërgua qytetarit për %s: përgjigjja ka vetëm emoji ose shenja, pa asnjë fjalë, " +
	"dhe qytetari do ta merrte si përgjigjen e ministrisë. Shkruani përgjigjen me fjalë."

// officerEdited answers an officer's edit; %s is how to send the
// correction ("/reply NUMBER teksti").
const officerEdited = "Ndryshimi nuk i kalon qytetarit: boti nuk i lexon mesazhet e ndryshuara. " +
	"Vlen mesazhi i parë: nëse ishte përgjigje, qytetari e mori ashtu siç u dërgua fillimisht. " +
	"Nëse korrigjimi ka rëndësi, dërgojeni si mesazh të ri (%s, ose si përgjigje njoftimit të tiketës)."

// What an officer is told when they send a file the bot cannot pass on.
// A document or a photo with an answer reaches a citizen in Telegram after
// the text (by its Telegram file id); a citizen by mail gets an officer's
// files only from an answer by mail, as a citizen in Telegram does a
// mail answer's files (up to what the Bot API takes, MaxUploadBytes) and
// any other kind of file. filesHowTelegram takes that limit and the ticket's
// number, filesHowGeneric and filesNotKept the limit.
const (
	filesNotSent      = "Asgjë nuk iu dërgua qytetarit për %s: %s, dhe teksti pa skedarin do t'i mbërrinte i mangët."
	filesWhyMail      = "qytetari shkroi me email, dhe boti skedarët e zyrtarëve ia dërgon vetëm qytetarit në Telegram"
	filesWhyKind      = "boti i dërgon qytetarit vetëm dokumente dhe foto, jo zë, video apo audio"
	filesWhyNoChat    = "qytetari shkroi në grupin publik dhe nuk e ka hapur ende bisedën private me botin, ku do t'i shkonte skedari"
	filesWhyNoTicket  = "boti nuk e gjeti tiketën për t'i dërguar skedarin"
	filesHowMail      = "Për t'ia dërguar skedarin, përgjigjuni me email njoftimit të tiketës që ju erdhi me postë, me skedarin bashkëngjitur: qytetari e merr bashkë me përgjigjen."
	filesHowTelegram  = "Qytetari shkroi në Telegram: për t'ia dërguar skedarin, përgjigjuni me email njoftimit të tiketës që ju erdhi me postë, me skedarin bashkëngjitur (deri në %s); qytetari e merr në Telegram pas tekstit të përgjigjes. Ose dërgoni vetëm tekstin me /reply %s teksti."
	filesHowGeneric   = "Skedarët i shkojnë qytetarit me email vetëm nga një përgjigje me email: përgjigjuni me email njoftimit të tiketës, me skedarin bashkëngjitur (qytetarit në Telegram deri në %s). Qytetarit në Telegram mund t'i dërgoni edhe këtu një dokument ose foto me /reply NUMRI teksti si përshkrim."
	filesNeedText     = "Përgjigjja është bosh; asgjë nuk u dërgua. Shkruani përgjigjen si përshkrim (caption) të skedarit: qytetari merr tekstin dhe pastaj skedarin."
	filesAnswerSentTo = "Përgjigjja për %s po i dërgohet qytetarit (telegram), me %d skedarë pas tekstit. Tiketa tani është e përgjigjur."
	filesNotKept      = "Skedari nuk u ruajt dhe nuk iu dërgua askujt: komandat nuk marrin skedarë. " + filesHowGeneric
)

// officerTicketText is a ticket for its officer, its times in loc.
func officerTicketText(t inquiry.Ticket, officerName string, loc *time.Location) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s · %s\n", t.Number, officerCategory[t.Category])
	fmt.Fprintf(&b, "Gjendja: %s", desk.StateName(t.State, inquiry.Albanian))
	if t.Outcome != inquiry.NoOutcome {
		fmt.Fprintf(&b, " (%s)", outcomeNames[t.Outcome])
	}
	fmt.Fprintf(&b, "\nZyrtari: %s\nKanali: %s · Gjuha: %s\n", officerName, t.Channel, t.Language)
	sender := t.Sender.Name
	if sender == "" {
		sender = t.Sender.Address
	}
	fmt.Fprintf(&b, "Dërguesi: %s\nPranuar: %s\n", sender, t.ReceivedAt.In(loc).Format("02.01.2006 15:04"))
	if !t.DueAt.IsZero() {
		fmt.Fprintf(&b, "Afati: %s\n", t.DueAt.In(loc).Format("02.01.2006"))
	}
	if t.Urgent {
		b.WriteString("URGJENTE: 48 orë\n")
	}
	if e := t.Extension; e != nil {
		fmt.Fprintf(&b, "Zgjatur për %d ditë: %s\n", e.Days, e.Reason)
	}
	if t.Ground != "" {
		fmt.Fprintf(&b, "Baza e kufizimit: %s\n", t.Ground)
	}
	if t.LinkedTo != "" {
		fmt.Fprintf(&b, "Vazhdim i: %s\n", t.LinkedTo)
	}
	return strings.TrimRight(b.String(), "\n")
}
