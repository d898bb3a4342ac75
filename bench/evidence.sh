#!/usr/bin/env bash
# What signing evidence costs at national scale (issue 10), measured in one
# run so that the ratios do not depend on the machine:
#
#   bench/evidence.sh          # everything below
#   bench/evidence.sh verify   # steps 1 and 3 only (one attest to prove from)
#
# 1. builds corefence and makes the 1M-element UK network once (the data of
#    bench_test.go, bench/data/uk-1m, git-ignored);
# 2. runs `corefence check` and `corefence attest` on it alternately, RUNS
#    times each (same packs, date and output kind: check writes its table,
#    attest its envelope), and reports the medians and attest's overhead
#    (target: at most 20% of check);
# 3. proves one site and times verifying it end to end, process start
#    included (target: under 10 ms), with the stand-alone verifier
#    (`corefence-verify --attestation --trust --proof`) and with `corefence
#    verify` (the same flags, the same work), in VERIFY_RUNS rounds that
#    also start `corefence version` (starting the corefence binary,
#    nothing else) and a hello-world Go binary (the floor of starting any
#    Go process), with bench/cmd/starttime: median and 90th percentile of
#    wall and CPU time, microsecond CPU times from the children's resource
#    usage;
# 4. runs the Go benchmarks BenchmarkAttest1M (the phases, in process) and
#    BenchmarkVerifyProof1M (verify --proof's work alone).
#
# Environment: RUNS (3), VERIFY_RUNS (100).
set -euo pipefail
cd "$(dirname "$0")"
BENCH=$(pwd)
ROOT=$(cd .. && pwd)
MODE=${1:-all}
case "$MODE" in
all | verify) ;;
*)
	echo "usage: bench/evidence.sh [all|verify]" >&2
	exit 2
	;;
esac
RUNS=${RUNS:-3}
VERIFY_RUNS=${VERIFY_RUNS:-100}
AS_OF=2023-12-31
PACKS=(--policy uk-dvd-2022 --policy uk-2020-ncsc)
BIN=$BENCH/bin
NET=$BENCH/data/uk-1m
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$BIN" "$BENCH/results"
OUT=$BENCH/results/evidence-$(date -u +%Y%m%dT%H%M%SZ).txt
say() { printf '== %s\n' "$*" >&2; }

say "building corefence, corefence-verify and benchdata"
(cd "$ROOT" && go build -o "$BIN/corefence" ./cmd/corefence && go build -o "$BIN/corefence-verify" ./cmd/corefence-verify)
go build -o "$BIN/benchdata" ./cmd/benchdata
go build -o "$BIN/starttime" ./cmd/starttime
go build -o "$BIN/hello" ./cmd/hello
if ! "$BIN/benchdata" fresh -out "$NET" -sites 100000 -seed 1; then
	say "generating $NET"
	"$BIN/benchdata" gen -out "$NET" -sites 100000 -seed 1
fi
CF=$BIN/corefence
CFV=$BIN/corefence-verify

