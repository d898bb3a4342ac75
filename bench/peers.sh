#!/usr/bin/env bash
# corefence against a hand-written, idiomatic Rego peer, end to end from
# files, in one run.
#
#   bench/peers.sh            # the national network: 100,000 RAN sites, ~1M elements
#   SITES=10000 bench/peers.sh
#
# The peer (bench/peers/two-rules.rego) implements two rules — designated
# vendors out of the core, and designated equipment at no more than 35% of
# each operator's access sites — with corefence's semantics, and
# bench/peers/two-rules.yaml is the same two rules as a corefence pack.
# OPA reads the network as one corefence/v1 JSON file (the format an
# operator would hand it); corefence reads the same network as a CSV
# bundle. Lookups the Rego needs that are not in the inventory — function →
# domain, vendor spelling → group, the designated groups — are written once
# by bench/peers/prepare.py from corefence's own answers, outside the
# timing; the site → operator map is built in Rego. Both answers are
# compared (the same core violations, the same operators over the cap with
# the same counts) before any time is reported.
#
# The CSV peer: bench/csvpeer.py scans the same bundle with Python's
# csv.reader (C), touching every field of every row and nothing else — the
# floor of reading these files in a scripting language.
#
# Measured under /usr/bin/time -v, each in its own process:
#   corefence check --inventory BUNDLE --policy two-rules.yaml --format json
#   python3 csvpeer.py BUNDLE                                  (REPEAT times, as corefence)
#   opa eval --format json -d two-rules.rego -d peerdata.json -i NETWORK.json data.peer.findings
# corefence and the CSV peer run REPEAT times (3), alternating, and their
# medians are reported; OPA, which takes minutes, runs once. Both wall
# clock and CPU time (user + sys) are given: on a shared machine the CPU
# time is the steadier figure, the wall clock the one a user waits for.
# Targets (issue 15): corefence at least 20 times faster than OPA end to
# end; corefence's load + check within 2 times the CSV peer's scan.
set -euo pipefail
cd "$(dirname "$0")"
BENCH=$(pwd)
ROOT=$(cd .. && pwd)
SITES=${SITES:-100000}
REPEAT=${REPEAT:-3}
SEED=1
AS_OF=2023-12-31
BIN=$BENCH/bin DATA=$BENCH/data RESULTS=$BENCH/results
mkdir -p "$BIN" "$DATA" "$RESULTS"
R=$RESULTS/peers-$(date -u +%Y%m%dT%H%M%SZ)
say() { printf '== %s\n' "$*" >&2; }

command -v /usr/bin/time >/dev/null || { echo "peers.sh: install the Debian package time" >&2; exit 2; }
say "building corefence and opa"
(cd "$ROOT" && go build -o "$BIN/corefence" ./cmd/corefence)
go build -o "$BIN/opa" github.com/open-policy-agent/opa

NET=$DATA/peers-uk-$SITES
if [ ! -s "$NET.json" ] || [ ! -s "$NET/elements.csv" ]; then
	say "generating the UK network ($SITES sites, seed $SEED) as a CSV bundle and as one JSON file"
	rm -rf "$NET" "$NET.json"
	"$BIN/corefence" gen --country gb --sites "$SITES" --seed "$SEED" --format csv --out "$NET"
	"$BIN/corefence" gen --country gb --sites "$SITES" --seed "$SEED" --format json --out "$NET.json"
fi
say "writing the peer's lookups"
"$BIN/corefence" validate --inventory "$NET" --format json >"$R-validate.json"
"$BIN/corefence" functions --format json >"$R-functions.json"
python3 peers/prepare.py data "$R-validate.json" "$R-functions.json" huawei zte >"$NET-peerdata.json"

