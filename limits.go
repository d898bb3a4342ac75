package corefence

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits bound what reading one input may cost, so that a hostile or
// mistaken file (an alias bomb, /dev/zero, a predicate that loops over big
// lists) fails with a clear error instead of exhausting memory or time.
// Every limit has a key; an error that hits one names it, and the CLI's
// `--max KEY=VALUE` (or a server's configuration of the same key) raises
// it. The defaults admit a national network of five million elements;
// the zero value admits nothing, so start from DefaultLimits.
type Limits struct {
	// InputBytes bounds one input file (inventory part, pack, waivers,
	// parameters, site list), read through a bounded reader: devices, pipes
	// and links to them are measured by what they yield, not by stat.
	InputBytes int64
	// ConfigBytes bounds one pack, waivers or parameters file, read the
	// same way: such files are written by hand and stay small.
	ConfigBytes int64
	// AliasNodes bounds the nodes YAML aliases may add to a document when
	// expanded, so that a "billion laughs" file of a few hundred bytes
	// cannot expand to gigabytes.
	AliasNodes int64
	// Depth bounds the nesting of lists and mappings in YAML and JSON.
	Depth int
	// Records bounds the records of one CSV file (or site list).
	Records int
	// LineBytes bounds one line of a CSV file (or site list).
	LineBytes int
	// CELCost bounds the cost, in cel-go's cost units, of evaluating a
	// `where:` predicate for one element; past it the element is
	// unmeasured under the rule.
	CELCost uint64
	// CELTime bounds the wall time one `where:` predicate may take over a
	// whole check; past it the check fails.
	CELTime time.Duration
}

// DefaultLimits returns the limits used unless a user raises them.
func DefaultLimits() Limits {
	return Limits{
		InputBytes:  4 << 30,
		ConfigBytes: 64 << 20,
		AliasNodes:  1_000_000,
		Depth:       64,
		Records:     20_000_000,
		LineBytes:   1 << 20,
		CELCost:     100_000,
		CELTime:     5 * time.Minute,
	}
}

// limitKeys lists the keys of Limits, each with how to read and show it.
var limitKeys = map[string]struct {
	get func(*Limits) string
	set func(*Limits, string) error
}{
	"input-bytes":  {func(l *Limits) string { return strconv.FormatInt(l.InputBytes, 10) }, func(l *Limits, v string) error { return setInt(&l.InputBytes, v) }},
	"config-bytes": {func(l *Limits) string { return strconv.FormatInt(l.ConfigBytes, 10) }, func(l *Limits, v string) error { return setInt(&l.ConfigBytes, v) }},
	"alias-nodes":  {func(l *Limits) string { return strconv.FormatInt(l.AliasNodes, 10) }, func(l *Limits, v string) error { return setInt(&l.AliasNodes, v) }},
	"depth":        {func(l *Limits) string { return strconv.Itoa(l.Depth) }, func(l *Limits, v string) error { return setInt(&l.Depth, v) }},
	"records":      {func(l *Limits) string { return strconv.Itoa(l.Records) }, func(l *Limits, v string) error { return setInt(&l.Records, v) }},
	"line-bytes":   {func(l *Limits) string { return strconv.Itoa(l.LineBytes) }, func(l *Limits, v string) error { return setInt(&l.LineBytes, v) }},
	"cel-cost":     {func(l *Limits) string { return strconv.FormatUint(l.CELCost, 10) }, func(l *Limits, v string) error { return setInt(&l.CELCost, v) }},
	"cel-time": {func(l *Limits) string { return l.CELTime.String() }, func(l *Limits, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("%q is not a positive duration such as 90s or 10m", v)
		}
		l.CELTime = d
		return nil
	}},
}

// LimitKeys returns the keys Limits.Set accepts, sorted.
func LimitKeys() []string {
	keys := make([]string, 0, len(limitKeys))
	for k := range limitKeys {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func setInt[T int | int64 | uint64](dst *T, v string) error {
	n, err := strconv.ParseUint(strings.ReplaceAll(v, "_", ""), 10, 63)
	if err != nil || n == 0 || T(n) <= 0 || uint64(T(n)) != n {
		return fmt.Errorf("%q is not a positive whole number", v)
	}
	*dst = T(n)
	return nil
}

// Set sets one limit from "KEY=VALUE", as given to `--max`.
func (l *Limits) Set(kv string) error {
	key, val, ok := strings.Cut(kv, "=")
	k, known := limitKeys[strings.TrimSpace(key)]
	if !ok || !known {
		return fmt.Errorf("%q: want KEY=VALUE with KEY one of %s", kv, strings.Join(LimitKeys(), ", "))
	}
	if err := k.set(l, strings.TrimSpace(val)); err != nil {
		return fmt.Errorf("%s: %v", key, err)
	}
	return nil
}

// Get returns the value of the limit named key, as Set reads it.
func (l Limits) Get(key string) string {
	if k, ok := limitKeys[key]; ok {
		return k.get(&l)
	}
	return ""
}

// Exceeded describes input that went past the limit named key: what was
// exceeded, the limit, and how to raise it.
func (l Limits) Exceeded(key, what string) string {
	return fmt.Sprintf("%s: more than the limit %s=%s (raise it with --max %s=N)", what, key, l.Get(key), key)
}

// MaxValueBytes bounds how much of one value (an id, a cell, a predicate)
// a message repeats, so that a megabyte id referenced a thousand times
// cannot write a gigabyte of errors.
const MaxValueBytes = 80

// Short returns s, or when it is longer than MaxValueBytes its start, an
// ellipsis and how many bytes were left out. It never splits a UTF-8
// sequence.
func Short(s string) string {
	if len(s) <= MaxValueBytes {
		return s
	}
	cut := MaxValueBytes - 16
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s…(%d more bytes)", s[:cut], len(s)-cut)
}

// maxMessageBytes bounds one problem's message: values inside it are
// usually shortened where they are formatted; this is the backstop.
const maxMessageBytes = 1024

// shortMessage keeps the start and end of a long message, where the field
// and the advice are, and drops the middle.
func shortMessage(s string) string {
	if len(s) <= maxMessageBytes {
		return s
	}
	head, tail := maxMessageBytes/2, maxMessageBytes/4
	for head > 0 && !utf8.RuneStart(s[head]) {
		head--
	}
	start := len(s) - tail
	for start < len(s) && !utf8.RuneStart(s[start]) {
		start++
	}
	return fmt.Sprintf("%s…(%d bytes left out)…%s", s[:head], start-head, s[start:])
}
