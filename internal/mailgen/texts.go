package mailgen

// The words of generated mail. Each language has openings, request sentences
// per category (with {slots} filled from the lists below), context sentences
// and closings, so that a thousand mails rarely repeat a whole text. Serbian
// Cyrillic is transliterated from the Serbian Latin texts, as writers switch
// script without changing wording. Texts stay within ISO-8859-2 (no curly
// quotes or dashes), so every Latin-script mail can go out in a Latin-2
// charset.

// Category is what a mail asks for, as the classifier should see it.
type Category string

// The three categories Sportel files mail under.
const (
	DocumentRequest Category = "document_request"
	PressInquiry    Category = "press_inquiry"
	GeneralQuestion Category = "general_question"
)

// Language is the language and script a mail is written in.
type Language string

// The languages citizens and journalists write in. AlbanianASCII is
// Albanian typed without ë and ç, as on many phones and foreign keyboards.
const (
	Albanian        Language = "sq"
	AlbanianASCII   Language = "sq-ascii"
	SerbianLatin    Language = "sr-Latn"
	SerbianCyrillic Language = "sr-Cyrl"
	English         Language = "en"
)

// words is one language's material.
type words struct {
	greetings []string
	requests  map[Category][]string
	context   map[Category][]string
	closings  []string
	thanks    []string
	subjects  map[Category][]string
	slots     map[string][]string
	firstMale []string
	firstFem  []string
	last      []string
	// wrote is the reply header of a quoted earlier message: date, name.
	wrote string
	// earlier is what the quoted earlier message said.
	earlier []string
	titles  []string
}

