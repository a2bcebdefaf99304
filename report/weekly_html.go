package report

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"time"
)

// The weekly chart's geometry in viewBox units (the page's CSS scales it).
const (
	weeklyWidth    = 720.0
	weeklyHeight   = 270.0
	weeklyLeft     = 40.0
	weeklyRight    = 712.0
	weeklyTop      = 14.0
	weeklyBaseline = 240.0
	// weeklyLabels is about how many week labels fit under the bars.
	weeklyLabels = 13
)

// weeklyWords are the figure's words in one language.
type weeklyWords struct {
	ByCategory, ByChannel string // the chart's title
	Summary               string // total, weeks, from, to, busiest week, its count
	Numbers               string // the table's disclosure
	Week, Days, Total     string
	None                  string
}

var weeklyText = map[string]weeklyWords{
	"sq": {
		ByCategory: "Kërkesat në javë sipas kategorisë", ByChannel: "Kërkesat në javë sipas kanalit",
		Summary: "Gjithsej %d në %d javë, %s – %s; më së shumti në javën %s: %d.",
		Numbers: "Numrat", Week: "Java", Days: "Ditët", Total: "Gjithsej", None: "(asnjë)",
	},
	"sr-Latn": {
		ByCategory: "Upiti po nedeljama prema kategoriji", ByChannel: "Upiti po nedeljama prema kanalu",
		Summary: "Ukupno %d u %d nedelja, %s – %s; najviše u nedelji %s: %d.",
		Numbers: "Brojke", Week: "Nedelja", Days: "Dani", Total: "Ukupno", None: "(nema)",
	},
	"sr-Cyrl": {
		ByCategory: "Упити по недељама према категорији", ByChannel: "Упити по недељама према каналу",
		Summary: "Укупно %d у %d недеља, %s – %s; највише у недељи %s: %d.",
		Numbers: "Бројке", Week: "Недеља", Days: "Дани", Total: "Укупно", None: "(нема)",
	},
	"en": {
		ByCategory: "Inquiries per week by category", ByChannel: "Inquiries per week by channel",
		Summary: "%d in all over %d weeks, %s – %s; the busiest week %s: %d.",
		Numbers: "The numbers", Week: "Week", Days: "Days", Total: "Total", None: "(none)",
	},
}

// weeklyKeys names categories and channels, per language.
var weeklyKeys = map[string]map[string]string{
	"sq": {
		"document_request": "Kërkesë për dokumente", "press_inquiry": "Pyetje nga media", "general_question": "Pyetje e përgjithshme",
		"email": "Email", "telegram": "Telegram",
	},
	"sr-Latn": {
		"document_request": "Zahtev za dokumente", "press_inquiry": "Novinarsko pitanje", "general_question": "Opšte pitanje",
		"email": "E-pošta", "telegram": "Telegram",
	},
	"sr-Cyrl": {
		"document_request": "Захтев за документе", "press_inquiry": "Новинарско питање", "general_question": "Опште питање",
		"email": "Е-пошта", "telegram": "Телеграм",
	},
	"en": {
		"document_request": "Document request", "press_inquiry": "Press inquiry", "general_question": "General question",
		"email": "Email", "telegram": "Telegram",
	},
}

// weeklyColors are the series' colours; keys without one take the spare
// ones in turn.
var (
	weeklyColors = map[string]string{
		"document_request": "#1565c0", "press_inquiry": "#e65100", "general_question": "#2e7d32",
		"email": "#1a237e", "telegram": "#0288d1",
	}
	weeklySpare = []string{"#6a1b9a", "#757575", "#8d6e63", "#c2185b"}
)

// WeeklyLanguages are the languages Figure speaks.
var WeeklyLanguages = [...]string{"sq", "sr-Latn", "sr-Cyrl", "en"}

type weeklySeries struct {
	Key, Label, Color string
}

type weeklyBar struct {
	Week     string
	Label    string // the week's first day under every few bars, else empty
	Center   float64
	Segments []weeklySegment
}

type weeklySegment struct {
	Key, Color, Title   string
	X, Y, Width, Height float64
}

type weeklyRow struct {
	Week, Days string
	Counts     []int
	Total      int
}

type weeklyFigure struct {
	ID, Title, Summary    string
	Words                 weeklyWords
	Width, Height         float64
	Left, Right, Baseline float64
	Ticks                 []tick
	Bars                  []weeklyBar
	Series                []weeklySeries
	Rows                  []weeklyRow
}

