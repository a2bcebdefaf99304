package parse

import (
	"strings"

	"sportel/inquiry"
)

// declaredLanguage is the first of Sportel's languages a Content-Language
// value (RFC 3282: language tags separated by commas) names, or "" for
// none. Outlook writes it from the writer's editing language, Thunderbird
// from the spelling dictionary: a hint, which the classifier weighs
// below clear words. Bosnian, Croatian and Montenegrin are answered in
// Serbian Latin; Serbian without a script is taken as Latin, which every
// reader of Serbian reads (a Cyrillic text decides the script itself).
func declaredLanguage(v string) inquiry.Language {
	for tag := range strings.SplitSeq(v, ",") {
		tag = strings.ToLower(strings.TrimSpace(tag))
		if i := strings.IndexAny(tag, " ;("); i >= 0 {
			tag = tag[:i]
		}
		subtags := strings.FieldsFunc(tag, func(r rune) bool { return r == '-' || r == '_' })
		if len(subtags) == 0 {
			continue
		}
		switch subtags[0] {
		case "sq", "als", "aln":
			return inquiry.Albanian
		case "en":
			return inquiry.English
		case "bs", "hr", "sh", "cnr":
			return inquiry.SerbianLatin
		case "sr":
			for _, s := range subtags[1:] {
				if s == "cyrl" {
					return inquiry.SerbianCyrl
				}
			}
			return inquiry.SerbianLatin
		}
	}
	return ""
}