var albanian = words{
	greetings: []string{"Të nderuar,", "Përshëndetje,", "I nderuar zyrtar,", "Të nderuar zyrtarë të Ministrisë,", "Mirëdita,"},
	requests: map[Category][]string{
		DocumentRequest: {
			"Në bazë të Ligjit për qasje në dokumente publike, kërkoj kopjen e {doc} për vitin {year}.",
			"Ju lutem të më dërgoni një kopje të {doc}, në formë elektronike nëse është e mundur.",
			"Kërkoj qasje në tekstin e plotë të {doc} dhe në të gjitha shtojcat.",
			"Sipas Ligjit për qasje në dokumente publike, kërkoj të më vihet në dispozicion kopja e {doc}.",
		},
		PressInquiry: {
			"Jam gazetar{e} në {outlet} dhe po përgatis një shkrim për {topic}. A mund të na jepni një deklaratë deri nesër në ora {hour}?",
			"Nga redaksia e {outlet} kërkojmë një intervistë të shkurtër me ministrin për {topic}.",
			"Po shkruaj për {outlet} një shkrim për {topic}. A mund të më konfirmoni shifrat zyrtare dhe emrin e zëdhënësit?",
			"A mund të organizohet një deklaratë për mediat për {topic}? Ekipi ynë nga {outlet} mund të vijë në ora {hour}.",
		},
		GeneralQuestion: {
			"Dua të di kur hapet thirrja për {program} këtë vit dhe cilat janë kushtet.",
			"Si mund të aplikoj për {program}? Nuk e gjej formularin në faqen tuaj.",
			"A mund të më tregoni ku mund ta gjej informacionin për {program}?",
			"Kam aplikuar për {program} në muajin {month}, por ende nuk kam marrë përgjigje. Kë duhet të kontaktoj?",
		},
	},
	context: map[Category][]string{
		DocumentRequest: {"Dokumenti më nevojitet për një hulumtim për shoqërinë civile në {place}.", "Jam pjesë e klubit sportiv në {place} dhe na duhet për një ankesë.", "Jam gati të paguaj shpenzimet e kopjimit nëse ka."},
		PressInquiry:    {"Shkrimi publikohet të {day} në mëngjes.", "Kemi marrë ankesa nga banorët e {place}.", "Na interesojnë edhe planet për vitin {year}."},
		GeneralQuestion: {"Jam student{e} nga {place} dhe merrem me sport që nga fëmijëria.", "Kam provuar të telefonoj, por askush nuk u përgjigj.", "Klubi ynë ka {num} anëtarë të rinj."},
	},
	closings: []string{"Me respekt,", "Ju faleminderit paraprakisht,", "Me nderime,", "Përshëndetje të përzemërta,", "Ju falemnderit,"},
	thanks:   []string{"Ju faleminderit për kohën.", "Pres përgjigjen tuaj.", "Faleminderit për mirëkuptimin."},
	subjects: map[Category][]string{
		DocumentRequest: {"Kërkesë për qasje në dokumente", "Kërkesë për dokument publik", "Kërkesë - kopje e kontratës", "Kerkese per qasje ne dokumente publike"},
		PressInquiry:    {"Kërkesë për deklaratë", "Pyetje nga {outlet}", "Intervistë me ministrin", "Kërkesë për intervistë"},
		GeneralQuestion: {"Pyetje për {program}", "Informacion", "Pyetje", "Ndihmë për aplikim"},
	},
	slots: map[string][]string{
		"doc": {"kontratës për renovimin e stadiumit në {place}", "vendimit për ndarjen e subvencioneve për klubet sportive",
			"listës së përfituesve të grandeve për kulturë", "raportit të auditimit për Teatrin Kombëtar",
			"procesverbalit të komisionit për projektet rinore", "planit të prokurimit të Ministrisë", "marrëveshjes me federatën e futbollit"},
		"topic": {"mbylljen e teatrit në {place}", "renovimin e palestrës në {place}", "buxhetin për trashëgiminë kulturore",
			"festivalin e filmit në Prizren", "subvencionet për sportistët e rinj", "gjendjen e bibliotekave publike"},
		"program": {"subvencione për klubet sportive", "bursat për sportistët e rinj", "grantet për projekte kulturore",
			"thirrjen për organizatat rinore", "mbështetjen e festivaleve lokale"},
	},
	firstMale: []string{"Arbër", "Besnik", "Driton", "Fatos", "Gëzim", "Ilir", "Kushtrim", "Labinot", "Valon", "Ardian", "Blerim", "Jetmir"},
	firstFem:  []string{"Arta", "Blerta", "Donika", "Drita", "Fjolla", "Teuta", "Vjosa", "Liridona", "Mimoza", "Shqipe", "Albulena", "Qëndresa"},
	last:      []string{"Krasniqi", "Gashi", "Berisha", "Morina", "Shala", "Hoxha", "Bytyçi", "Kelmendi", "Rexhepi", "Mustafa", "Hasani", "Zeka"},
	wrote:     "Më {date}, {name} shkroi:",
	earlier: []string{"Ju faleminderit për mesazhin. Kërkesa juaj është pranuar dhe do t'ju përgjigjemi brenda afatit ligjor.",
		"Ju lutem na dërgoni më shumë detaje për kërkesën tuaj.", "Thirrja publikohet në faqen e Ministrisë."},
	titles: []string{"Gazetar{e}", "Student{e}", "Kryetar i klubit sportiv", "Aktivist{e} në shoqërinë civile"},
}

