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
# Measured under /usr/bin/time -v, each in its own process:
#   corefence check --inventory BUNDLE --policy two-rules.yaml --format json
#   opa eval --format json -d two-rules.rego -d peerdata.json -i NETWORK.json data.peer.findings
# Target (issue): corefence at least 20 times faster end to end.
set -euo pipefail
cd "$(dirname "$0")"
BENCH=$(pwd)
ROOT=$(cd .. && pwd)
SITES=${SITES:-100000}
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

say "corefence check (CSV bundle)"
rc=0
/usr/bin/time -v "$BIN/corefence" check --inventory "$NET" --policy peers/two-rules.yaml --as-of "$AS_OF" \
	--format json >"$R-corefence.json" 2>"$R-corefence-time.txt" || rc=$?
[ "$rc" -le 1 ] || { cat "$R-corefence-time.txt" >&2; exit 1; }
say "opa eval (JSON file)"
/usr/bin/time -v "$BIN/opa" eval --format json -d peers/two-rules.rego -d "$NET-peerdata.json" -i "$NET.json" \
	'data.peer.findings' >"$R-opa.json" 2>"$R-opa-time.txt" || { cat "$R-opa-time.txt" >&2; exit 1; }

say "comparing the answers"
python3 peers/prepare.py compare "$R-corefence.json" "$R-opa.json" | tee "$R-answers.txt"

CF=$(wall_s "$R-corefence-time.txt") OPA=$(wall_s "$R-opa-time.txt")
{
	printf 'corefence vs hand-written Rego (opa %s), %s elements, %s sites, %s cores, %s UTC\n' \
		"$("$BIN/opa" version | sed -n 's/^Version: //p')" "$(($(wc -l <"$NET/elements.csv") - 1))" \
		"$(($(wc -l <"$NET/sites.csv") - 1))" "$(nproc)" "$(date -u +%FT%T)"
	printf '%-52s %9s s %8s MB\n' "corefence check, CSV bundle, end to end" "$CF" "$(rss_mb "$R-corefence-time.txt")"
	printf '%-52s %9s s %8s MB\n' "opa eval, one JSON file, end to end" "$OPA" "$(rss_mb "$R-opa-time.txt")"
	printf 'ratio opa / corefence: %s× (target ≥ 20)\n' "$(awk -v a="$OPA" -v b="$CF" 'BEGIN { printf "%.1f", a / b }')"
	cat "$R-answers.txt"
} | tee "$R-summary.txt"
