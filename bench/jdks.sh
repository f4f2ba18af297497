#!/usr/bin/env bash
# Master start-up (exec of bin/baton to "listening") and USR2 to handoff (kill to the new
# master's "handing off" line), per JDK and native binding, interleaved round by round so that
# a busy machine weighs on every variant alike. Workers: one hello on the default `java` for
# every variant, so only the master differs. Prints a Markdown table of medians (min-max), ms.
#
#   bench/jdks.sh [rounds]        (default 7; needs `mvn -B package -DskipTests` with FFM built)
#
# "no native access" runs a copy of bin/baton without --enable-native-access: the launcher as it
# was before, whose JDK 24+ masters print restricted-method warnings but keep all of CDS.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
rounds="${1:-7}"
work="$(mktemp -d)"
trap 'for f in "$work"/*/baton.pid; do [[ -f $f ]] && kill -TERM "$(cat "$f")" 2>/dev/null; done; rm -rf "$work"' EXIT

jdk25=""
for home in /usr/lib/jvm/*/; do
    if grep -q '^JAVA_VERSION="25' "$home/release" 2>/dev/null; then jdk25="${home%/}"; break; fi
done
jdk17="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"

# Installed layout (bin/ beside lib/) with the launcher's native-access flag removed.
mkdir -p "$work/noflag/bin" "$work/noflag/lib"
sed 's/ --enable-native-access=ALL-UNNAMED / /' "$repo/bin/baton" > "$work/noflag/bin/baton"
chmod +x "$work/noflag/bin/baton"
ln -s "$repo/supervisor/target/baton.jar" "$repo"/supervisor/target/lib/*.jar "$work/noflag/lib/"

# label | JAVA_HOME | launcher | BATON_JAVA_OPTS
variants=("17 jnr, no native access (before)|$jdk17|$work/noflag/bin/baton|"
          "17 jnr|$jdk17|$repo/bin/baton|")
if [[ -n "$jdk25" ]]; then
    variants+=("25 jnr, no native access (before)|$jdk25|$work/noflag/bin/baton|-Dbaton.native=jnr"
               "25 jnr|$jdk25|$repo/bin/baton|-Dbaton.native=jnr"
               "25 ffm, no native access|$jdk25|$work/noflag/bin/baton|"
               "25 ffm|$jdk25|$repo/bin/baton|")
fi

at() { date -d "$1" +%s%N; }
await() { # file regex: the first matching line, waiting up to 30 s
    for _ in $(seq 600); do
        if line="$(grep -m1 -E "$2" "$1")"; then echo "$line"; return; fi
        sleep 0.05
    done
    echo "bench/jdks.sh: no /$2/ in $1:" >&2; cat "$1" >&2; exit 1
}

one() { # index label home launcher opts
    local dir="$work/$1"; mkdir -p "$dir"; rm -f "$dir"/*
    printf 'listen = 127.0.0.1:0\nworkers = 1\npid = %s\ncommand = java -Dsun.misc.unsafe.memory.access=allow -Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar %s\n' \
        "$dir/baton.pid" "$repo/examples/hello/target/hello.jar" > "$dir/baton.conf"
    local start; start="$(date +%s%N)"
    JAVA_HOME="$3" BATON_JAVA_OPTS="$5" "$4" start --config "$dir/baton.conf" > "$dir/log" 2>&1 &
    local listening; listening="$(at "$(await "$dir/log" 'listening on' | cut -d' ' -f1)")"
    await "$dir/log" 'gen 1: all 1 workers ready' > /dev/null
    local usr2; usr2="$(date +%s%N)"
    kill -USR2 "$(cat "$dir/baton.pid")"
    local handoff; handoff="$(at "$(await "$dir/log" 'handing off' | cut -d' ' -f1)")"
    await "$dir/log" 'gen 1: exiting' > /dev/null
    local warnings; warnings="$(grep -c WARNING "$dir/log" || true)"
    kill -QUIT "$(cat "$dir/baton.pid")"
    await "$dir/log" 'gen 2: exiting' > /dev/null
    wait
    echo "$1 $(( (listening - start) / 1000000 )) $(( (handoff - usr2) / 1000000 )) $warnings" >> "$work/results"
}

for round in $(seq "$rounds"); do
    for i in "${!variants[@]}"; do
        IFS='|' read -r label home launcher opts <<< "${variants[$i]}"
        one "$i" "$label" "$home" "$launcher" "$opts"
    done
    echo "bench/jdks.sh: round $round of $rounds done" >&2
done

stat() { # column: "median (min-max)"
    sort -n | awk '{ v[NR] = $1 } END { printf "%d (%d-%d)", v[int((NR + 1) / 2)], v[1], v[NR] }'
}
echo "| master JDK, binding | exec to listening | USR2 to handoff | WARNING lines per run |"
echo "|---|---|---|---|"
for i in "${!variants[@]}"; do
    label="${variants[$i]%%|*}"
    rows="$(awk -v i="$i" '$1 == i' "$work/results")"
    echo "| $label | $(awk '{ print $2 }' <<< "$rows" | stat) | $(awk '{ print $3 }' <<< "$rows" | stat) | $(awk '{ print $4 }' <<< "$rows" | sort -u | tr '\n' ' ' | sed 's/ $//') |"
done
echo
echo "$rounds rounds, $(nproc) cores, $(java -version 2>&1 | head -1)${jdk25:+ / $("$jdk25/bin/java" -version 2>&1 | head -1)}"
