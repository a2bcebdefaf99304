package classifier

import "strings"

// urgentCues are word starts (in Normalize's folded form, so Serbian
// Cyrillic, Latin with or without diacritics, and Albanian with or without
// ë/ç all meet) that say someone's life or liberty depends on an answer:
// detention, a hospital, a medical emergency, a court's imminent deadline.
// A cue matches at the start of a word, so "paraburgim" also matches
// "paraburgimi" and "pritvor" "pritvoru"; a cue ending in a space is a
// whole word ("hospital " is not "hospitality").
var urgentCues = []string{
	// Albanian
	"paraburgim", "arrestuar", "arrestim", "privim nga liria", "privuar nga liria", "burgosur",
	"spital", "emergjence mjekesore", "urgjence mjekesore", "gjendje kritike", "rrezik per jeten",
	// "jeta e" alone is "the life of" (cultural life, the life of young
	// people): only life in danger or depending on the answer.
	"jeta e tij eshte ne rrezik", "jeta e saj eshte ne rrezik", "jeta eshte ne rrezik", "jeta e tij varet", "jeta e saj varet",
	"afati i gjykates", "afat i gjykates", "afati gjyqesor", "seanca gjyqesore",
	// Serbian (both scripts fold to Latin without diacritics)
	// "zatvoren" alone is "closed" (a pool, a museum, a call): only prison.
	"pritvor", "uhapsen", "lisen slobode", "liseni slobode", "lisena slobode", "u zatvoru",
	"bolnic", "hitna medicinska", "hitan medicinski", "hitnoj medicinskoj", "opasnost po zivot", "zivot zavisi",
	"ugrozen zivot", "sudski rok", "rok suda", "rok koji je odredio sud", "rociste",
	// English
	"detention", "detained", "arrested", "in custody", "deprived of liberty", "imprisoned",
	"hospital ", "hospitals ", "hospitalis", "hospitaliz", "medical emergency", "life threatening", "life or death", "life depends", "lives depend",
	"court deadline", "deadline of the court", "deadline set by the court", "court hearing",
}

// cuesByStart groups urgentCues by their first three bytes, with each cue's
// place in the list, so Urgent looks at each word of the text once instead of
// searching the whole text once per cue.
var cuesByStart = func() map[string][]int {
	m := make(map[string][]int)
	for i, cue := range urgentCues {
		m[cue[:3]] = append(m[cue[:3]], i)
	}
	return m
}()

// Urgent reports whether text says that life or liberty depends on the
// answer, and the cue it found. It is a fixed list, not the model: the flag
// it raises adds the head of the division as a recipient and shortens the
// clock to 48 hours, and must be explainable (and clearable) by an officer.
// When several cues are present the one earliest in urgentCues is reported.
func Urgent(text string) (bool, string) {
	n := Normalize(text) + " "
	found := len(urgentCues)
	for start := 0; start+3 <= len(n); {
		for _, i := range cuesByStart[n[start:start+3]] {
			if i < found && strings.HasPrefix(n[start:], urgentCues[i]) {
				found = i
			}
		}
		next := strings.IndexByte(n[start:], ' ')
		if next < 0 {
			break
		}
		start += next + 1
	}
	if found == len(urgentCues) {
		return false, ""
	}
	return true, urgentCues[found]
}