# seconds CMD...: "WALL CPU" of one run, in seconds, CPU being user +
# system time (exit 1 is an answer, not a failure). On a shared machine the
# CPU time is the steadier of the two; both are reported.
# The wall time comes from the nanosecond clock (time's %e has only 10 ms
# resolution), the CPU time from /usr/bin/time.
seconds() {
	local rc=0 start end
	start=$(date +%s%N)
	/usr/bin/time -f '%U %S' -o "$WORK/time" "$@" >/dev/null 2>&1 || rc=$?
	end=$(date +%s%N)
	if [ "$rc" -gt 1 ]; then
		echo "failed ($rc): $*" >&2
		exit 1
	fi
	tail -1 "$WORK/time" | awk -v ns=$((end - start)) '{ printf "%.4f %.3f\n", ns / 1e9, $1 + $2 }'
}
# median COLUMN: the median of a column of "WALL CPU" lines.
median() { awk -v c="$1" '{ print $c }' | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

"$CF" keygen --out "$WORK/regulator" >/dev/null
checks=() attests=()
if [ "$MODE" = verify ]; then
	RUNS=0
	say "attesting once, to prove a site from"
	"$CF" attest --inventory "$NET" "${PACKS[@]}" --as-of "$AS_OF" --key "$WORK/regulator.key" --out "$WORK/att.json" >/dev/null || [ $? -eq 1 ]
fi
for i in $(seq "$RUNS"); do
	say "run $i of $RUNS: check, then attest"
	checks+=("$(seconds "$CF" check --inventory "$NET" "${PACKS[@]}" --as-of "$AS_OF")")
	rm -f "$WORK/att.json" "$WORK/att.json.seed"
	attests+=("$(seconds "$CF" attest --inventory "$NET" "${PACKS[@]}" --as-of "$AS_OF" --key "$WORK/regulator.key" --out "$WORK/att.json")")
done
if [ "$RUNS" -gt 0 ]; then
	check_s=$(printf '%s\n' "${checks[@]}" | median 1)
	attest_s=$(printf '%s\n' "${attests[@]}" | median 1)
	check_cpu=$(printf '%s\n' "${checks[@]}" | median 2)
	attest_cpu=$(printf '%s\n' "${attests[@]}" | median 2)
fi

site=$(awk -F, 'NR == 2 { print $1 }' "$NET/sites.csv")
say "proving site $site"
"$CF" prove --inventory "$NET" --attestation "$WORK/att.json" --site "$site" --out "$WORK/site.proof" >/dev/null
"$CFV" --attestation "$WORK/att.json" --trust "$WORK/regulator.pub" --proof "$WORK/site.proof" | tail -1 >&2
# Both verifiers must give the same answer before either is timed.
if ! cmp -s <("$CFV" --attestation "$WORK/att.json" --trust "$WORK/regulator.pub" --proof "$WORK/site.proof") \
	<("$CF" verify --attestation "$WORK/att.json" --trust "$WORK/regulator.pub" --proof "$WORK/site.proof"); then
	echo "corefence-verify and corefence verify disagree" >&2
	exit 1
fi
say "starting corefence-verify, corefence verify, corefence version and hello, $VERIFY_RUNS rounds"
START=$WORK/start.txt
"$BIN/starttime" -runs "$VERIFY_RUNS" \
	"corefence-verify=$CFV --attestation $WORK/att.json --trust $WORK/regulator.pub --proof $WORK/site.proof" \
	"verify=$CF verify --attestation $WORK/att.json --trust $WORK/regulator.pub --proof $WORK/site.proof" \
	"version=$CF version" "hello=$BIN/hello" >"$START"

GOB=$WORK/gobench.txt
: >"$GOB"
if [ "$MODE" = all ]; then
	say "Go benchmarks"
	go test -run '^$' -bench '^BenchmarkAttest1M$' -benchtime 2x -count 1 -timeout 0 . 2>&1 | tee "$GOB" >&2
	go test -run '^$' -bench '^BenchmarkVerifyProof1M$' -count 1 -timeout 0 . 2>&1 | tee -a "$GOB" >&2
fi

{
	echo "evidence at national scale, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(go version | awk '{print $3}')"
	echo "network: $NET ($(($(wc -l <"$NET/elements.csv") - 1)) elements, $(($(wc -l <"$NET/sites.csv") - 1)) sites)"
	echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
	if [ "$RUNS" -gt 0 ]; then
		echo "corefence check, median of $RUNS:   wall ${check_s} s, CPU ${check_cpu} s   (runs, wall CPU: $(printf '%s; ' "${checks[@]}"))"
		echo "corefence attest, median of $RUNS:  wall ${attest_s} s, CPU ${attest_cpu} s   (runs, wall CPU: $(printf '%s; ' "${attests[@]}"))"
		awk -v a="$attest_s" -v c="$check_s" -v ac="$attest_cpu" -v cc="$check_cpu" \
			'BEGIN { printf "attest adds %.1f%% to check in wall time, %.1f%% in CPU time (target: at most 20%%)\n", 100 * (a - c) / c, 100 * (ac - cc) / cc }'
	fi
	echo "verifying a site proof end to end, process start included (target: under 10 ms): corefence-verify --proof and corefence verify --proof, next to corefence version (starting the corefence binary, nothing else) and a hello-world Go binary, $VERIFY_RUNS rounds:"
	cat "$START"
	grep -E '^Benchmark(Attest|VerifyProof)1M' "$GOB" || true
} | tee "$OUT"
say "written to $OUT"