wall_s() {
	sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$1" |
		awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }'
}
rss_mb() { sed -n 's/.*Maximum resident set size (kbytes): //p' "$1" | awk '{ printf "%.0f", $1 / 1024 }'; }
cpu_s() {
	awk -F': ' '/User time \(seconds\)|System time \(seconds\)/ { s += $2 } END { printf "%.2f", s }' "$1"
}
# median FIGURE FILES…: the median of one figure (wall_s, cpu_s, rss_mb) over runs.
median() {
	local f=$1
	shift
	for t in "$@"; do "$f" "$t" && echo; done | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

CF_RUNS=() PY_RUNS=()
for i in $(seq "$REPEAT"); do
	say "corefence check (CSV bundle), run $i of $REPEAT"
	rc=0
	/usr/bin/time -v "$BIN/corefence" check --inventory "$NET" --policy peers/two-rules.yaml --as-of "$AS_OF" \
		--format json >"$R-corefence.json" 2>"$R-corefence-time-$i.txt" || rc=$?
	[ "$rc" -le 1 ] || { cat "$R-corefence-time-$i.txt" >&2; exit 1; }
	CF_RUNS+=("$R-corefence-time-$i.txt")
	say "python3 csv.reader scan of the same bundle, run $i of $REPEAT"
	/usr/bin/time -v python3 csvpeer.py "$NET" >"$R-csvpeer.txt" 2>"$R-csvpeer-time-$i.txt" ||
		{ cat "$R-csvpeer-time-$i.txt" >&2; exit 1; }
	PY_RUNS+=("$R-csvpeer-time-$i.txt")
done
say "opa eval (JSON file)"
/usr/bin/time -v "$BIN/opa" eval --format json -d peers/two-rules.rego -d "$NET-peerdata.json" -i "$NET.json" \
	'data.peer.findings' >"$R-opa.json" 2>"$R-opa-time.txt" || { cat "$R-opa-time.txt" >&2; exit 1; }

say "comparing the answers"
python3 peers/prepare.py compare "$R-corefence.json" "$R-opa.json" | tee "$R-answers.txt"

CF=$(median wall_s "${CF_RUNS[@]}") OPA=$(wall_s "$R-opa-time.txt") PY=$(median wall_s "${PY_RUNS[@]}")
CF_CPU=$(median cpu_s "${CF_RUNS[@]}") OPA_CPU=$(cpu_s "$R-opa-time.txt") PY_CPU=$(median cpu_s "${PY_RUNS[@]}")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
{
	printf 'corefence vs hand-written Rego (opa %s), %s elements, %s sites, %s cores, %s UTC\n' \
		"$("$BIN/opa" version | sed -n 's/^Version: //p')" "$(($(wc -l <"$NET/elements.csv") - 1))" \
		"$(($(wc -l <"$NET/sites.csv") - 1))" "$(nproc)" "$(date -u +%FT%T)"
	printf 'load: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
	printf '%-48s %9s %9s %9s\n' "" "wall s" "CPU s" "peak MB"
	printf '%-48s %9s %9s %9s\n' "corefence check, CSV bundle (median of $REPEAT)" "$CF" "$CF_CPU" "$(median rss_mb "${CF_RUNS[@]}")"
	printf '%-48s %9s %9s %9s\n' "python3 csv.reader scan (median of $REPEAT)" "$PY" "$PY_CPU" "$(median rss_mb "${PY_RUNS[@]}")"
	printf '%-48s %9s %9s %9s\n' "opa eval, one JSON file" "$OPA" "$OPA_CPU" "$(rss_mb "$R-opa-time.txt")"
	printf 'ratio opa / corefence: %s× wall, %s× CPU (target ≥ 20)\n' "$(ratio "$OPA" "$CF")" "$(ratio "$OPA_CPU" "$CF_CPU")"
	printf 'ratio corefence / csv.reader: %s× wall, %s× CPU (target ≤ 2)\n' "$(ratio "$CF" "$PY")" "$(ratio "$CF_CPU" "$PY_CPU")"
	printf 'csv.reader read: %s\n' "$(cat "$R-csvpeer.txt")"
	cat "$R-answers.txt"
} | tee "$R-summary.txt"
