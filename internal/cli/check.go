package cli

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"time"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/policy"
	"github.com/corefence/corefence/internal/report"
)

const checkSynopsis = `check --inventory PATH --policy ID|FILE [--policy …] [--as-of YYYY-MM-DD]
                 [--waivers FILE] [--include-planned] [--param PACK.NAME[@OPERATOR]=VALUE …]
                 [--format table|json|csv|markdown|junit|sarif|geojson] [--wide]
                 [--fail-on violation|advisory|upcoming|unmeasured[,…]|never]`

func runCheck(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "check", checkSynopsis)
	var in checkInputs
	in.register(fs)
	format := fs.String("format", "table", "output format: "+strings.Join(report.Formats, ", "))
	failOn := fs.String("fail-on", "violation", "exit 1 on violations and on findings of these statuses, comma-separated: advisory, upcoming, unmeasured; or never")
	limit := fs.Int("limit", 20, "lines per rule in table output, findings per rule in markdown output")
	wide := fs.Bool("wide", false, "table: every finding on its own unwrapped line with its full message, instead of one line per site and rule")
	lim := limitsFlag(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if err := in.require(); err != nil {
		return err
	}
	if err := oneOf("format", *format, report.Formats); err != nil {
		return err
	}
	fail, err := failStatuses(*failOn)
	if err != nil {
		return err
	}
	date, err := in.date(env)
	if err != nil {
		return err
	}

	l, err := in.load(ctx, env, *lim)
	if err != nil {
		return err
	}
	model, loaded, ws := l.inv, l.packs, l.waivers
	say := progress(env)
	start := time.Now()
	res, err := policy.Check(ctx, model, loaded, policy.Options{AsOf: date, IncludePlanned: in.planned, Waivers: ws})
	if err != nil {
		return err
	}
	say("checked %d rules in %s", countRules(loaded), time.Since(start).Round(time.Millisecond))

	// Render fully before writing, so that a failure leaves stdout empty.
	var out bytes.Buffer
	if err := report.Write(&out, *format, res, report.Options{MaxPerRule: *limit, Fail: fail, Wide: *wide, Width: terminalWidth(env.Stdout)}); err != nil {
		return err
	}
	if _, err := out.WriteTo(env.Stdout); err != nil {
		return err
	}
	counts := res.Count()
	for _, s := range fail {
		if counts[s] > 0 {
			return errViolations
		}
	}
	return nil
}

// failStatuses reads --fail-on: "never", or statuses that fail the check
// besides violations, which always do.
func failStatuses(v string) ([]string, error) {
	if v == "never" {
		return []string{}, nil
	}
	out := []string{policy.StatusViolation}
	for _, s := range strings.Split(v, ",") {
		s = strings.TrimSpace(s)
		if err := oneOf("fail-on", s, []string{policy.StatusViolation, policy.StatusAdvisory, policy.StatusUpcoming, policy.StatusUnmeasured, "never"}); err != nil {
			return nil, err
		}
		if s == "never" {
			return nil, usagef("--fail-on: never cannot be combined with statuses")
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, nil
}

func countRules(packs []*policy.Pack) int {
	n := 0
	for _, p := range packs {
		n += len(p.Rules)
	}
	return n
}

// openPacks loads every --policy and applies every --param, reporting all
// problems together.
func openPacks(refs, params []string) ([]*policy.Pack, error) {
	return openPacksWith(refs, params, cf.DefaultLimits())
}

// openPacksWith is openPacks with pack files read, and their predicates
// run, under lim.
func openPacksWith(refs, params []string, lim cf.Limits) ([]*policy.Pack, error) {
	probs := &cf.Problems{}
	var packs []*policy.Pack
	seen := map[string]bool{}
	for _, ref := range refs {
		p, err := policy.OpenWith(ref, lim)
		if err != nil {
			if ps, ok := cf.AsProblems(err); ok {
				probs.Merge(ps)
				continue
			}
			return nil, err
		}
		if seen[p.ID] {
			return nil, usagef("--policy %s given twice", p.ID)
		}
		seen[p.ID] = true
		packs = append(packs, p)
	}
	if err := probs.Err(); err != nil {
		return nil, err
	}
	if err := setParams(packs, params); err != nil {
		return nil, err
	}
	return packs, nil
}

// setParams applies every --param PACK.NAME=VALUE to its pack.
func setParams(packs []*policy.Pack, params []string) error {
	for _, kv := range params {
		name, value, ok := strings.Cut(kv, "=")
		name, operator, perOperator := strings.Cut(name, "@")
		packID, param, ok2 := strings.Cut(name, ".")
		if !ok || !ok2 || perOperator && operator == "" {
			return usagef("--param %q: want PACK.NAME=VALUE, or PACK.NAME@OPERATOR=VALUE", kv)
		}
		var pack *policy.Pack
		for _, p := range packs {
			if p.ID == packID {
				pack = p
			}
		}
		if pack == nil {
			return usagef("--param %q: pack %s is not among the --policy packs", kv, packID)
		}
		d, err := cf.ParseDate(value)
		if err != nil {
			return usagef("--param %q: %v", kv, err)
		}
		if perOperator {
			err = pack.SetOperatorParam(param, operator, d)
		} else {
			err = pack.SetParam(param, d)
		}
		if err != nil {
			return usagef("--param %q: %v", kv, err)
		}
	}
	return nil
}
