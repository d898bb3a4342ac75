// Package corefence holds the vocabulary shared by every part of corefence:
// dates, technologies, network domains, exact quantities and the errors that
// describe bad input. It imports only the standard library, so engines,
// importers, storage and the CLI can all speak it without depending on one
// another.
package corefence

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Position locates a problem in an input file. Line and Column count from 1;
// zero means unknown.
type Position struct {
	File   string
	Line   int
	Column int
}

func (p Position) String() string {
	switch {
	case p.File == "":
		return ""
	case p.Line == 0:
		return p.File
	case p.Column == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
}

// Problem is one thing wrong with an input: where, which record, which field
// and what to do about it.
type Problem struct {
	Pos     Position
	Section string // "sites", "rules", "waivers" …; empty for file-level problems
	ID      string // the record's id, when it has one
	Field   string
	Message string
}

func (p Problem) Error() string {
	var b strings.Builder
	if s := p.Pos.String(); s != "" {
		b.WriteString(s)
		b.WriteString(": ")
	}
	if p.Section != "" {
		b.WriteString(p.Section)
		if p.ID != "" {
			b.WriteString(" ")
			b.WriteString(quoteID(Short(p.ID)))
		}
		b.WriteString(": ")
	}
	if p.Field != "" {
		b.WriteString(Short(p.Field))
		b.WriteString(": ")
	}
	b.WriteString(shortMessage(p.Message))
	return b.String()
}

func quoteID(id string) string {
	if strings.ContainsAny(id, " \t\"':") || id == "" {
		return fmt.Sprintf("%q", id)
	}
	return id
}

// MaxProblems bounds how many problems one load reports: past it, the input
// is so broken that more lines help nobody.
const MaxProblems = 1000

// Problems is every problem found in an input. A load that returns Problems
// has loaded nothing.
type Problems struct {
	List      []Problem
	Truncated bool // more problems were found than MaxProblems
}

// Add records a problem, up to MaxProblems.
func (ps *Problems) Add(p Problem) {
	if len(ps.List) >= MaxProblems {
		ps.Truncated = true
		return
	}
	p.Message = shortMessage(p.Message) // a long value repeated in each message is kept once, short
	ps.List = append(ps.List, p)
}

// Addf records a problem built from a format. String arguments longer than
// a message may be are shortened first (see Short): a message names a
// value, it need not repeat a megabyte of it.
func (ps *Problems) Addf(pos Position, section, id, field, format string, args ...any) {
	if len(ps.List) >= MaxProblems {
		ps.Truncated = true
		return
	}
	copied := false
	for i, a := range args {
		if s, ok := a.(string); ok && len(s) > maxMessageBytes { // not a list of valid values, which may be long
			if !copied { // the caller's slice is not ours to change
				args, copied = append([]any(nil), args...), true
			}
			args[i] = Short(s)
		}
	}
	ps.Add(Problem{Pos: pos, Section: section, ID: id, Field: field, Message: fmt.Sprintf(format, args...)})
}

// Merge adds every problem of other.
func (ps *Problems) Merge(other *Problems) {
	if other == nil {
		return
	}
	for _, p := range other.List {
		ps.Add(p)
	}
	ps.Truncated = ps.Truncated || other.Truncated
}

// Len reports how many problems were recorded.
func (ps *Problems) Len() int { return len(ps.List) }

// Err returns nil when there is no problem, else the problems sorted by file
// and line as an error.
func (ps *Problems) Err() error {
	if ps == nil || len(ps.List) == 0 {
		return nil
	}
	sort.SliceStable(ps.List, func(i, j int) bool {
		a, b := ps.List[i].Pos, ps.List[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return ps
}

func (ps *Problems) Error() string {
	var b strings.Builder
	for i, p := range ps.List {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.Error())
	}
	if ps.Truncated {
		fmt.Fprintf(&b, "\n(stopped after %d problems)", MaxProblems)
	}
	return b.String()
}

// AsProblems reports whether err carries input problems, and returns them.
func AsProblems(err error) (*Problems, bool) {
	var ps *Problems
	if errors.As(err, &ps) {
		return ps, true
	}
	var p Problem
	if errors.As(err, &p) {
		return &Problems{List: []Problem{p}}, true
	}
	return nil, false
}

// Warning is something a user should know that does not stop the work: a
// vendor that matches no known group, a function override.
type Warning struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}
