#!/usr/bin/env bash
# corefence at national scale, and the same rules in OPA, measured in one run.
#
#   bench/run.sh
#
# 1. builds corefence and OPA (the version bench/go.mod pins, as a tool);
# 2. generates the UK network once — 100,000 RAN sites, seed 1, about 0.9M
#    elements across four operators — as a CSV bundle in bench/data/uk-1m
#    (git-ignored), and writes the Rego translation of uk-dvd-2022 and
#    uk-2020-ncsc, its parameters and the inventory as Rego input JSON;
# 3. measures, each in its own process so that each peak is its own:
#    the Go benchmarks (load, check, check of the rules OPA also runs, OPA in
#    process — which also compares the findings of both, set against set),
#    `corefence check` end to end under /usr/bin/time -v, and `opa eval` of
#    the same rules under /usr/bin/time -v, taking the evaluation time from
#    OPA's own metrics (timer_rego_query_eval_ns) so that parsing the input
#    is kept apart;
# 4. prints a summary, also written to bench/results/ (git-ignored).
#
# Targets (issue): load ≤ 5 s, check ≤ 1 s, peak memory ≤ 3 GB on the
# 2-core machine; OPA's evaluation at least 20 times slower than
# corefence's check of the same rules.
#
# Environment: OPA_TIMEOUT (seconds for the full-size `opa eval`, 1800; past
# it OPA is measured on a slice of about 100,000 elements and the time
# extrapolated linearly, labelled as such), SLICE_SITES (11200).
# The network, packs and date are those of bench_test.go.
set -euo pipefail

cd "$(dirname "$0")"
BENCH=$(pwd)
ROOT=$(cd .. && pwd)

SITES=100000 # benchdata.Sites1M
SEED=1       # benchdata.Seed1M
AS_OF=2023-12-31
OPA_TIMEOUT=${OPA_TIMEOUT:-1800}
SLICE_SITES=${SLICE_SITES:-11200}
PACKS=(uk-dvd-2022 uk-2020-ncsc)

BIN=$BENCH/bin
DATA=$BENCH/data
RESULTS=$BENCH/results
mkdir -p "$BIN" "$DATA" "$RESULTS"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
R=$RESULTS/$STAMP

say() { printf '== %s\n' "$*" >&2; }

# --- tools -------------------------------------------------------------------
if [ ! -x /usr/bin/time ]; then
	if [ "$(id -u)" = 0 ]; then
		say "installing GNU time (Debian package time)"
		apt-get update -qq && apt-get install -y -qq time >/dev/null
	else
		echo "run.sh: /usr/bin/time is missing: install the Debian package time" >&2
		exit 2
	fi
fi

say "building corefence, opa ($(cd "$BENCH" && go list -m -f '{{.Version}}' github.com/open-policy-agent/opa)) and benchdata"
(cd "$ROOT" && go build -o "$BIN/corefence" ./cmd/corefence)
go build -o "$BIN/opa" github.com/open-policy-agent/opa
go build -o "$BIN/benchdata" ./cmd/benchdata

# --- data --------------------------------------------------------------------
# gen_bundle SITES DIR: the CSV bundle of the generated UK network.
gen_bundle() {
	local sites=$1 dir=$2
	if "$BIN/benchdata" fresh -out "$dir" -sites "$sites" -seed "$SEED"; then
		say "$dir is there already (made by this tree's generator)"
		return
	fi
	say "generating $dir ($sites sites, seed $SEED)"
	if "$BIN/corefence" help | grep -q '^  gen '; then
		rm -rf "$dir.tmp"
		"$BIN/corefence" gen --country gb --sites "$sites" --seed "$SEED" --format csv --out "$dir.tmp"
		"$BIN/benchdata" mark -out "$dir.tmp" -sites "$sites" -seed "$SEED"
		rm -rf "$dir" && mv "$dir.tmp" "$dir"
	else # a tree without the gen command: the same gen.Generate + export.WriteCSV
		"$BIN/benchdata" gen -out "$dir" -sites "$sites" -seed "$SEED"
	fi
}

# opa_files DIR: the Rego translation, its parameters and the input JSON.
opa_files() {
	local dir=$1 policies=()
	for p in "${PACKS[@]}"; do policies+=(-policy "$p"); done
	"$BIN/benchdata" opa -inventory "$dir" "${policies[@]}" -as-of "$AS_OF" \
		-rego "$dir.rego" -params "$dir-params.json" -input "$dir-input.json"
}

NET=$DATA/uk-1m # bench_test.go's dir1M
gen_bundle "$SITES" "$NET"
say "writing the Rego translation and input"
opa_files "$NET"

