package vendor

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Normalize returns the key under which a vendor name is matched: lower case,
// common accents removed ("Telefónica" → "telefonica"), punctuation turned
// into spaces, dotted abbreviations joined ("S.A." → "sa", "A/S" → "as"),
// "&" spelt "and", and legal forms dropped — trailing ones ("Co., Ltd.",
// "GmbH & Co. KG"), parenthesised qualifiers made only of legal forms or
// two-letter codes ("(publ)", "(UK)") and a leading Russian, Latvian or
// Indonesian form ("AO", "SIA", "PT"). A name is never reduced to nothing:
// "AB" alone stays "ab". Words are separated by single spaces.
func Normalize(s string) string {
	return strings.Join(normalizeTokens(s, false), " ")
}

// normalizeQualified is Normalize keeping parenthesised country codes as
// words: "ComNet (USA) LLC" is "comnet usa", so that a registered name
// whose country is what sets it apart ("ComNet USA") still matches.
func normalizeQualified(s string) string {
	return strings.Join(normalizeTokens(s, true), " ")
}

// word is a run of letters and digits found while scanning a name.
type word struct {
	text   string
	dotted bool // ended by '.' or '/', so it may continue an abbreviation
	abbr   bool // made of single letters only, e.g. "s" or "sa" while reading "S.A."
	paren  int  // which parenthesised group it is in (from 1), 0 if none
}

func normalizeTokens(s string, keepCodes bool) []string {
	words := scan(s)

	// Join dotted single letters: "S.A." is one legal form, not the words
	// "s" and "a", and "L.M. Ericsson" is "lm ericsson".
	joined := words[:0]
	for _, w := range words {
		one := isLetter(w.text)
		if n := len(joined); n > 0 && one && joined[n-1].abbr && joined[n-1].dotted && joined[n-1].paren == w.paren {
			joined[n-1].text += w.text
			joined[n-1].dotted = w.dotted
			continue
		}
		w.abbr = one
		joined = append(joined, w)
	}
	words = joined

	if len(words) > 1 && words[0].paren == 0 && legalPrefixes[words[0].text] {
		words = words[1:]
	}

	// A parenthesised group made only of legal forms and short codes is a
	// qualifier of the name, not part of it: "(publ)", "(UK)", "(Pty)".
	// Any other group, e.g. "(Shenzhen)", keeps its words.
	var partOfName map[int]bool // parenthesised groups to keep
	for _, w := range words {
		if w.paren != 0 && !legalSuffixes[w.text] && (keepCodes || !isCode(w.text)) {
			if partOfName == nil {
				partOfName = map[int]bool{}
			}
			partOfName[w.paren] = true
		}
	}
	tokens := make([]string, 0, len(words))
	for _, w := range words {
		if w.paren == 0 || partOfName[w.paren] {
			tokens = append(tokens, w.text)
		}
	}
	if len(tokens) == 0 { // the name was only a qualifier, e.g. "(UK)"
		for _, w := range words {
			tokens = append(tokens, w.text)
		}
	}

	// Legal forms only ever end a name, so they are dropped only from the
	// end: "Co" in "Co Ltd" goes, a "Co" in the middle of a name stays.
	// "and" goes too when it joins two forms, as in "GmbH & Co. KG".
	stripped := false
	for n := len(tokens); n > 1; n = len(tokens) {
		switch last := tokens[n-1]; {
		case legalSuffixes[last]:
			stripped = true
		case last == "and" && stripped:
		default:
			return tokens
		}
		tokens = tokens[:n-1]
	}
	return tokens
}

// scan splits s into lower-case words, noting which end with a dot or slash
// and which sit inside parentheses.
func scan(s string) []word {
	var (
		words        []word
		b            strings.Builder
		depth, group int
	)
	paren := func() int {
		if depth > 0 {
			return group
		}
		return 0
	}
	flush := func(dotted bool) {
		if b.Len() > 0 {
			words = append(words, word{text: b.String(), dotted: dotted, paren: paren()})
			b.Reset()
		}
	}
	for _, r := range s {
		if r < utf8.RuneSelf { // ASCII fast path: most names are plain ASCII
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
		} else {
			r = unicode.ToLower(r)
		}
		switch {
		case 'a' <= r && r <= 'z' || '0' <= r && r <= '9':
			b.WriteRune(r)
		case r >= utf8.RuneSelf && folds()[r] != "":
			b.WriteString(folds()[r])
		case r >= utf8.RuneSelf && unicode.Is(unicode.Mn, r):
			// a combining accent of decomposed text: drop it, keep the letter
		case r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
		case r == '\'' || r == '’' || r == 'ʼ':
			// "O'Neil" is one word
		case r == '.' || r == '/':
			flush(true)
		case r == '&':
			flush(false)
			words = append(words, word{text: "and", paren: paren()})
		case r == '(' || r == '[' || r == '（':
			flush(false)
			if depth == 0 {
				group++
			}
			depth++
		case r == ')' || r == ']' || r == '）':
			flush(false)
			if depth > 0 {
				depth--
			}
		default:
			flush(false)
		}
	}
	flush(false)
	return words
}

