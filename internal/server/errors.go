package server

import (
	"net/http"

	cf "github.com/corefence/corefence"
)

// ErrorBody is every error response: a code to branch on, a sentence to
// show, and for bad input the whole problem list, as the CLI prints it.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the content of an error response.
type ErrorDetail struct {
	Code      string    `json:"code"`
	Message   string    `json:"message"`
	Problems  []Problem `json:"problems,omitempty"`
	Truncated bool      `json:"truncated,omitempty"`
}

// Problem is one input problem: where it is and what is wrong. Text is the
// line the CLI prints for it.
type Problem struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Section string `json:"section,omitempty"`
	ID      string `json:"id,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
	Text    string `json:"text"`
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, ErrorBody{ErrorDetail{Code: code, Message: msg}})
}

func isProblems(err error) bool {
	_, ok := cf.AsProblems(err)
	return ok
}

func writeProblems(w http.ResponseWriter, err error) {
	ps, _ := cf.AsProblems(err)
	d := ErrorDetail{Code: "invalid_input", Truncated: ps.Truncated}
	for _, p := range ps.List {
		d.Problems = append(d.Problems, Problem{File: p.Pos.File, Line: p.Pos.Line, Column: p.Pos.Column,
			Section: p.Section, ID: p.ID, Field: p.Field, Message: p.Message, Text: p.Error()})
	}
	noun := "problems"
	if len(ps.List) == 1 {
		noun = "problem"
	}
	d.Message = itoa(len(ps.List)) + " " + noun + " in the input; nothing was stored"
	writeJSON(w, http.StatusBadRequest, ErrorBody{d})
}