var serbian = words{
	greetings: []string{"Poštovani,", "Dobar dan,", "Poštovana gospodo,", "Zdravo,"},
	requests: map[Category][]string{
		DocumentRequest: {
			"U skladu sa Zakonom o pristupu javnim dokumentima, molim vas da mi dostavite kopiju {doc} za {year}. godinu.",
			"Molim vas za kopiju {doc}, po mogućstvu u elektronskom obliku.",
			"Tražim uvid u tekst {doc} sa svim prilozima.",
		},
		PressInquiry: {
			"Novinar{ka} sam u redakciji {outlet} i pripremam tekst o {topic}. Da li možete da nam date izjavu do sutra u {hour} časova?",
			"Molimo vas za kratak intervju sa ministrom o {topic}.",
			"Pišem za {outlet} o {topic}. Da li možete da potvrdite zvanične podatke?",
		},
		GeneralQuestion: {
			"Zanima me kada se otvara konkurs za {program} i koji su uslovi.",
			"Kako mogu da se prijavim za {program}? Ne mogu da nađem obrazac na vašem sajtu.",
			"Prijavi{o} sam se za {program} u {month}, ali još nisam dobi{o} odgovor. Koga treba da kontaktiram?",
		},
	},
	context: map[Category][]string{
		DocumentRequest: {"Dokument mi je potreban za istraživanje o civilnom društvu u opštini {place}.", "Sprem{an} sam da platim troškove kopiranja."},
		PressInquiry:    {"Tekst izlazi u {day} ujutru.", "Dobili smo žalbe građana iz opštine {place}."},
		GeneralQuestion: {"Student{kinja} sam iz opštine {place} i bavim se atletikom.", "Pokuša{o} sam da pozovem telefonom, ali niko se nije javio."},
	},
	closings: []string{"Srdačan pozdrav,", "S poštovanjem,", "Unapred hvala,", "Pozdrav,"},
	thanks:   []string{"Hvala na vremenu.", "Očekujem vaš odgovor.", "Hvala unapred na razumevanju."},
	subjects: map[Category][]string{
		DocumentRequest: {"Zahtev za pristup dokumentima", "Zahtev za javni dokument", "Zahtev - kopija ugovora"},
		PressInquiry:    {"Zahtev za izjavu", "Pitanje od {outlet}", "Intervju sa ministrom"},
		GeneralQuestion: {"Pitanje o konkursu", "Informacija", "Pitanje"},
	},
	slots: map[string][]string{
		"doc": {"ugovora o renoviranju stadiona u opštini {place}", "odluke o raspodeli subvencija sportskim klubovima",
			"spiska korisnika grantova za kulturu", "izveštaja o reviziji Narodnog pozorišta", "zapisnika komisije za omladinske projekte"},
		"topic":   {"obnovi domova kulture", "zatvaranju pozorišta u opštini {place}", "budžetu za kulturno nasleđe", "stipendijama za mlade sportiste"},
		"program": {"subvencije sportskim klubovima", "stipendije za mlade sportiste", "grantove za kulturne projekte", "podršku omladinskim organizacijama"},
	},
	firstMale: []string{"Marko", "Nikola", "Stefan", "Dragan", "Miloš", "Nenad", "Dejan", "Vuk"},
	firstFem:  []string{"Jelena", "Milica", "Ana", "Dragana", "Ivana", "Marija", "Snežana", "Tijana"},
	last:      []string{"Jovanović", "Petrović", "Nikolić", "Marković", "Đorđević", "Stojanović", "Ilić", "Simić"},
	wrote:     "Dana {date}, {name} je napisao:",
	earlier:   []string{"Hvala na poruci. Vaš zahtev je primljen i odgovorićemo u zakonskom roku.", "Molimo vas da nam pošaljete više detalja."},
	titles:    []string{"Novinar{ka}", "Student{kinja}", "Predsednik sportskog kluba"},
}