// isLetter reports whether t is a single letter.
func isLetter(t string) bool {
	r, n := utf8.DecodeRuneInString(t)
	return n == len(t) && unicode.IsLetter(r)
}

// isCode reports whether t looks like a country code used as a qualifier:
// two letters ("uk", "de") or "usa".
func isCode(t string) bool {
	if t == "usa" {
		return true
	}
	if utf8.RuneCountInString(t) != 2 {
		return false
	}
	for _, r := range t {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

// legalSuffixes are legal forms as they appear after normalisation, so
// "S.p.A." is "spa" and "A/S" is "as".
var legalSuffixes = set(
	"ab", "ag", "aps", "as", "asa", "bhd", "bv", "co", "company", "corp",
	"corporation", "gk", "gmbh", "inc", "incorporated", "kg", "kgaa", "kk",
	"limited", "llc", "llp", "lp", "ltd", "ltda", "nv", "oy", "oyj", "plc",
	"pte", "pty", "publ", "pvt", "sa", "sarl", "sas", "sasu", "sau", "sdn",
	"se", "sl", "slu", "spa", "srl", "sro", "tbk",
)

// stripPlaces drops the Chinese place names (provinces, municipalities and
// large cities, in pinyin) a normalised name starts with, as in "Hangzhou
// Hikvision Digital Technology" or "Shenzhen ZTE"; it never drops the last
// word. Names that are registered with their place ("Shanghai Bell",
// "Wuhan FiberHome") match before this is tried.
func stripPlaces(k string) string {
	for {
		w, rest, ok := strings.Cut(k, " ")
		if !ok {
			return k
		}
		switch {
		case places[w]:
			k = rest
		case w == "hong" && strings.HasPrefix(rest, "kong ") && len(rest) > len("kong "):
			k = rest[len("kong "):]
		default:
			return k
		}
	}
}

// places are Chinese provinces, municipalities and cities that lead
// company names, in pinyin as normalised ("Xi'an" is "xian").
var places = set(
	"anhui", "beijing", "changsha", "chengdu", "chongqing", "dalian", "dongguan",
	"foshan", "fujian", "fuzhou", "gansu", "guangdong", "guangxi", "guangzhou",
	"guizhou", "hainan", "hangzhou", "harbin", "hebei", "hefei", "heilongjiang",
	"henan", "hongkong", "hubei", "hunan", "jiangsu", "jiangxi", "jilin", "jinan",
	"kunming", "liaoning", "nanjing", "ningbo", "qingdao", "shaanxi", "shandong",
	"shanghai", "shanxi", "shenyang", "shenzhen", "sichuan", "suzhou", "tianjin",
	"wuhan", "wuxi", "xiamen", "xian", "yunnan", "zhejiang", "zhengzhou", "zhuhai",
)

// legalPrefixes are legal forms written before the name: Russian (in Latin
// and Cyrillic letters), Latvian and Indonesian.
var legalPrefixes = set(
	"ao", "zao", "oao", "pao", "ooo", "ао", "зао", "оао", "пао", "ооо", "sia", "pt",
)

// folds maps accented lower-case Latin letters to plain ASCII. It covers
// Latin-1 and Latin Extended-A, which is where vendor names in European
// inventories live; anything else is kept as written.
// It is built on first use (with the first name normalised), not when the
// binary starts.
var folds = sync.OnceValue(func() map[rune]string {
	m := map[rune]string{
		'æ': "ae", 'œ': "oe", 'ß': "ss", 'þ': "th", 'ð': "d", 'ø': "o",
		'ł': "l", 'đ': "d", 'ħ': "h", 'ı': "i", 'ŧ': "t", 'ŀ': "l",
	}
	for plain, accented := range map[string]string{
		"a": "àáâãäåāăą", "c": "çćĉċč", "d": "ď", "e": "èéêëēĕėęě",
		"g": "ĝğġģ", "h": "ĥ", "i": "ìíîïĩīĭį", "j": "ĵ", "k": "ķ",
		"l": "ĺļľ", "n": "ñńņň", "o": "òóôõöōŏő", "r": "ŕŗř",
		"s": "śŝşšș", "t": "ţťț", "u": "ùúûüũūŭůűų", "w": "ŵ",
		"y": "ýÿŷ", "z": "źżž",
	} {
		for _, r := range accented {
			m[r] = plain
		}
	}
	return m
})

func set(items ...string) map[string]bool {
	m := make(map[string]bool, len(items))
	for _, s := range items {
		m[s] = true
	}
	return m
}

// distance is the Damerau–Levenshtein distance between a and b in its
// optimal-string-alignment form: insertions, deletions, substitutions and
// transpositions of adjacent letters ("Huawie") each cost one.
func distance(a, b []rune) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
