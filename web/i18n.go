package web

import (
	"strings"

	"sportel/inquiry"
)

// The workspace speaks the four languages Sportel answers in; Albanian is
// the default. Serbian in Cyrillic is written out from the Latin texts.

// languages in the order the switcher shows them, each named in itself.
var languages = []struct {
	Tag  inquiry.Language
	Name string
}{
	{inquiry.Albanian, "Shqip"},
	{inquiry.SerbianLatin, "Srpski"},
	{inquiry.SerbianCyrl, "Српски"},
	{inquiry.English, "English"},
}

func validLanguage(l string) bool {
	for _, x := range languages {
		if string(x.Tag) == l {
			return true
		}
	}
	return false
}

// messages are the workspace's texts by key: sq, sr-Latn, en.
var messages = map[string][3]string{
	"app":                      {"Sportel — hapësira e punës", "Sportel — radni prostor", "Sportel — workspace"},
	"skip":                     {"Kalo te përmbajtja", "Pređi na sadržaj", "Skip to content"},
	"nav":                      {"Navigimi", "Navigacija", "Navigation"},
	"queue":                    {"Radha", "Red čekanja", "Queue"},
	"figures":                  {"Shifrat", "Brojke", "Figures"},
	"signout":                  {"Dil", "Odjava", "Sign out"},
	"language":                 {"Gjuha", "Jezik", "Language"},
	"change":                   {"Ndrysho", "Promeni", "Change"},
	"signed_in_as":             {"Kyçur si", "Prijavljeni kao", "Signed in as"},
	"signin":                   {"Kyçu", "Prijava", "Sign in"},
	"signin_intro":             {"Shkruani adresën tuaj të punës. Do t'ju dërgojmë një lidhje që vlen një herë, për 15 minuta.", "Unesite svoju službenu adresu. Poslaćemo vam link koji važi jednom, 15 minuta.", "Enter your work address. We will send you a link that works once, for 15 minutes."},
	"email":                    {"Adresa e emailit", "Adresa e-pošte", "Email address"},
	"send_link":                {"Dërgo lidhjen", "Pošalji link", "Send the link"},
	"link_sent":                {"Nëse adresa i përket një zyrtari të divizionit, lidhja për t'u kyçur është dërguar në të. Kontrolloni postën.", "Ako adresa pripada službeniku divizije, link za prijavu je poslat na nju. Proverite poštu.", "If the address belongs to an officer of the division, a sign-in link is on its way to it. Check your mail."},
	"too_many":                 {"Shumë përpjekje. Provoni përsëri pas disa minutash.", "Previše pokušaja. Pokušajte ponovo za nekoliko minuta.", "Too many attempts. Try again in a few minutes."},
	"link_confirm":             {"Kyçuni në hapësirën e punës me këtë lidhje.", "Prijavite se u radni prostor ovim linkom.", "Sign in to the workspace with this link."},
	"link_other_session":       {"Në këtë shfletues jeni kyçur si %s. Kyçja me këtë lidhje e mbyll atë seancë dhe ju kyç si zyrtari të cilit i është dërguar lidhja: nëse lidhja nuk është e juaja, mos e përdorni.", "U ovom pregledaču ste prijavljeni kao %s. Prijava ovim linkom zatvara tu sesiju i prijavljuje vas kao službenika kome je link poslat: ako link nije vaš, ne koristite ga.", "This browser is signed in as %s. Signing in with this link ends that session and signs you in as the officer the link was sent to: if the link is not yours, do not use it."},
	"link_bad":                 {"Kjo lidhje nuk vlen: është përdorur, ka skaduar ose nuk është e plotë. Kërkoni një të re.", "Ovaj link ne važi: iskorišćen je, istekao je ili nije potpun. Zatražite novi.", "This link does not work: it was used, it expired or it is incomplete. Ask for a new one."},
	"forbidden":                {"Kërkesa u refuzua (mungon tokeni i sigurisë ose sesioni). Ringarkoni faqen dhe provoni përsëri.", "Zahtev je odbijen (nedostaje bezbednosni token ili sesija). Ponovo učitajte stranicu i pokušajte opet.", "The request was refused (the security token or the session is missing). Reload the page and try again."},
	"session_ended":            {"Sesioni juaj ka përfunduar dhe asgjë nuk u krye. Hyni përsëri.", "Vaša sesija je istekla i ništa nije urađeno. Prijavite se ponovo.", "Your session has ended and nothing was done. Sign in again."},
	"kept_text":                {"Teksti që shkruat (kopjojeni para se të largoheni nga kjo faqe):", "Tekst koji ste napisali (kopirajte ga pre nego što napustite ovu stranicu):", "The text you wrote (copy it before you leave this page):"},
	"not_found":                {"Nuk u gjet.", "Nije pronađeno.", "Not found."},
	"too_large":                {"Kërkesa është shumë e madhe.", "Zahtev je prevelik.", "The request is too large."},
	"bad_request":              {"Kërkesa nuk u kuptua.", "Zahtev nije razumljiv.", "The request could not be read."},
	"error":                    {"Gabim", "Greška", "Error"},
	"system_failed":            {"Faqja nuk u shfaq për një gabim të sistemit. Provoni sërish pas pak; nëse gabimi vazhdon, njoftoni administratorin.", "Stranica nije prikazana zbog greške u sistemu. Pokušajte ponovo malo kasnije; ako se greška ponavlja, obavestite administratora.", "The page could not be shown: the system failed. Try again in a little while; if it keeps failing, tell the administrator."},
	"busy":                     {"Sistemi është i zënë për momentin dhe faqja nuk u shfaq. Provoni sërish pas disa çastesh.", "Sistem je trenutno zauzet i stranica nije prikazana. Pokušajte ponovo za nekoliko trenutaka.", "The system is busy just now and the page could not be shown. Try again in a moment."},
	"busy_action":              {"Sistemi është i zënë për momentin dhe veprimi nuk u krye. Provoni sërish pas disa çastesh.", "Sistem je trenutno zauzet i radnja nije izvršena. Pokušajte ponovo za nekoliko trenutaka.", "The system is busy just now and the action was not done. Try again in a moment."},
	"open_tickets":             {"Tiketat e hapura", "Otvoreni tiketi", "Open tickets"},
	"views":                    {"Listat e tiketave", "Liste tiketa", "Ticket lists"},
	"tab_open":                 {"Të hapura", "Otvoreni", "Open"},
	"tab_closed":               {"Të mbyllura", "Zatvoreni", "Closed"},
	"tab_setaside":             {"Masive dhe spam", "Masovna pošta i spam", "Bulk and spam"},
	"closed_tickets":           {"Tiketat e mbyllura", "Zatvoreni tiketi", "Closed tickets"},
	"setaside_tickets":         {"Postë masive dhe spam", "Masovna pošta i spam", "Bulk mail and spam"},
	"oldest_first":             {"më të vjetrat së pari", "najstariji prvo", "oldest first"},
	"newest_first":             {"më të rejat së pari", "najnoviji prvo", "newest first"},
	"filters":                  {"Filtrat", "Filteri", "Filters"},
	"search":                   {"Kërko në subjekte dhe tekste", "Pretraga naslova i teksta", "Search subjects and texts"},
	"apply":                    {"Filtro", "Filtriraj", "Filter"},
	"clear":                    {"Pastro filtrat", "Očisti filtere", "Clear filters"},
	"any":                      {"(të gjitha)", "(sve)", "(any)"},
	"mine":                     {"Vetëm të mitë", "Samo moji", "Only mine"},
	"deadline":                 {"Afati", "Rok", "Deadline"},
	"overdue":                  {"me afat të kaluar", "rok prošao", "overdue"},
	"due_soon":                 {"afati brenda 48 orëve", "rok u roku od 48 č", "due within 48 h"},
	"urgent":                   {"urgjente", "hitno", "urgent"},
	"number":                   {"Numri", "Broj", "Number"},
	"received":                 {"Marrë", "Primljeno", "Received"},
	"category":                 {"Kategoria", "Kategorija", "Category"},
	"channel":                  {"Kanali", "Kanal", "Channel"},
	"officer":                  {"Zyrtari", "Službenik", "Officer"},
	"state":                    {"Gjendja", "Stanje", "State"},
	"subject":                  {"Subjekti", "Naslov", "Subject"},
	"sender":                   {"Dërguesi", "Pošiljalac", "Sender"},
	"none_found":               {"Asnjë tiketë nuk përputhet.", "Nijedan tiket ne odgovara.", "No ticket matches."},
	"count":                    {"Tiketa", "Tiketa", "Tickets"},
	"pages":                    {"Faqet", "Strane", "Pages"},
	"prev_page":                {"Faqja e mëparshme", "Prethodna strana", "Previous page"},
	"next_page":                {"Faqja tjetër", "Sledeća strana", "Next page"},
	"days_left":                {"%d ditë", "%d dana", "%d days left"},
	"due_in_hours":             {"skadon për %d orë", "ističe za %d č", "due in %d h"},
	"overdue_days":             {"kaluar %d ditë", "prošlo %d dana", "overdue %d days"},
	"no_deadline":              {"pa afat", "bez roka", "no deadline"},
	"due":                      {"Afati", "Rok", "Due"},
	"record":                   {"Regjistri", "Zapis", "Record"},
	"older_entries":            {"Shënimet më të hershme të regjistrit", "Ranije stavke zapisa", "Earlier entries of the record"},
	"newest_entries":           {"Te shënimet më të reja", "Na najnovije stavke", "To the newest entries"},
	"actions":                  {"Veprimet", "Radnje", "Actions"},
	"kind_inbound":             {"Nga qytetari", "Od građanina", "From the citizen"},
	"kind_answer":              {"Përgjigje", "Odgovor", "Answer"},
	"kind_note":                {"Shënim", "Beleška", "Note"},
	"kind_automated":           {"Postë automatike", "Automatska pošta", "Machine mail"},
	"kind_held_answer":         {"Përgjigje në pritje", "Odgovor na čekanju", "Held answer"},
	"sent_mail":                {"Dërguar", "Poslato", "Sent"},
	"attachments":              {"Bashkëngjitjet", "Prilozi", "Attachments"},
	"not_sent_signature":       {"nuk iu dërgua qytetarit: pjesë e nënshkrimit", "nije poslato građaninu: deo potpisa", "not sent to the citizen: part of the signature"},
	"not_sent_quoted":          {"nuk iu dërgua qytetarit: në postën e cituar", "nije poslato građaninu: u citiranoj poruci", "not sent to the citizen: in the quoted mail"},
	"raw":                      {"Mesazhi origjinal (.eml)", "Izvorna poruka (.eml)", "Raw message (.eml)"},
	"take":                     {"Merre", "Preuzmi", "Take"},
	"reassign":                 {"Cakto zyrtarin", "Dodeli službeniku", "Reassign"},
	"officer_gone":             {"%s (nuk është më në konfigurim): zgjidhni zyrtarin", "%s (više nije u konfiguraciji): izaberite službenika", "%s (no longer configured): choose an officer"},
	"change_category":          {"Ndrysho kategorinë", "Promeni kategoriju", "Change category"},
	"set_urgent":               {"Shëno urgjente", "Označi kao hitno", "Mark urgent"},
	"clear_urgent":             {"Hiq urgjencën", "Ukloni hitnost", "Clear urgent"},
	"extend":                   {"Zgjat afatin", "Produži rok", "Extend"},
	"days":                     {"Ditë (1–15)", "Dana (1–15)", "Days (1–15)"},
	"reason":                   {"Arsyeja", "Razlog", "Reason"},
	"not_held":                 {"Dokumenti nuk mbahet", "Dokument se ne čuva", "Not held"},
	"holder":                   {"Kush e mban (nëse dihet)", "Ko ga čuva (ako se zna)", "Who holds it (if known)"},
	"answer":                   {"Përgjigju qytetarit", "Odgovori građaninu", "Answer the citizen"},
	"answer_text":              {"Teksti i përgjigjes", "Tekst odgovora", "Answer text"},
	"send_answer":              {"Dërgo përgjigjen", "Pošalji odgovor", "Send the answer"},
	"note":                     {"Shënim i brendshëm", "Interna beleška", "Internal note"},
	"add_note":                 {"Shto shënimin", "Dodaj belešku", "Add the note"},
	"close":                    {"Mbyll", "Zatvori", "Close"},
	"outcome":                  {"Rezultati", "Ishod", "Outcome"},
	"ground":                   {"Baza e refuzimit", "Osnov odbijanja", "Refusal ground"},
	"no_ground":                {"(pa bazë)", "(bez osnova)", "(no ground)"},
	"in_answer":                {"Vendimi shkoi tashmë në përgjigjen e fundit", "Odluka je već poslata u poslednjem odgovoru", "The decision already went out in the last answer"},
	"close_note":               {"Shënim (opsional)", "Beleška (opciono)", "Note (optional)"},
	"reopen":                   {"Rihap", "Ponovo otvori", "Reopen"},
	"restore":                  {"Merre në punë", "Uzmi u rad", "Take into the work"},
	"restore_hint":             {"Nëse ky është mesazh i një personi, jo postë masive a spam: qytetari merr konfirmimin dhe zyrtari njoftohet tani.", "Ako je ovo poruka neke osobe, a ne masovna pošta ili spam: građanin sada dobija potvrdu, a službenik obaveštenje.", "If this is a person's message, not bulk mail or spam: the citizen is acknowledged and the officer notified now."},
	"done":                     {"U krye.", "Urađeno.", "Done."},
	"done_held":                {"Përgjigjja u ruajt, por ende nuk i ka arritur qytetarit: ai shkroi në grupin publik të Telegram-it dhe do ta marrë privatisht sapo të hapë bisedën me botin. Tiketa tani është e përgjigjur.", "Odgovor je sačuvan, ali još nije stigao do građanina: pisao je u javnoj Telegram grupi i dobiće ga privatno čim otvori razgovor sa botom. Tiket je sada odgovoren.", "The answer is kept but has not reached the citizen yet: they wrote in the public Telegram group and get it privately as soon as they open a chat with the bot. The ticket is now answered."},
	"changed_since":            {"Përgjigjja nuk u dërgua: pasi e hapët këtë faqe, qytetari shkroi përsëri ose një koleg u përgjigj (shih regjistrin). Teksti juaj është ruajtur më poshtë; dërgojeni përsëri nëse vlen ende.", "Odgovor nije poslat: otkako ste otvorili ovu stranicu, građanin je ponovo pisao ili je kolega odgovorio (vidi zapis). Vaš tekst je sačuvan ispod; pošaljite ga ponovo ako i dalje važi.", "The answer was not sent: since you opened this page, the citizen wrote again or a colleague answered (see the record). Your text is kept below; send it again if it still stands."},
	"changed_since_close":      {"Tiketa nuk u mbyll: pasi e hapët këtë faqe, qytetari shkroi përsëri ose një koleg u përgjigj (shih regjistrin). Mbylleni përsëri nëse vendimi vlen ende.", "Tiket nije zatvoren: otkako ste otvorili ovu stranicu, građanin je ponovo pisao ili je kolega odgovorio (vidi zapis). Zatvorite ga ponovo ako odluka i dalje važi.", "The ticket was not closed: since you opened this page, the citizen wrote again or a colleague answered (see the record). Close it again if the decision still stands."},
	"refused_days":             {"Ditët e zgjatjes duhet të jenë një numër nga 1 deri në 15.", "Broj dana produženja mora biti broj od 1 do 15.", "The extension's days must be a number from 1 to 15."},
	"refused_outcome":          {"Zgjidhni një rezultat nga lista.", "Izaberite ishod sa liste.", "Choose an outcome from the list."},
	"refused_unfilled":         {"Përgjigjja nuk u dërgua: ka ende shenjën e tekstit standard për atë që duhet shkruar (%s). Shkruani aty përgjigjen dhe dërgojeni përsëri.", "Odgovor nije poslat: još sadrži oznaku standardnog teksta za ono što treba napisati (%s). Upišite tamo odgovor i pošaljite ga ponovo.", "The answer was not sent: it still holds the standard text's mark for what is to be written (%s). Write the answer there and send it again."},
	"refused_other":            {"Veprimi nuk lejohet: %s", "Radnja nije dozvoljena: %s", "Not allowed: %s"},
	"back_to_queue":            {"Kthehu te radha", "Nazad na red", "Back to the queue"},
	"year":                     {"Viti", "Godina", "Year"},
	"show":                     {"Shfaq", "Prikaži", "Show"},
	"access_report":            {"Raporti vjetor për qasjen në dokumente publike", "Godišnji izveštaj o pristupu javnim dokumentima", "Annual report on access to public documents"},
	"weekly":                   {"Vëllimi javor", "Nedeljni obim", "Weekly volume"},
	"week":                     {"Java", "Nedelja", "Week"},
	"download_csv":             {"Shkarko CSV", "Preuzmi CSV", "Download CSV"},
	"open_html":                {"Hap raportin e plotë (HTML)", "Otvori ceo izveštaj (HTML)", "Open the full report (HTML)"},
	"total":                    {"Gjithsej", "Ukupno", "Total"},
	"state_assigned":           {"caktuar", "dodeljen", "assigned"},
	"state_answered":           {"përgjigjur", "odgovoren", "answered"},
	"state_closed":             {"mbyllur", "zatvoren", "closed"},
	"state_bulk":               {"masive", "masovna", "bulk"},
	"state_spam":               {"spam", "spam", "spam"},
	"channel_email":            {"email", "e-pošta", "email"},
	"channel_telegram":         {"Telegram", "Telegram", "Telegram"},
	"outcome_granted":          {"miratuar", "odobreno", "granted"},
	"outcome_partly_granted":   {"miratuar pjesërisht", "delimično odobreno", "partly granted"},
	"outcome_refused":          {"refuzuar", "odbijeno", "refused"},
	"outcome_not_held":         {"nuk mbahet", "ne čuva se", "not held"},
	"outcome_withdrawn":        {"tërhequr", "povučeno", "withdrawn"},
	"outcome_resolved":         {"zgjidhur", "rešeno", "resolved"},
	"outcome_no_answer_needed": {"pa nevojë për përgjigje", "bez potrebe za odgovorom", "no answer needed"},
	"fig_received":             {"Kërkesa të marra", "Primljeni zahtevi", "Requests received"},
	"fig_on_time":              {"Vendime brenda afatit", "Odluke u roku", "Decisions on time"},
	"fig_late":                 {"Vendime me vonesë", "Odluke sa zakašnjenjem", "Decisions late"},
	"fig_silent":               {"Refuzime me heshtje", "Odbijanja ćutanjem", "Refusals by silence"},
	"fig_pending":              {"Në pritje", "Na čekanju", "Pending"},
	"fig_extended":             {"Me afat të zgjatur", "Sa produženim rokom", "Extended"},
	"fig_median":               {"Mediana e ditëve deri në vendim", "Medijana dana do odluke", "Median days to the decision"},
	"fig_p90":                  {"Percentili 90 i ditëve", "90. percentil dana", "90th percentile of days"},
	"fig_complaints":           {"Ankesa në Agjenci", "Žalbe Agenciji", "Complaints to the Agency"},
	"standard_text":            {"Teksti standard", "Standardni tekst", "Standard text"},
	"use":                      {"Përdore", "Upotrebi", "Use"},
	"earlier_text":             {"Teksti që kishit shkruar (ruhet këtu, kopjojeni ku duhet)", "Tekst koji ste napisali (sačuvan ovde, kopirajte ga gde treba)", "The text you had written (kept here: copy what you need)"},
	"std_answer":               {"fillimi i përgjigjes", "početak odgovora", "start of an answer"},
	"std_extension":            {"zgjatja e afatit", "produženje roka", "extension"},
	"std_not_held":             {"dokumenti nuk mbahet", "dokument se ne čuva", "document not held"},
	"std_refusal":              {"refuzimi", "odbijanje", "refusal"},
	"std_partly_granted":       {"miratim i pjesshëm", "delimično odobrenje", "partly granted"},
	"received_since":           {"Marrë nga", "Primljeno od", "Received from"},
	"received_until":           {"Marrë deri", "Primljeno do", "Received until"},
	"mail_paused":              {"Posta për qytetarët nuk po dërgohet tani.", "Pošta građanima se trenutno ne šalje.", "Mail to citizens is not going out at the moment."},
	"telegram_paused":          {"Mesazhet në Telegram për qytetarët nuk po dërgohen tani.", "Poruke građanima (Telegram) se trenutno ne šalju.", "Telegram messages to citizens are not going out at the moment."},
	"telegram_paused_detail":   {"Telegrami nuk përgjigjet, që nga %s. Përgjigjet ruhen dhe dërgohen vetë sapo Telegrami të përgjigjet sërish: nuk ka nevojë t'i dërgoni përsëri. Administratori i IT-së është njoftuar (regjistri i gabimeve dhe alarmi).", "Telegram ne odgovara od %s. Odgovori su sačuvani i biće poslati sami čim Telegram ponovo proradi: ne treba ih slati ponovo. IT administrator je obavešten (dnevnik grešaka i upozorenje).", "Telegram has been failing since %s. Answers are kept and go out by themselves once it answers again: there is no need to send them again. The IT administrator has been alerted (the error log and the alert)."},
	"mail_paused_detail":       {"Serveri i postës nuk funksionon, që nga %s. Përgjigjet ruhen dhe dërgohen vetë sapo serveri të përgjigjet sërish: nuk ka nevojë t'i dërgoni përsëri. Administratori i IT-së është njoftuar (regjistri i gabimeve dhe alarmi).", "Server za poštu ne radi od %s. Odgovori su sačuvani i biće poslati sami čim server ponovo proradi: ne treba ih slati ponovo. IT administrator je obavešten (dnevnik grešaka i upozorenje).", "The mail server has been failing since %s. Answers are kept and go out by themselves once it answers again: there is no need to send them again. The IT administrator has been alerted (the error log and the alert)."},
	"greeting":                 {"Të nderuar,", "Poštovani,", "Dear Sir or Madam,"},
	"regards":                  {"Me respekt,", "S poštovanjem,", "Kind regards,"},
}