var english = words{
	greetings: []string{"Dear Sir or Madam,", "Hello,", "Good morning,", "Dear colleagues,", "Hi,"},
	requests: map[Category][]string{
		DocumentRequest: {
			"Under the Law on Access to Public Documents, I request a copy of {doc} for {year}.",
			"Could you please send me {doc}, preferably in electronic form?",
			"I would like to request access to {doc} and all of its annexes.",
		},
		PressInquiry: {
			"I am a reporter with {outlet} working on a story about {topic}. Could the Ministry give us a statement by {hour}:00 tomorrow?",
			"We would like to request a short interview with the Minister about {topic}.",
			"I am writing for {outlet} about {topic}. Could you confirm the official figures and name a spokesperson?",
		},
		GeneralQuestion: {
			"I would like to know when the call for {program} opens this year and what the conditions are.",
			"How can I apply for {program}? I cannot find the form on your website.",
			"I applied for {program} in {month} but have not heard back yet. Who should I contact?",
		},
	},
	context: map[Category][]string{
		DocumentRequest: {"I need it for research on civil society in {place}.", "I am happy to cover any copying costs."},
		PressInquiry:    {"The piece runs on {day} morning.", "Residents of {place} have contacted us with complaints."},
		GeneralQuestion: {"I am a student from {place} and I train athletics.", "I tried calling but nobody answered."},
	},
	closings: []string{"Kind regards,", "Best regards,", "Sincerely,", "Thank you in advance,", "Best,"},
	thanks:   []string{"Thank you for your time.", "I look forward to your reply.", "Many thanks for your help."},
	subjects: map[Category][]string{
		DocumentRequest: {"Request for access to public documents", "Document request", "Request for a copy of the contract"},
		PressInquiry:    {"Media inquiry", "Request for comment - {outlet}", "Interview request"},
		GeneralQuestion: {"Question about {program}", "Information request", "Question"},
	},
	slots: map[string][]string{
		"doc": {"the contract for the renovation of the stadium in {place}", "the decision on subsidies for sports clubs",
			"the list of culture grant recipients", "the audit report of the National Theatre", "the minutes of the youth projects committee"},
		"topic":   {"the closure of the theatre in {place}", "the heritage budget", "the Prizren film festival", "scholarships for young athletes"},
		"program": {"scholarships for young athletes", "grants for cultural projects", "support for youth organisations", "subsidies for sports clubs"},
	},
	firstMale: []string{"John", "Daniel", "Peter", "Thomas", "Mark", "David"},
	firstFem:  []string{"Sarah", "Emma", "Laura", "Anna", "Claire", "Helen"},
	last:      []string{"Smith", "Miller", "Brown", "Wilson", "Taylor", "Clarke", "Evans", "Walker"},
	wrote:     "On {date}, {name} wrote:",
	earlier:   []string{"Thank you for your message. Your request has been received and we will answer within the legal deadline.", "Could you please send us more details about your request?"},
	titles:    []string{"Reporter", "Researcher", "Project coordinator"},
}

// shared slots, the same in every language (names of places and outlets).
var sharedSlots = map[string][]string{
	"outlet": {"Kultura Sot", "Koha Ditore", "Radio KiM", "KTV", "Kallxo", "Balkan Insight", "Reporteri", "Kosovo Online"},
	"year":   {"2023", "2024", "2025", "2026"},
	"hour":   {"10", "12", "14", "16"},
	"num":    {"40", "120", "65", "300"},
}

var localSlots = map[Language]map[string][]string{
	Albanian:     {"place": {"Prizren", "Pejë", "Gjakovë", "Mitrovicë", "Gjilan", "Ferizaj", "Podujevë", "Vushtrri", "Graçanicë", "Suharekë"}, "month": {"janar", "mars", "maj", "shtator", "nëntor"}, "day": {"hënën", "mërkurën", "premten"}},
	SerbianLatin: {"place": {"Prizren", "Peć", "Đakovica", "Mitrovica", "Gnjilane", "Uroševac", "Podujevo", "Vučitrn", "Gračanica", "Suva Reka"}, "month": {"januaru", "martu", "maju", "septembru"}, "day": {"ponedeljak", "sredu", "petak"}},
	English:      {"place": {"Prizren", "Peja", "Gjakova", "Mitrovica", "Gjilan", "Ferizaj", "Podujeva", "Vushtrri", "Gracanica", "Suhareka"}, "month": {"January", "March", "May", "September"}, "day": {"Monday", "Wednesday", "Friday"}},
}

// HTML styles of common mail clients, put in <head>.
var htmlStyles = []string{
	`<style type="text/css">body{font-family:Calibri,Arial,sans-serif;font-size:11pt;color:#222}p.MsoNormal{margin:0cm;margin-bottom:.0001pt}</style>`,
	`<style>div.gmail_quote{margin:0 0 0 .8ex;border-left:1px #ccc solid;padding-left:1ex}.gmail_signature{color:#888}</style>`,
	`<style>body{font-family:-apple-system,Helvetica,sans-serif}blockquote{border-left:2px solid #1010ff;margin-left:5px;padding-left:5px}</style>`,
}
