#!/usr/bin/env bash
# Runs every libFuzzer target for FUZZ_SECONDS each (built by `make fuzz-build`) and fails on any
# crash, timeout or out-of-memory. Usage: Tools/Fuzz/run.sh SECONDS Target...
#
# Each target reads the committed seeds (Tools/Fuzz/Corpus/<dir>) and past crash inputs
# (Tools/Fuzz/Regressions/<dir>) and grows a working corpus in .fuzz/corpus/<dir> (not
# committed). A crash leaves its input in .fuzz/artifacts/<dir>/: fix the bug, then copy the
# input into Tools/Fuzz/Regressions/<dir>/ so that `swift test` replays it from then on.
set -uo pipefail
cd "$(dirname "$0")/../.."
seconds=$1
shift
binaries=${FUZZ_BINARIES:-.build-fuzz/release}
# Crashes must not stall in the Swift backtracer; leaks of the Swift runtime's caches are not
# findings (LeakSanitizer runs in the sanitizer test builds instead).
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1:symbolize=1}

directory() {
    case $1 in
        FrameDecoder) echo frame-decoder ;;
        UTF8Masking) echo utf8-masking ;;
        ServerConnection) echo server-connection ;;
        ClientConnection) echo client-connection ;;
        HTTPHead) echo http-head ;;
        ExtensionHeader) echo extension-header ;;
        ProxyHeader) echo proxy-header ;;
        ProxyAnswers) echo proxy-answers ;;
        PerMessageDeflate) echo permessage-deflate ;;
        *) echo "unknown fuzz target $1" >&2; exit 2 ;;
    esac
}

status=0
summary=""
for target in "$@"; do
    dir=$(directory "$target") || exit 2
    mkdir -p ".fuzz/corpus/$dir" ".fuzz/artifacts/$dir" ".fuzz/logs"
    corpora=(".fuzz/corpus/$dir")
    for committed in "Tools/Fuzz/Corpus/$dir" "Tools/Fuzz/Regressions/$dir"; do
        [ -d "$committed" ] && corpora+=("$committed")
    done
    log=".fuzz/logs/$dir.log"
    echo "fuzz: $target for ${seconds}s ($dir)"
    "$binaries/Fuzz$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
        -print_final_stats=1 -artifact_prefix=".fuzz/artifacts/$dir/" "${corpora[@]}" >"$log" 2>&1
    code=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    corpus=$(ls ".fuzz/corpus/$dir" | wc -l)
    if [ $code -ne 0 ]; then
        status=1
        echo "fuzz: $target FAILED (exit $code); log: $log; input: $(ls -t .fuzz/artifacts/$dir/ | head -1)"
        grep -E "ERROR|Fatal error|SUMMARY|fuzz target" "$log" | head -20
    fi
    summary+=$(printf '%-18s %6ss %12s execs %8s/s %6s corpus  %s' "$target" "$seconds" "${runs:-?}" "${rate:-?}" "$corpus" \
        "$([ $code -eq 0 ] && echo ok || echo "FAILED (exit $code)")")$'\n'
done
echo "fuzz summary:"
printf '%s' "$summary"
exit $status
