package server_test

import (
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/corefence/corefence/internal/server"
)

// TestRoutesDocumented: docs/server.md lists every route with its access.
func TestRoutesDocumented(t *testing.T) {
	doc := string(readFile(t, "../../docs/server.md"))
	for _, rt := range server.Routes() {
		row := "| `" + rt.Method + " " + rt.Pattern + "` | " + rt.Access.String() + " |"
		if !strings.Contains(doc, row) {
			t.Errorf("docs/server.md lacks the row %s", row)
		}
	}
}

// TestRoutesInOpenAPI: the OpenAPI document describes every route.
func TestRoutesInOpenAPI(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(server.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	described := 0
	for _, item := range doc.Paths.Map() {
		described += len(item.Operations())
	}
	for _, rt := range server.Routes() {
		item := doc.Paths.Find(rt.Pattern)
		if item == nil || item.GetOperation(rt.Method) == nil {
			t.Errorf("openapi.json lacks %s %s", rt.Method, rt.Pattern)
		}
	}
	if described != len(server.Routes()) {
		t.Errorf("openapi.json describes %d operations; the server has %d routes", described, len(server.Routes()))
	}
}
