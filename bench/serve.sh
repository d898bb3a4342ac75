#!/usr/bin/env bash
# corefence serve at national scale, on loopback (issue 11, acceptance 4).
#
#   bench/serve.sh
#
# Builds corefence and serveload, generates the UK network once (the same
# bench/data/uk-1m as run.sh: 100,000 RAN sites, seed 1, about 1M elements
# in four operators), then runs cmd/serveload: ingest through the API
# against sqlite3's .import of the same CSV files, a check of each
# operator, and CLIENTS concurrent readers for DURATION. Prints the result
# as JSON, also written to bench/results/.
#
# Environment: CLIENTS (200), DURATION (60s; 0 measures the ingest
# alone), SITES (100000), REPEAT (1: times the ingest and sqlite3's import
# alternate, medians reported), SWEEP (other client counts loaded first,
# e.g. 25,50,100, SWEEP_DURATION each, 20s), PROFILE (a directory: the
# server's CPU and heap profiles go there, through serve --pprof on
# loopback), WRK (1: the main load is run a second time from wrk, the C
# load generator, whose clients cost the shared machine far less CPU than
# the Go clients; 0 skips it).
# Needs the sqlite3 command-line tool (Debian package sqlite3) and wrk
# (Debian package wrk); both are installed when missing and run as root.
set -euo pipefail
cd "$(dirname "$0")"
BENCH=$(pwd)
ROOT=$(cd .. && pwd)
SITES=${SITES:-100000}
CLIENTS=${CLIENTS:-200}
DURATION=${DURATION:-60s}
REPEAT=${REPEAT:-1}
SWEEP=${SWEEP:-}
SWEEP_DURATION=${SWEEP_DURATION:-20s}
PROFILE=${PROFILE:-}
WRK=${WRK:-1}
mkdir -p bin data results
say() { printf '== %s\n' "$*" >&2; }

if ! command -v sqlite3 >/dev/null; then
	if [ "$(id -u)" = 0 ]; then
		say "installing sqlite3"
		apt-get update -qq && apt-get install -y -qq sqlite3 >/dev/null
	else
		echo "serve.sh: the sqlite3 command-line tool is missing: install the Debian package sqlite3" >&2
		exit 2
	fi
fi
if [ "$WRK" = 1 ] && ! command -v wrk >/dev/null; then
	if [ "$(id -u)" = 0 ]; then
		say "installing wrk"
		apt-get update -qq && apt-get install -y -qq wrk >/dev/null
	else
		echo "serve.sh: wrk is missing: install the Debian package wrk, or set WRK=0" >&2
		exit 2
	fi
fi
WRK_BIN=
[ "$WRK" = 1 ] && WRK_BIN=$(command -v wrk)
(cd "$ROOT" && go build -o "$BENCH/bin/corefence" ./cmd/corefence)
go build -o bin/serveload ./cmd/serveload
go build -o bin/benchdata ./cmd/benchdata

NET=data/uk-1m
[ "$SITES" = 100000 ] || NET=data/uk-$SITES
if ! bin/benchdata fresh -out "$NET" -sites "$SITES" -seed 1; then
	say "generating $NET ($SITES sites, seed 1)"
	rm -rf "$NET.tmp"
	bin/corefence gen --country gb --sites "$SITES" --seed 1 --format csv --out "$NET.tmp"
	bin/benchdata mark -out "$NET.tmp" -sites "$SITES" -seed 1
	rm -rf "$NET" && mv "$NET.tmp" "$NET"
fi
OUT=results/$(date -u +%Y%m%dT%H%M%SZ)-serve.json
say "serveload: $CLIENTS clients for $DURATION on $NET"
bin/serveload -corefence bin/corefence -bundle "$NET" -work results/serve \
	-clients "$CLIENTS" -duration "$DURATION" -repeat "$REPEAT" -sweep "$SWEEP" \
	-sweep-duration "$SWEEP_DURATION" -profile "$PROFILE" -wrk "$WRK_BIN" >"$OUT" 2>"$OUT.log" || { cat "$OUT.log" >&2; exit 1; }
cat "$OUT"
say "written to bench/$OUT"
rm -rf results/serve
