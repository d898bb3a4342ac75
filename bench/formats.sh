#!/usr/bin/env bash
# One national network in every inventory format, loaded by the same binary
# in the same run: how much more a YAML or a JSON file costs than the CSV
# bundle (issue 15).
#
#   bench/formats.sh                       # 100,000 sites (about 0.97M elements), validate, 3 runs each
#   SITES=500000 bench/formats.sh          # about 4.9M elements
#   CMD=check bench/formats.sh             # check uk-dvd-2022 as of 2023-12-31 instead of validate
#
# 1. builds corefence into bench/bin;
# 2. generates the UK network (seed 1) once per format with `corefence gen`
#    into bench/data/formats-SITES/ (git-ignored): net-csv/, net.yaml,
#    net.json — the same network, as `gen` is deterministic;
# 3. runs `corefence validate --inventory …` (or check) on each format
#    under /usr/bin/time -v, REPEAT times (3), interleaving the formats so
#    that a change in the machine's load falls on all of them alike;
# 4. prints the median CPU time (user + sys), wall time and peak RSS per
#    format, and the YAML/CSV and JSON/CSV ratios of CPU time and peak RSS.
#
# Targets (issue 15): YAML and JSON at most 2× the CSV bundle's time and at
# most 2 GB peak memory at 1M elements; every format within 16 GB at 5M.
# On a shared machine compare the CPU-time ratios, not the wall times.
set -euo pipefail

cd "$(dirname "$0")"
BENCH=$(pwd)
ROOT=$(cd .. && pwd)

SITES=${SITES:-100000}
REPEAT=${REPEAT:-3}
CMD=${CMD:-validate}
BIN=$BENCH/bin
DATA=$BENCH/data/formats-$SITES
mkdir -p "$BIN" "$DATA"

say() { printf '== %s\n' "$*" >&2; }

if [ ! -x /usr/bin/time ]; then
	echo "formats.sh: /usr/bin/time is missing: install the Debian package time" >&2
	exit 2
fi

say "building corefence"
(cd "$ROOT" && go build -o "$BIN/corefence" ./cmd/corefence)
CF=$BIN/corefence

declare -A INPUT=([csv]=$DATA/net-csv [yaml]=$DATA/net.yaml [json]=$DATA/net.json)
for f in csv yaml json; do
	if [ ! -e "${INPUT[$f]}" ]; then
		say "generating $SITES sites as $f"
		"$CF" gen --country gb --sites "$SITES" --seed 1 --format "$f" --out "${INPUT[$f]}" -q
	fi
done

run() { # format → "cpu wall rss" of one run
	local args=(validate --inventory "${INPUT[$1]}" -q)
	if [ "$CMD" = check ]; then
		args=(check --inventory "${INPUT[$1]}" --policy uk-dvd-2022 --as-of 2023-12-31 --format json --fail-on never -q)
	fi
	local out
	out=$(mktemp)
	/usr/bin/time -v "$CF" "${args[@]}" >/dev/null 2>"$out" || {
		cat "$out" >&2
		rm -f "$out"
		exit 1
	}
	awk -F': ' '
		/User time/ {u=$2} /System time/ {s=$2} /Maximum resident/ {r=$2}
		/Elapsed \(wall clock\)/ {n=split($2, p, ":"); w=0; for (i=1; i<=n; i++) w=w*60+p[i]}
		END {printf "%.2f %.2f %d\n", u+s, w, r}' "$out"
	rm -f "$out"
}

declare -A RUNS
for i in $(seq "$REPEAT"); do
	for f in csv yaml json; do
		say "run $i/$REPEAT: $CMD $f"
		RUNS[$f]+="$(run "$f")"$'\n'
	done
done

median() { # column → median of the runs of a format read on stdin
	awk -v c="$1" 'NF {print $c}' | sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'
}

echo "corefence $CMD, $SITES sites (seed 1), $REPEAT runs each, medians; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-5s %10s %10s %12s\n' format cpu-s wall-s peak-rss-MB
declare -A CPU RSS
for f in csv yaml json; do
	CPU[$f]=$(printf '%s' "${RUNS[$f]}" | median 1)
	RSS[$f]=$(printf '%s' "${RUNS[$f]}" | median 3)
	printf '%-5s %10s %10s %12d\n' "$f" "${CPU[$f]}" "$(printf '%s' "${RUNS[$f]}" | median 2)" $((${RSS[$f]%.*} / 1024))
done
for f in yaml json; do
	awk -v f="$f" -v c="${CPU[$f]}" -v cc="${CPU[csv]}" -v r="${RSS[$f]}" -v rc="${RSS[csv]}" \
		'BEGIN {printf "%s/csv: cpu %.2fx, peak rss %.2fx\n", f, c/cc, r/rc}'
done
