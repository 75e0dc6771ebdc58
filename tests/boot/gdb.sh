#!/usr/bin/env bash
# gdb.sh ISO DIR [GDB_SCRIPT]: boot ISO (its command line has gdb=ttyS1) in
# Bochs with COM2 as a TCP socket on localhost and attach gdb to the guest
# through it, with build/guest/builtin.elf's symbols.  Without GDB_SCRIPT gdb
# is interactive (make gdb); with it gdb runs the script in batch mode
# (tests/boot/cases.sh, case_gdb_session).  DIR receives serial.log (COM1:
# Skiff and the guest), gdb.out (batch mode), bochs.log and bochs.out.
# The status is Bochs' own (0 when Skiff ended with status 0; see README),
# or 125 when Bochs or gdb could not be set up.
set -uo pipefail
iso=$1 dir=$2 script=${3:-}
build=${BUILD:-build}
elf=$build/guest/builtin.elf
mkdir -p "$dir"
# shellcheck source=tests/boot/lib.sh
BUILD=$dir source "$(dirname "$0")/lib.sh"

# A free port in 12000-12999 (Bochs listens on localhost only).
port=
for p in $(shuf -i 12000-12999 -n 64); do
    ss -Hltn "sport = :$p" | grep -q . || { port=$p; break; }
done
[ -n "$port" ] || { echo "gdb.sh: no free TCP port in 12000-12999" >&2; exit 125; }

rm -f "$dir/serial.log" "$dir/gdb.out"
write_bochsrc "$dir/bochsrc" "${BOCHS_CPU:-corei7_skylake_x}" "${MEM:-256}" "$iso" "$dir/serial.log" \
    "$dir/bochs.log"
# socket-server: Bochs waits for one client (gdb) before it starts the machine.
echo "com2: enabled=1, mode=socket-server, dev=localhost:$port" >> "$dir/bochsrc"
printf 'c\nquit\n' > "$dir/bochs.cmds"
: > "$dir/serial.log"
# Its own session: a Ctrl-C typed at gdb must not reach Bochs.
setsid timeout "${GDB_BOCHS_TIMEOUT:-3600}" bochs -q -f "$dir/bochsrc" -rc "$dir/bochs.cmds" \
    </dev/null >"$dir/bochs.out" 2>&1 &
bochs_pid=$!
for _ in $(seq 300); do
    ss -Hltn "sport = :$port" | grep -q . && break
    kill -0 "$bochs_pid" 2>/dev/null || break
    sleep 0.1
done
if ! ss -Hltn "sport = :$port" | grep -q .; then
    echo "gdb.sh: Bochs does not listen on localhost:$port (see $dir/bochs.out)" >&2
    kill "$bochs_pid" 2>/dev/null
    wait "$bochs_pid" 2>/dev/null
    exit 125
fi

# Bochs boots GRUB and Skiff only once gdb is connected: a long remote
# timeout covers that before the stub answers the first packet.
gdb_args=(-nx -q -ex 'set pagination off' -ex 'set confirm off' -ex 'set remotetimeout 120'
          -ex 'set architecture i386:x86-64' -ex "target remote localhost:$port")
if [ -n "$script" ]; then
    timeout "${GDB_TIMEOUT:-300}" gdb -batch "${gdb_args[@]}" -x "$script" "$elf" >"$dir/gdb.out" 2>&1
    gdb_rc=$?
else
    echo "gdb.sh: Skiff's serial console goes to $dir/serial.log (tail -f it in another terminal)"
    gdb "${gdb_args[@]}" "$elf"
    gdb_rc=$?
fi

# The guest ends once gdb is done (killed, detached or finished): give Bochs a while.
for _ in $(seq 600); do
    kill -0 "$bochs_pid" 2>/dev/null || break
    sleep 0.1
done
kill "$bochs_pid" 2>/dev/null
wait "$bochs_pid"
rc=$?
# Bochs 2.7 now and then crashes while tearing down after it has decided its exit status.
if [ "$rc" -ge 128 ] && [ "$rc" -ne 137 ] && [ "$rc" -ne 143 ]; then
    q=$(sed -nE 's/.*quit_sim called with exit code ([0-9]+).*/\1/p' "$dir/bochs.log" | tail -n 1)
    [ -n "$q" ] && rc=$q
fi
tr -d '\r' < "$dir/serial.log" > "$dir/serial.txt" && mv "$dir/serial.txt" "$dir/serial.log"
[ -z "$script" ] && tail -n 5 "$dir/serial.log"
[ "$gdb_rc" -eq 0 ] || [ -z "$script" ] || { echo "gdb.sh: gdb exited with status $gdb_rc" >&2; exit 125; }
exit "$rc"
