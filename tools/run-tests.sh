#!/bin/sh
# Run every test suite and print one summary line:  N passed, M failed[, K skipped]
#
#   build/tests/test_*   cmocka unit tests (built by `make unit` / `make test`)
#   tests/lab            pytest lab tests (start real iosim processes)
#
# Exit status is non-zero when anything failed, or when no test ran at all.
# Each suite runs under timeout(1): a hung suite counts as one failure.
# Environment: UNIT_TIMEOUT, LAB_TIMEOUT (seconds, each pytest run), LAB_JOBS (lab
# test files run at once, default 2, with pytest-xdist), LAB_SERIAL (lab test files
# run afterwards, alone), PYTEST_ARGS (extra pytest args,
# e.g. -kpaste), LAB_LOG=FILE (keep the full pytest output).
set -u
cd "$(dirname "$0")/.." || exit 2

UNIT_TIMEOUT=${UNIT_TIMEOUT:-120}
LAB_TIMEOUT=${LAB_TIMEOUT:-2400}
PYTHON=/usr/bin/python3

passed=0 failed=0 skipped=0
log=$(mktemp -d "${TMPDIR:-/tmp}/iosim-tests.XXXXXX") || exit 2
trap 'rm -rf "$log"' EXIT INT TERM

# Sum the numbers captured by a sed expression over a file (0 if none).
sum() {
	sed -n "$1" "$2" | awk '{ s += $1 } END { print s + 0 }'
}

# ---- unit tests (cmocka) ------------------------------------------------------
for t in build/tests/test_*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	name=$(basename "$t")
	out="$log/$name.out"
	timeout -k 5 "$UNIT_TIMEOUT" "$t" >"$out" 2>&1
	rc=$?
	p=$(sum 's/^\[  PASSED  \] \([0-9][0-9]*\) test(s)\..*/\1/p' "$out")
	f=$(sum 's/^\[  FAILED  \] \([0-9][0-9]*\) test(s), listed below:.*/\1/p' "$out")
	s=$(sum 's/^\[  SKIPPED \] \([0-9][0-9]*\) test(s), listed below:.*/\1/p' "$out")
	note=""
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		note=" (timed out after ${UNIT_TIMEOUT}s)"; f=$((f + 1))
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		# crashed, sanitizer report or leak at exit after the summary
		note=" (exit status $rc)"; f=$((f + 1))
	fi
	if grep -q -e 'ERROR: AddressSanitizer' -e 'ERROR: LeakSanitizer' \
	        -e 'runtime error:' "$out" && [ "$note" = "" ] && [ "$f" -eq 0 ]; then
		note=" (sanitizer report)"; f=$((f + 1))
	fi
	echo "unit $name: $p passed, $f failed${note}"
	if [ "$f" -gt 0 ]; then
		sed -n -e '/^\[  FAILED  \]/p' -e '/^\[  ERROR   \]/p' \
		       -e '/ERROR: AddressSanitizer/,+3p' -e '/runtime error:/p' "$out" |
			head -n 40 | sed 's/^/    /'
		[ -n "$note" ] && tail -n 15 "$out" | sed 's/^/    | /'
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
done

# ---- lab tests (pytest) --------------------------------------------------------
# Lab tests mostly wait (HSRP hold times, reloads, bulk syncs): the files run
# two at a time when pytest-xdist is there, each file whole in one worker
# (its module fixtures and its order kept); LAB_JOBS=1 runs one at a time.
# The files in LAB_SERIAL run after them, alone: their SSO pairs over veth
# time reloads and re-associations that a second lab beside them on a
# 2-core machine stretched past their bounds.
LAB_SERIAL=${LAB_SERIAL:-tests/lab/test_sso.py}

# lab_run NAME PYTEST-ARGS...: one pytest run, its summary lines, the counts
# added to the totals.
lab_run() {
	name=$1
	shift
	out="$log/lab-$(echo "$name" | tr / -).out"
	PYTHONDONTWRITEBYTECODE=1 timeout -k 10 "$LAB_TIMEOUT" \
		"$PYTHON" -m pytest -q -rA -p no:cacheprovider ${PYTEST_ARGS:-} "$@" \
		>"$out" 2>&1
	rc=$?
	# The summary is the last line naming counts, e.g.
	# "3 failed, 120 passed, 2 skipped, 1 error in 12.34s"
	line=$(grep -E '[0-9]+ (passed|failed|errors?|skipped|xfailed|xpassed|deselected)' "$out" |
		grep -E ' in [0-9.]+s' | tail -n 1)
	count() { echo "$line" | sed -n "s/.*\b\([0-9][0-9]*\) $1\b.*/\1/p" | head -n 1; }
	p=$(count passed); f=$(count failed); e=$(count 'errors\{0,1\}')
	s=$(count skipped); xf=$(count xfailed); xp=$(count xpassed)
	p=${p:-0} f=${f:-0} e=${e:-0} s=${s:-0} xf=${xf:-0} xp=${xp:-0}
	note=""
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		note=" (timed out after ${LAB_TIMEOUT}s)"; f=$((f + 1))
	elif [ -z "$line" ] && [ "$rc" -ne 5 ]; then
		note=" (pytest exit status $rc, no summary)"; f=$((f + 1))
	elif [ "$rc" -ne 0 ] && [ "$rc" -ne 5 ] && [ $((f + e)) -eq 0 ]; then
		note=" (pytest exit status $rc)"; f=$((f + 1))
	fi
	# xpassed: a test expected to fail passed, treat as pass; xfailed as skipped.
	p=$((p + xp)) s=$((s + xf)) f=$((f + e))
	echo "lab $name: $p passed, $f failed${s:+, $s skipped}${note}" |
		sed 's/, 0 skipped//'
	# Per file, from the -rA summary ("PASSED tests/lab/x.py::test[id]").
	sed -n 's/^\(PASSED\|FAILED\|ERROR\) \(tests\/lab\/[^:]*\)::.*/\2 \1/p' "$out" |
		awk '{ n[$1 " " $2]++; f[$1] = 1 }
		     END { for (x in f) printf "  %s: %d passed, %d failed\n", x,
		           n[x " PASSED"], n[x " FAILED"] + n[x " ERROR"] }' | sort
	if [ "$f" -gt 0 ]; then
		grep -E '^(FAILED|ERROR) ' "$out" | cut -c1-200 | head -n 200 | sed 's/^/    /'
		[ -n "$note" ] && tail -n 20 "$out" | sed 's/^/    | /'
	fi
	if [ -n "${LAB_LOG:-}" ]; then cat "$out" >>"$LAB_LOG"; fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

if [ -d tests/lab ]; then
	[ -n "${LAB_LOG:-}" ] && : >"$LAB_LOG"
	jobs=${LAB_JOBS:-2}
	par="" ignore=""
	if [ "$jobs" -gt 1 ] && "$PYTHON" -c 'import xdist' 2>/dev/null; then
		par="-n $jobs --dist loadfile"
	fi
	serial=""
	for f in $LAB_SERIAL; do
		[ -f "$f" ] || continue
		ignore="$ignore --ignore=$f" serial="$serial $f"
	done
	lab_run tests/lab $par $ignore tests/lab
	[ -n "$serial" ] && lab_run serial $serial
fi

total=$((passed + failed))
summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
[ "$total" -eq 0 ] && echo "no test ran"
echo "$summary"
[ "$failed" -eq 0 ] && [ "$total" -gt 0 ]
