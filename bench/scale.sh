#!/usr/bin/env bash
# Linear growth, shown (issue 15): CPU time and peak resident memory of
# gen, validate (load), check, exposure and demo against inventory size,
# in CSV, YAML and JSON, then a log-log chart with the slope of each line
# (bench/cmd/scaleplot; 1 = linear).
#
# Usage: bench/scale.sh [-sites "10000 25000 …"] [-ceiling-gb N] [-timeout S] [-out DIR]
#   -sites       RAN sites per size (about 9.7 elements each in the UK):
#                default "10000 25000 50000 100000" (≈ 100k to 1M elements);
#                add 200000 and 500000 for 2M and 5M where memory allows
#   -ceiling-gb  address-space ceiling of each run (ulimit -v), default 16:
#                a run that needs more fails, is recorded as such, and the
#                larger sizes of its stage and format are skipped
#   -timeout     seconds per run, default 1800; the same applies on expiry
#   -out         where results.tsv, fits.md and scaling.svg go (default
#                bench/results/scale); the data go in a temporary directory
#
# Each run is one process under /usr/bin/time: CPU = user + system
# seconds, memory = maximum resident set size. The chart and the fits
# depend on those figures only; wall time is not used (the machine may be
# shared). Needs Go and GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."

sites="10000 25000 50000 100000"
ceiling=16
timeout_s=1800
out=bench/results/scale
while [ $# -gt 0 ]; do
  case $1 in
    -sites) sites=$2; shift 2 ;;
    -ceiling-gb) ceiling=$2; shift 2 ;;
    -timeout) timeout_s=$2; shift 2 ;;
    -out) out=$2; shift 2 ;;
    *) echo "usage: bench/scale.sh [-sites \"N …\"] [-ceiling-gb N] [-timeout S] [-out DIR]" >&2; exit 2 ;;
  esac
done
[ -x /usr/bin/time ] || { echo "scale.sh: needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 2; }

say() { printf '== %s\n' "$*" >&2; }
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/corefence" ./cmd/corefence
(cd bench && go build -o "$tmp/scaleplot" ./cmd/scaleplot)
say "$(go version); $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg); ceiling ${ceiling} GB, ${timeout_s} s per run"

results=$out/results.tsv
printf 'stage\tformat\telements\tcpu_s\trss_mb\tstatus\n' > "$results"
declare -A failed # stage/format that failed at a smaller size

# measure STAGE FORMAT ELEMENTS CMD…: one run, bounded, recorded.
measure() {
  local stage=$1 format=$2 n=$3
  shift 3
  if [ -n "${failed[$stage/$format]:-}" ]; then
    printf '%s\t%s\t%s\t-\t-\tskipped: %s at a smaller size\n' "$stage" "$format" "$n" "${failed[$stage/$format]}" >> "$results"
    return 1
  fi
  local rc=0
  ( ulimit -v $((ceiling * 1024 * 1024)); exec timeout "$timeout_s" /usr/bin/time -f '%U %S %M' -o "$tmp/time" "$@" ) \
    > "$tmp/stdout" 2> "$tmp/stderr" || rc=$?
  local why=""
  case $rc in
    0) ;;
    124) why="over ${timeout_s} s" ;;
    *) why="failed (exit $rc; ceiling ${ceiling} GB): $(grep -v '^\[' "$tmp/stderr" | grep -v 'Command exited' | tail -1 | tr '\t' ' ' | cut -c1-120)" ;;
  esac
  if [ -n "$why" ]; then
    failed[$stage/$format]=$why
    printf '%s\t%s\t%s\t-\t-\t%s\n' "$stage" "$format" "$n" "$why" >> "$results"
    say "$stage $format $n: $why"
    return 1
  fi
  read -r user sys rss_kb < <(tail -1 "$tmp/time")
  local cpu rss
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
  rss=$(awk -v k="$rss_kb" 'BEGIN { printf "%.0f", k / 1024 }')
  printf '%s\t%s\t%s\t%s\t%s\tok\n' "$stage" "$format" "$n" "$cpu" "$rss" >> "$results"
  say "$stage $format $n elements: ${cpu} s CPU, ${rss} MB"
}

cf=$tmp/corefence
policies=(--policy uk-2020-07 --policy eu-5g-toolbox --as-of 2024-01-01 --fail-on never)
for s in $sites; do
  # The element count of this size (the same in every format: the
  # generator is deterministic).
  n=$("$cf" gen --country gb --sites "$s" --seed 1 --format csv --out "$tmp/count" --force 2>&1 >/dev/null \
    | sed -n 's/^generated [0-9]* operators, [0-9]* sites, \([0-9]*\) elements.*/\1/p')
  rm -rf "$tmp/count"
  [ -n "$n" ] || { echo "scale.sh: cannot tell the element count of $s sites" >&2; exit 1; }
  for format in csv yaml json; do
    case $format in
      csv) inv=$tmp/net-$s ;;
      *) inv=$tmp/net-$s.$format ;;
    esac
    if measure gen "$format" "$n" "$cf" gen --country gb --sites "$s" --seed 1 --format "$format" --out "$inv" --force; then
      measure validate "$format" "$n" "$cf" validate --inventory "$inv" || true
      measure check "$format" "$n" "$cf" check --inventory "$inv" "${policies[@]}" --format json || true
      measure exposure "$format" "$n" "$cf" exposure --inventory "$inv" --format json || true
    fi
    rm -rf "$inv"
  done
  # The demo generates its own network (in memory) of this many sites,
  # checks it at several dates, plans and writes its report; its seed is
  # its own, so its element count is read from the inventory it writes.
  if measure demo - "$n" "$cf" demo --sites "$s" --out "$tmp/demo" --force; then
    d=$(($(wc -l < "$tmp/demo/inventory/elements.csv") - 1))
    sed -i "\$ s/^demo\t-\t[0-9]*\t/demo\t-\t$d\t/" "$results"
  fi
  rm -rf "$tmp/demo"
done

"$tmp/scaleplot" -in "$results" -out "$out/scaling.svg" | tee "$out/fits.md"
say "wrote $results, $out/fits.md and $out/scaling.svg"
