package config

import (
	"fmt"
	"regexp"

	"sportel/inquiry"
)

// Texts is one text in each language Sportel answers in.
type Texts struct {
	SQ     string `yaml:"sq"`
	SRLatn string `yaml:"sr-Latn"`
	SRCyrl string `yaml:"sr-Cyrl"`
	EN     string `yaml:"en"`
}

// In returns the text in lang (Albanian for a language Sportel does not
// answer in).
func (t Texts) In(lang inquiry.Language) string {
	switch lang {
	case inquiry.SerbianLatin:
		return t.SRLatn
	case inquiry.SerbianCyrl:
		return t.SRCyrl
	case inquiry.English:
		return t.EN
	}
	return t.SQ
}

// ByLanguage is t keyed by language.
func (t Texts) ByLanguage() map[inquiry.Language]string {
	return map[inquiry.Language]string{
		inquiry.Albanian: t.SQ, inquiry.SerbianLatin: t.SRLatn, inquiry.SerbianCyrl: t.SRCyrl, inquiry.English: t.EN,
	}
}

// DivisionConfig names the division in every language, for the signature
// of acknowledgements and notices to citizens.
type DivisionConfig struct {
	Name Texts `yaml:"name"`
}

// RefusalGround is one ground in law on which a document request may be
// refused in whole or in part; the legal office keeps the list.
type RefusalGround struct {
	ID    string `yaml:"id"`
	Label Texts  `yaml:"label"`
}

// DefaultDivision is the division's name as shipped.
func DefaultDivision() DivisionConfig {
	return DivisionConfig{Name: Texts{
		SQ:     "Divizioni për Komunikim Publik, Ministria e Kulturës, Rinisë dhe Sportit",
		SRLatn: "Odeljenje za javnu komunikaciju, Ministarstvo kulture, omladine i sporta",
		SRCyrl: "Одељење за јавну комуникацију, Министарство културе, омладине и спорта",
		EN:     "Public Communication Division, Ministry of Culture, Youth and Sport",
	}}
}

// DefaultRefusalGrounds are the usual grounds of the Law on Access to
// Public Documents for restricting access, for the legal office to edit.
func DefaultRefusalGrounds() []RefusalGround {
	return []RefusalGround{
		{ID: "personal_data", Label: Texts{
			SQ:     "mbrojtja e privatësisë dhe e të dhënave personale",
			SRLatn: "zaštita privatnosti i ličnih podataka",
			SRCyrl: "заштита приватности и личних података",
			EN:     "protection of privacy and personal data",
		}},
		{ID: "classified", Label: Texts{
			SQ:     "informacion i klasifikuar, siguria kombëtare, mbrojtja dhe marrëdhëniet ndërkombëtare",
			SRLatn: "tajni podaci, nacionalna bezbednost, odbrana i međunarodni odnosi",
			SRCyrl: "тајни подаци, национална безбедност, одбрана и међународни односи",
			EN:     "classified information, national security, defence and international relations",
		}},
		{ID: "public_security", Label: Texts{
			SQ:     "siguria publike",
			SRLatn: "javna bezbednost",
			SRCyrl: "јавна безбедност",
			EN:     "public security",
		}},
		{ID: "criminal_proceedings", Label: Texts{
			SQ:     "parandalimi, hetimi dhe ndjekja e veprave penale",
			SRLatn: "sprečavanje, istraga i gonjenje krivičnih dela",
			SRCyrl: "спречавање, истрага и гоњење кривичних дела",
			EN:     "prevention, investigation and prosecution of criminal offences",
		}},
		{ID: "ongoing_proceedings", Label: Texts{
			SQ:     "procedura në vazhdim: barazia e palëve në procedurë gjyqësore dhe administrimi i drejtësisë",
			SRLatn: "postupak u toku: jednakost stranaka u sudskom postupku i sprovođenje pravde",
			SRCyrl: "поступак у току: једнакост странака у судском поступку и спровођење правде",
			EN:     "ongoing proceedings: equality of parties in court proceedings and the administration of justice",
		}},
		{ID: "inspection", Label: Texts{
			SQ:     "inspektimi, kontrolli dhe mbikëqyrja nga institucionet publike",
			SRLatn: "inspekcija, kontrola i nadzor od strane javnih institucija",
			SRCyrl: "инспекција, контрола и надзор од стране јавних институција",
			EN:     "inspection, control and supervision by public institutions",
		}},
		{ID: "commercial_confidentiality", Label: Texts{
			SQ:     "interesat tregtare dhe ekonomike (fshehtësia tregtare)",
			SRLatn: "komercijalni i ekonomski interesi (poslovna tajna)",
			SRCyrl: "комерцијални и економски интереси (пословна тајна)",
			EN:     "commercial and other economic interests (commercial confidentiality)",
		}},
		{ID: "deliberations", Label: Texts{
			SQ:     "diskutimet brenda dhe ndërmjet institucioneve për një vendim që ende po përgatitet",
			SRLatn: "razmatranja unutar i između institucija o odluci koja se još priprema",
			SRCyrl: "разматрања унутар и између институција о одлуци која се још припрема",
			EN:     "deliberations within and between public authorities on a decision still being prepared",
		}},
	}
}

// Ground returns the configured refusal ground with id.
func (t *TicketsConfig) Ground(id string) (RefusalGround, bool) {
	for _, g := range t.RefusalGrounds {
		if g.ID == id {
			return g, true
		}
	}
	return RefusalGround{}, false
}

var groundIDRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

func validateTexts(c checker, path string, t Texts) {
	c.required(path+".sq", t.SQ)
	c.required(path+".sr-Latn", t.SRLatn)
	c.required(path+".sr-Cyrl", t.SRCyrl)
	c.required(path+".en", t.EN)
}

func validateLifecycle(c checker, cfg *Config) {
	validateTexts(c, "division.name", cfg.Division.Name)
	if len(cfg.Tickets.RefusalGrounds) == 0 && !hasPrefix(c.d.errs, "tickets.refusal_grounds") {
		c.fail("tickets.refusal_grounds", "at least one ground is required: refused and partly granted requests need one")
	}
	seen := map[string]int{}
	for i, g := range cfg.Tickets.RefusalGrounds {
		p := fmt.Sprintf("tickets.refusal_grounds[%d]", i)
		if c.required(p+".id", g.ID) {
			if !groundIDRE.MatchString(g.ID) {
				// Officers type it in a command: one word, no spaces.
				c.fail(p+".id", "must be lower-case letters, digits and _ (up to 40), starting with a letter, not %s", c.d.show(p+".id", g.ID))
			} else if first, dup := seen[g.ID]; dup {
				c.fail(p+".id", "duplicate id %q (also tickets.refusal_grounds[%d])", g.ID, first)
			} else {
				seen[g.ID] = i
			}
		}
		validateTexts(c, p+".label", g.Label)
	}
}