# --- helpers -----------------------------------------------------------------
# wall_s FILE: "Elapsed (wall clock) time" of /usr/bin/time -v, in seconds.
wall_s() {
	sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$1" |
		awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }'
}
# rss_mb FILE: "Maximum resident set size" of /usr/bin/time -v, in MiB.
rss_mb() { sed -n 's/.*Maximum resident set size (kbytes): //p' "$1" | awk '{ printf "%.0f", $1 / 1024 }'; }
# metric FILE BENCH UNIT: the value before UNIT on BENCH's result line.
metric() {
	awk -v b="$2" -v u="$3" '$1 ~ "^"b"(-[0-9]+)?$" { for (i = 2; i <= NF; i++) if ($i == u) print $(i-1) }' "$1" | head -1
}
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == "" || b == 0 || a == "") print "n/a"; else printf "%.3f", a / b }'; }
ns_s() { awk -v n="$1" 'BEGIN { if (n == "") print "n/a"; else printf "%.3f", n / 1e9 }'; }
count_rules() { grep -o '"rule": *"' "$1" | wc -l | tr -d ' '; }

# --- 1. Go benchmarks ----------------------------------------------------------
GOBENCH=$R-gobench.txt
: >"$GOBENCH"
for b in BenchmarkLoad1M BenchmarkCheck1M BenchmarkCheckSameRules1M BenchmarkOPAEval1M; do
	say "go test -bench '^$b\$' -benchtime 1x"
	go test -run '^$' -bench "^$b\$" -benchtime 1x -count 1 -timeout 0 . 2>&1 | tee -a "$GOBENCH" >&2
done

# --- 2. corefence check, end to end --------------------------------------------
CF_TIME=$R-corefence-check.txt
policies=()
for p in "${PACKS[@]}"; do policies+=(--policy "$p"); done
CF_CMD=("$BIN/corefence" check --inventory "$NET" "${policies[@]}" --as-of "$AS_OF" --format json)
say "/usr/bin/time -v ${CF_CMD[*]} > /dev/null"
rc=0
/usr/bin/time -v "${CF_CMD[@]}" >/dev/null 2>"$CF_TIME" || rc=$?
if [ "$rc" -gt 1 ]; then # 1 means violations: the expected answer
	cat "$CF_TIME" >&2
	exit 1
fi

# --- 3. opa eval ---------------------------------------------------------------
# opa_eval DIR OUT: `opa eval` of the translation on DIR's input; exit 124 on timeout.
opa_eval() {
	local dir=$1 out=$2
	timeout "$OPA_TIMEOUT" /usr/bin/time -v "$BIN/opa" eval --metrics --format json \
		-d "$dir.rego" -d "$dir-params.json" -i "$dir-input.json" 'data.corefence.findings' \
		>"$DATA/opa-out.json" 2>"$out"
}
OPA_TIME=$R-opa-eval.txt
OPA_NOTE=""
OPA_NET=$NET
say "/usr/bin/time -v opa eval --metrics --format json -d $NET.rego -d $NET-params.json -i $NET-input.json 'data.corefence.findings'"
rc=0
opa_eval "$NET" "$OPA_TIME" || rc=$?
if [ "$rc" = 124 ]; then
	# Too slow at full size: measure a slice and extrapolate linearly.
	OPA_NET=$DATA/uk-slice-$SLICE_SITES
	say "opa eval took more than $OPA_TIMEOUT s: measuring a slice ($SLICE_SITES sites) instead"
	gen_bundle "$SLICE_SITES" "$OPA_NET"
	opa_files "$OPA_NET"
	rc=0
	opa_eval "$OPA_NET" "$OPA_TIME" || rc=$?
fi
if [ "$rc" != 0 ]; then
	cat "$OPA_TIME" >&2
	exit 1
fi
grep -o '"timer_[a-z_]*": *[0-9]*' "$DATA/opa-out.json" | tr -d '"' >"$R-opa-metrics.txt"
OPA_FINDINGS=$(count_rules "$DATA/opa-out.json")
rm -f "$DATA/opa-out.json"
opa_timer() { sed -n "s/^$1: *//p" "$R-opa-metrics.txt"; }
OPA_EVAL_S=$(ns_s "$(opa_timer timer_rego_query_eval_ns)")
OPA_WALL_S=$(wall_s "$OPA_TIME")
if [ "$OPA_NET" != "$NET" ]; then
	full=$(wc -l <"$NET/elements.csv")
	part=$(wc -l <"$OPA_NET/elements.csv")
	factor=$(awk -v f="$full" -v p="$part" 'BEGIN { printf "%.3f", (f - 1) / (p - 1) }')
	OPA_NOTE=" (EXTRAPOLATED: measured on $((part - 1)) elements, × $factor)"
	OPA_EVAL_S=$(awk -v s="$OPA_EVAL_S" -v f="$factor" 'BEGIN { printf "%.3f", s * f }')
	OPA_WALL_S=$(awk -v s="$OPA_WALL_S" -v f="$factor" 'BEGIN { printf "%.3f", s * f }')
fi