// translate returns the text of key in lang (Albanian when unknown).
func translate(lang inquiry.Language, key string) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	switch lang {
	case inquiry.SerbianLatin:
		return m[1]
	case inquiry.SerbianCyrl:
		return toCyrillic(m[1])
	case inquiry.English:
		return m[2]
	}
	return m[0]
}

// cyrillic maps Serbian Latin letters to Cyrillic; the digraphs come first
// so "lj" is one letter.
var cyrillic = strings.NewReplacer(
	"Lj", "Љ", "LJ", "Љ", "lj", "љ", "Nj", "Њ", "NJ", "Њ", "nj", "њ", "Dž", "Џ", "DŽ", "Џ", "dž", "џ",
	"A", "А", "B", "Б", "C", "Ц", "Č", "Ч", "Ć", "Ћ", "D", "Д", "Đ", "Ђ", "E", "Е", "F", "Ф", "G", "Г", "H", "Х",
	"I", "И", "J", "Ј", "K", "К", "L", "Л", "M", "М", "N", "Н", "O", "О", "P", "П", "R", "Р", "S", "С", "Š", "Ш",
	"T", "Т", "U", "У", "V", "В", "Z", "З", "Ž", "Ж",
	"a", "а", "b", "б", "c", "ц", "č", "ч", "ć", "ћ", "d", "д", "đ", "ђ", "e", "е", "f", "ф", "g", "г", "h", "х",
	"i", "и", "j", "ј", "k", "к", "l", "л", "m", "м", "n", "н", "o", "о", "p", "п", "r", "р", "s", "с", "š", "ш",
	"t", "т", "u", "у", "v", "в", "z", "з", "ž", "ж",
)

// toCyrillic writes Serbian Latin text in Cyrillic, leaving format verbs
// (%d), names in Latin script that are not Serbian words (Sportel, CSV,
// HTML, Telegram, .eml) and text in parentheses of file types alone.
func toCyrillic(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '%' && i+1 < len(s) {
			b.WriteString(s[i : i+2])
			i += 2
			continue
		}
		j := i
		for j < len(s) && s[j] != '%' {
			j++
		}
		b.WriteString(cyrillicWords(s[i:j]))
		i = j
	}
	return b.String()
}

// keepLatin are words that stay in Latin script in Cyrillic text.
var keepLatin = []string{"Sportel", "CSV", "HTML", "Telegram", ".eml", "spam"}

func cyrillicWords(s string) string {
	for _, w := range keepLatin {
		if before, after, ok := strings.Cut(s, w); ok {
			return cyrillicWords(before) + w + cyrillicWords(after)
		}
	}
	return cyrillic.Replace(s)
}
