#!/usr/bin/env bash
# Per JDK and native binding, interleaved round by round so that a busy machine weighs on every
# variant alike; Markdown tables of medians (min-max), ms:
# 1. master start-up (exec of bin/baton to "listening") and USR2 to handoff (kill to the new
#    master's "handing off" line). Workers: one hello on the default `java` for every variant,
#    so only the master differs.
# 2. the binding's first libc call and the next 50 (FirstCall.java), wall and thread CPU time.
# 3. a launcher's JVM from start to exit (`Main --version`), CPU time (user + sys), with and
#    without --enable-native-access: what the flag's loss of part of CDS costs.
# CPU time is what a busy machine does not inflate; wall time is what a deploy waits for.
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

classpath="$repo/supervisor/target/baton.jar:$repo/supervisor/target/lib/*"
jvm=(-Xss512k -Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1)
first() { # index home binding
    echo "$1 $("$2/bin/java" "${jvm[@]}" --enable-native-access=ALL-UNNAMED -Dbaton.native="$3" \
        -cp "$classpath" "$repo/bench/FirstCall.java")" >> "$work/first"
}
launch() { # index home flag...: CPU ms of a JVM that starts, prints its version and exits
    local TIMEFORMAT='%3U %3S' cpu
    cpu="$( { time "$2/bin/java" "${jvm[@]}" "${@:3}" -cp "$classpath" dev.baton.cli.Main --version > /dev/null; } 2>&1 )"
    echo "$1 $(awk '{ printf "%d", ($1 + $2) * 1000 }' <<< "$cpu")" >> "$work/launch"
}

for round in $(seq "$rounds"); do
    for i in "${!variants[@]}"; do
        IFS='|' read -r label home launcher opts <<< "${variants[$i]}"
        one "$i" "$label" "$home" "$launcher" "$opts"
    done
    first 0 "$jdk17" jnr
    launch 0 "$jdk17"
    launch 1 "$jdk17" --enable-native-access=ALL-UNNAMED
    if [[ -n "$jdk25" ]]; then
        first 1 "$jdk25" jnr
        first 2 "$jdk25" ffm
        launch 2 "$jdk25"
        launch 3 "$jdk25" --enable-native-access=ALL-UNNAMED
    fi
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
echo "| JDK, binding | first call, wall | first call, CPU | next 50 calls, wall | next 50 calls, CPU |"
echo "|---|---|---|---|---|"
labels=("17 jnr" "25 jnr" "25 ffm")
for i in 0 1 2; do
    rows="$(awk -v i="$i" '$1 == i' "$work/first")"
    [[ -n "$rows" ]] || continue
    echo "| ${labels[$i]} | $(for c in 2 3 4 5; do echo -n "$(awk -v c="$c" '{ print $c }' <<< "$rows" | stat) | "; done)" | sed 's/ | $/ |/'
done
echo
echo "| JVM start to exit (\`Main --version\`), CPU | no native access | --enable-native-access=ALL-UNNAMED |"
echo "|---|---|---|"
for jdk in 17 25; do
    base=$(( jdk == 17 ? 0 : 2 ))
    [[ -n "$(awk -v i="$base" '$1 == i' "$work/launch")" ]] || continue
    echo "| $jdk | $(awk -v i="$base" '$1 == i { print $2 }' "$work/launch" | stat) | $(awk -v i="$((base + 1))" '$1 == i { print $2 }' "$work/launch" | stat) |"
done
echo
echo "$rounds rounds, $(nproc) cores, $(java -version 2>&1 | head -1)${jdk25:+ / $("$jdk25/bin/java" -version 2>&1 | head -1)}"
