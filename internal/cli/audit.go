package cli

import (
	"context"
	"fmt"

	"github.com/corefence/corefence/internal/audit"
	"github.com/corefence/corefence/internal/store/sqlstore"
)

const auditSynopsis = `audit verify [--db PATH|postgres://…]`

// errAuditBroken is a verification that found the chain broken: exit 1,
// as a check that finds violations.
var errAuditBroken = fmt.Errorf("%w: the audit log is not intact", errViolations)

func runAudit(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "audit", auditSynopsis)
	db := fs.String("db", "corefence.db", "the server's store: a SQLite file or a postgres:// URL")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || pos[0] != "verify" {
		return usagef("want: corefence %s", auditSynopsis)
	}
	st, err := sqlstore.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	var v audit.Verifier
	seq, hash, err := st.AuditLog(ctx, func(e audit.Entry) error {
		v.Add(e)
		return ctx.Err()
	})
	if err != nil {
		return err
	}
	problems := v.Finish(seq, hash)
	if len(problems) == 0 {
		fmt.Fprintf(env.Stdout, "audit log intact: %d entries, head %d %s\n", v.Count(), seq, hash)
		return nil
	}
	fmt.Fprintf(env.Stdout, "audit log NOT intact: %d entries read, %d problems:\n", v.Count(), len(problems))
	for _, p := range problems {
		fmt.Fprintf(env.Stdout, "  %s\n", p)
	}
	return errAuditBroken
}