// Figure renders the weeks as an HTML fragment for a page: a <figure> with
// a stacked bar chart in inline SVG (role="img", named by its <title> and
// described by a one-line summary), its legend, and the same numbers as a
// table (in a <details>, for screen readers and for reading the exact
// figures). by is "category" or "channel"; lang one of WeeklyLanguages. The
// fragment's ids start with "weekly-<by>", so both charts fit on one page.
// It has no inline style or script, so a strict Content-Security-Policy
// shows it as it is.
func (r WeeklyReport) Figure(by, lang string) (template.HTML, error) {
	words, ok := weeklyText[lang]
	if !ok {
		return "", fmt.Errorf("weekly figure: unknown language %q (want sq, sr-Latn, sr-Cyrl or en)", lang)
	}
	var keys []string
	f := weeklyFigure{ID: "weekly-" + by, Words: words, Width: weeklyWidth, Height: weeklyHeight,
		Left: weeklyLeft, Right: weeklyRight, Baseline: weeklyBaseline}
	switch by {
	case "category":
		keys, f.Title = r.Categories, words.ByCategory
	case "channel":
		keys, f.Title = r.Channels, words.ByChannel
	default:
		return "", fmt.Errorf("weekly figure: unknown grouping %q (want category or channel)", by)
	}
	spare := 0
	for _, k := range keys {
		s := weeklySeries{Key: k, Label: weeklyKeys[lang][k], Color: weeklyColors[k]}
		if k == "(none)" {
			s.Label = words.None
		}
		if s.Label == "" {
			s.Label = k
		}
		if s.Color == "" {
			s.Color = weeklySpare[spare%len(weeklySpare)]
			spare++
		}
		f.Series = append(f.Series, s)
	}

	busiest := -1
	highest := 0
	for i, w := range r.Weeks {
		if w.Received > highest || busiest < 0 {
			busiest, highest = i, max(highest, w.Received)
		}
	}
	f.Summary = fmt.Sprintf(words.Summary, r.Received, len(r.Weeks), r.From, r.To, weekName(r.Weeks, busiest), highest)

	step := niceStep(highest)
	top := max(step, (highest+step-1)/step*step)
	unit := (weeklyBaseline - weeklyTop) / float64(top)
	for v := 0; v <= top; v += step {
		f.Ticks = append(f.Ticks, tick{Y: round2(weeklyBaseline - float64(v)*unit), Label: v})
	}
	every := max(1, int(math.Ceil(float64(len(r.Weeks))/weeklyLabels)))
	slot := (weeklyRight - weeklyLeft) / float64(max(1, len(r.Weeks)))
	width := slot * 0.7
	for i, w := range r.Weeks {
		counts := w.ByCategory
		if by == "channel" {
			counts = w.ByChannel
		}
		b := weeklyBar{Week: w.Week, Center: round2(weeklyLeft + (float64(i)+0.5)*slot)}
		if i%every == 0 {
			b.Label = shortDay(w.From)
		}
		x := round2(weeklyLeft + float64(i)*slot + (slot-width)/2)
		y := weeklyBaseline
		row := weeklyRow{Week: w.Week, Days: shortDay(w.From) + "–" + shortDay(w.To), Total: w.Received}
		for _, s := range f.Series {
			n := counts[s.Key]
			row.Counts = append(row.Counts, n)
			if n == 0 {
				continue
			}
			h := float64(n) * unit
			y -= h
			b.Segments = append(b.Segments, weeklySegment{Key: s.Key, Color: s.Color, X: x, Width: round2(width),
				Y: round2(y), Height: round2(h), Title: fmt.Sprintf("%s (%s) %s: %d", w.Week, row.Days, s.Label, n)})
		}
		f.Bars = append(f.Bars, b)
		f.Rows = append(f.Rows, row)
	}

	t, err := template.New("weekly.html.tmpl").Funcs(template.FuncMap{"num": num}).ParseFS(templates, "templates/weekly.html.tmpl")
	if err != nil {
		return "", fmt.Errorf("parse weekly template: %w", err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, f); err != nil {
		return "", fmt.Errorf("render weekly figure: %w", err)
	}
	// The template escaped every value it placed; the result is safe HTML.
	return template.HTML(buf.String()), nil
}

// weekName is the i-th week's name, or "–" when there is none.
func weekName(weeks []Week, i int) string {
	if i < 0 || i >= len(weeks) {
		return "–"
	}
	return weeks[i].Week
}

// shortDay writes 2026-01-05 as 05.01, the way dates are read in Kosovo.
func shortDay(day string) string {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return d.Format("02.01")
}