# --- 4. summary ----------------------------------------------------------------
LOAD_S=$(ns_s "$(metric "$GOBENCH" BenchmarkLoad1M ns/op)")
CHECK_S=$(ns_s "$(metric "$GOBENCH" BenchmarkCheck1M ns/op)")
SAME_S=$(ns_s "$(metric "$GOBENCH" BenchmarkCheckSameRules1M ns/op)")
OPA_IN_S=$(ns_s "$(metric "$GOBENCH" BenchmarkOPAEval1M ns/op)")
SUMMARY=$R-summary.txt
{
	printf 'corefence vs OPA %s — %s, %s UTC, %s cores\n' \
		"$(cd "$BENCH" && go list -m -f '{{.Version}}' github.com/open-policy-agent/opa)" "$(uname -m)" "$STAMP" "$(nproc)"
	printf 'network: %s — %s elements, %s sites; packs %s as of %s\n\n' "$NET" \
		"$(metric "$GOBENCH" BenchmarkLoad1M elements)" "$(metric "$GOBENCH" BenchmarkLoad1M sites)" "${PACKS[*]}" "$AS_OF"
	printf '%-58s %12s %14s  %s\n' "measure" "time" "peak RSS" "target"
	printf '%-58s %10s s %11s MB  %s\n' "corefence load (BenchmarkLoad1M)" "$LOAD_S" \
		"$(metric "$GOBENCH" BenchmarkLoad1M peak-RSS-MB)" "≤ 5 s"
	printf '%-58s %10s s %11s MB  %s\n' "corefence check, $(metric "$GOBENCH" BenchmarkCheck1M rules | awk '{ printf "%d", $1 }') rules (BenchmarkCheck1M)" "$CHECK_S" \
		"$(metric "$GOBENCH" BenchmarkCheck1M peak-RSS-MB)" "≤ 1 s (RSS includes the loaded inventory)"
	printf '%-58s %10s s %11s MB\n' "corefence check, same rules as OPA (BenchmarkCheckSameRules1M)" "$SAME_S" \
		"$(metric "$GOBENCH" BenchmarkCheckSameRules1M peak-RSS-MB)"
	printf '%-58s %10s s %11s MB  %s\n' "corefence check end to end (load + check + JSON), wall" "$(wall_s "$CF_TIME")" \
		"$(rss_mb "$CF_TIME")" "≤ 3 GB"
	printf '%-58s %10s s\n' "OPA input parse, in process (JSON → ast.Value)" "$(metric "$GOBENCH" BenchmarkOPAEval1M parse-s)"
	printf '%-58s %10s s %11s MB\n' "OPA eval, in process, prepared (BenchmarkOPAEval1M)" "$OPA_IN_S" \
		"$(metric "$GOBENCH" BenchmarkOPAEval1M peak-RSS-MB)"
	printf '%-58s %10s s%s\n' "opa eval: evaluation (timer_rego_query_eval_ns)" "$OPA_EVAL_S" "$OPA_NOTE"
	printf '%-58s %10s s %11s MB%s\n' "opa eval: wall (parse input + compile + eval + output)" "$OPA_WALL_S" "$(rss_mb "$OPA_TIME")" "$OPA_NOTE"
	printf '%-58s %10s s\n' "opa eval: all but evaluation (mostly parsing the input)" \
		"$(awk -v w="$OPA_WALL_S" -v e="$OPA_EVAL_S" 'BEGIN { printf "%.3f", w - e }')"
	printf '\nratio OPA evaluation / corefence check of the same rules (target ≥ 20):\n'
	printf '  opa eval metric / BenchmarkCheckSameRules1M: %s×\n' "$(div "$OPA_EVAL_S" "$SAME_S")"
	printf '  BenchmarkOPAEval1M / BenchmarkCheckSameRules1M: %s×\n' "$(div "$OPA_IN_S" "$SAME_S")"
	printf '  end to end, opa eval wall / corefence check wall: %s×\n' "$(div "$OPA_WALL_S" "$(wall_s "$CF_TIME")")"
	printf '\nfindings: opa eval %s' "$OPA_FINDINGS"
	grep -q 'cross-check at national scale' "$GOBENCH" &&
		printf '; in process: %s\n' "$(grep -o 'cross-check at national scale: .*' "$GOBENCH")" ||
		printf '; in process: corefence and OPA DISAGREE or were not compared — see %s\n' "$GOBENCH"
	printf '\ncommands:\n'
	printf '  go test -run '"'"'^$'"'"' -bench '"'"'^BenchmarkX$'"'"' -benchtime 1x (in bench/, one process per benchmark)\n'
	printf '  /usr/bin/time -v %s > /dev/null\n' "${CF_CMD[*]}"
	printf '  /usr/bin/time -v %s eval --metrics --format json -d %s.rego -d %s-params.json -i %s-input.json data.corefence.findings\n' \
		"$BIN/opa" "$OPA_NET" "$OPA_NET" "$OPA_NET"
} >"$SUMMARY"
cp "$SUMMARY" "$RESULTS/latest-summary.txt"
echo
cat "$SUMMARY"
echo
say "results: $R-*.txt (summary also in $RESULTS/latest-summary.txt)"
