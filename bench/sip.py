"""SIP benchmark: Poste's Kamailio configuration against a bare one, in the same run (issue 14).

Both run on the same Kamailio binary, with the same number of workers, the same database
(``subscriber``) and the same rtpengine:

- **ours**: ``kamailio/poste.cfg`` as ``scripts/run`` renders it (KEMI routing plan, domain
  checks, flood and ban protections, dialogs, accounting, rtpengine), through
  ``tests/sip_fixtures.SipStack`` (the flood limit raised so that sipp is not banned);
- **bare**: registrar and digest auth only, no routing (``BARE_CFG`` below): REGISTER is
  authenticated and saved in memory, INVITE is authenticated, looked up and relayed through
  rtpengine, BYE follows the route set.

For each, sipp measures REGISTER with digest auth per second (REGISTER, 401, REGISTER with
credentials, 200) and call setups per second (INVITE, 407, INVITE with credentials, 180/200
from a registered sipp UAS through rtpengine, ACK, BYE, 200), as many as it can with a few
in flight. Each is run ``--rounds`` times alternating ours and bare; the best round of each
counts (the machine is shared). It prints the figures and both ratios against the goals:
at least 80 % of the bare REGISTER rate and 50 % of its call-setup rate.

    .venv/bin/python -m bench.sip --registers 3000 --calls 1500
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

REGISTER_GOAL, CALL_GOAL = 0.80, 0.50

BARE_CFG = """#!KAMAILIO
# bench/sip.py: registrar and digest auth only, no routing; calls through rtpengine.
debug=1
log_stderror=yes
children=%(children)d
auto_aliases=no
dns=no
rev_dns=no
listen=udp:127.0.0.1:%(port)d

loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "%(db_module)s"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "auth.so"
loadmodule "auth_db.so"
loadmodule "rtpengine.so"

modparam("usrloc", "db_mode", 0)
modparam("usrloc", "use_domain", 1)
modparam("auth", "qop", "")
modparam("auth_db", "db_url", "%(db_url)s")
modparam("auth_db", "calculate_ha1", 0)
modparam("auth_db", "password_column", "ha1")
modparam("auth_db", "password_column_2", "ha1b")
modparam("auth_db", "use_domain", 1)
modparam("auth_db", "load_credentials", "")
modparam("rtpengine", "rtpengine_sock", "udp:127.0.0.1:%(ng_port)d")

request_route {
	if (!mf_process_maxfwd_header("10")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}
	if (is_method("OPTIONS") && $rU == $null) {
		sl_send_reply("200", "OK");
		exit;
	}
	if (has_totag()) {
		if (loose_route()) {
			if (is_method("BYE")) {
				rtpengine_delete();
			}
			t_relay();
			exit;
		}
		if (is_method("ACK") && t_check_trans()) {
			t_relay();
		}
		exit;
	}
	if (is_method("CANCEL")) {
		if (t_check_trans()) {
			t_relay();
		}
		exit;
	}
	t_check_trans();
	if (is_method("REGISTER")) {
		if (!auth_check("$td", "subscriber", "1")) {
			www_challenge("$td", "0");
			exit;
		}
		save("location");
		exit;
	}
	if (!is_method("INVITE")) {
		sl_send_reply("405", "Method Not Allowed");
		exit;
	}
	if (!auth_check("$fd", "subscriber", "1")) {
		proxy_challenge("$fd", "0");
		exit;
	}
	consume_credentials();
	record_route();
	if (!lookup("location")) {
		sl_send_reply("404", "Not Found");
		exit;
	}
	t_on_branch("OFFER");
	t_on_reply("ANSWER");
	t_relay();
	exit;
}

branch_route[OFFER] {
	rtpengine_offer("replace-origin replace-session-connection ICE=remove");
}

onreply_route[ANSWER] {
	if (has_body("application/sdp")) {
		rtpengine_answer("replace-origin replace-session-connection ICE=remove");
	}
}
"""


@contextlib.contextmanager
def aimed_at(stack, port: int):
    """Point the stack's sipp runs at ``port`` (the bare Kamailio) for a while."""
    saved, stack.sip_port = stack.sip_port, port
    try:
        yield stack
    finally:
        stack.sip_port = saved


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by the process group ``pid`` leads (Kamailio's workers)."""
    import os

    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pid:  # the process group (field 5 of stat)
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def throughput(run, share: float = 0.95) -> tuple[float, int]:
    """Operations per second of a finished sipp run, over the time its first ``share`` of successes
    took (and how many succeeded in all): a few transactions lost on a loaded machine wait on sipp's
    retransmission timers for tens of seconds, and would otherwise measure those timers rather than
    the proxy (its -trace_stat rows, every 100 ms: the third field of CurrentTime is the epoch)."""
    rows = []
    for path in run.work.glob("*_.csv"):
        with path.open() as handle:
            rows = list(csv.DictReader(handle, delimiter=";"))
    if not rows:
        return 0.0, 0
    start = float(rows[0]["CurrentTime"].split("\t")[-1])
    total = int(rows[-1]["SuccessfulCall(C)"] or 0)
    for row in rows:
        done = int(row["SuccessfulCall(C)"] or 0)
        if done and done >= share * total:
            return done / max(float(row["CurrentTime"].split("\t")[-1]) - start, 0.1), total
    return 0.0, total


STAT = ["-trace_stat", "-fd", "100ms"]


def register_rate(stack, domain: str, user: str, password: str, count: int, limit: int) -> tuple[float, int]:
    """Successful REGISTERs with digest auth, as fast as they come with ``limit`` in flight. The
    contact is sipp's own socket (a phone on the LAN: no NAT to handle)."""
    from tests.sip_fixtures import free_port

    port = free_port()
    run = stack.sipp("register", auth=(user, password), calls=count, rate=100000, timeout=300, port=port,
                     substitutions={"EXPECT": 200}, extra=["-l", str(limit), *STAT],
                     variables={"user": user, "domain": domain, "cport": port, "expires": 3600, "ua": "bench"})
    return throughput(run)


def call_rate(stack, domain: str, callee: tuple[str, str], caller: tuple[str, str], count: int,
              limit: int) -> tuple[float, int]:
    """Successful calls (INVITE with digest auth to 200 through rtpengine, ACK, BYE) with ``limit`` in flight."""
    from tests.sip_fixtures import free_port

    uas = stack.sipp("uas", background=True, calls=count, timeout=600, port=free_port())
    registered = stack.register(callee[0], domain, callee[1], contact_port=uas.port)
    if not registered.ok:
        raise RuntimeError(registered.explain())
    run = stack.sipp("call", auth=caller, calls=count, rate=100000, timeout=600, substitutions={"HOLD_MS": 0},
                     variables={"user": caller[0], "domain": domain, "ruser": callee[0], "ua": "bench"},
                     extra=["-l", str(limit), *STAT])
    uas.stop()
    return throughput(run)


def measured(kamailio_pid: int, work) -> tuple[float, float]:
    """(operations per second of ``work()``, Kamailio's CPU milliseconds per successful operation)."""
    cpu = cpu_seconds(kamailio_pid)
    rate, done = work()
    return rate, (1000 * (cpu_seconds(kamailio_pid) - cpu) / done if done else float("nan"))


def start_bare(stack, children: int) -> tuple[subprocess.Popen, int]:
    from kamailio import service
    from tests.sip_fixtures import free_port, probe, wait_for

    port = free_port()
    db_url, db_module = service.kamailio_db_url(stack.settings.database_url)
    folder = stack.data_dir / "bare"
    folder.mkdir()
    cfg = folder / "bare.cfg"
    cfg.write_text(BARE_CFG % {"children": children, "port": port, "db_module": db_module, "db_url": db_url,
                               "ng_port": stack.options.rtpengine_ng_port})
    log = open(stack.settings.log_dir / "kamailio-bare.log", "ab")
    proc = subprocess.Popen([shutil.which("kamailio") or "kamailio", "-DD", "-E", "-f", str(cfg), "-Y", str(folder),
                             "-w", str(folder), "-m", "64", "-M", "8"], stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    wait_for(lambda: probe("127.0.0.1", port, domain="bench.pbx.example", wait=0.3) == 200, 30, what="bare Kamailio")
    return proc, port


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--registers", type=int, default=3000, help="REGISTER transactions per round")
    parser.add_argument("--calls", type=int, default=1500, help="calls per round")
    parser.add_argument("--limit", type=int, default=20, help="most registrations or calls in flight at once")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--children", type=int, default=4, help="Kamailio UDP workers, both configurations")
    args = parser.parse_args(argv)
    if not shutil.which("sipp") or not shutil.which("kamailio"):
        print("sipp and kamailio are needed (scripts/apt-packages.txt)", file=sys.stderr)
        return 2
    from tenants import credentials, extensions
    from tests import factories
    from tests.sip_fixtures import SipStack

    credentials.use_fast_hashing()
    stack = SipStack(pike_density=1000000, auth_fail_max=100000, children=args.children, log_level=1)
    bare = None
    try:
        stack.start()
        tenant = factories.tenant("bench.pbx.example")
        made = [extensions.create_extension(factories.CLI, tenant, extensions.ExtensionInput(
            number, f"Bench {number}", f"{number}@bench.example"))[1] for number in ("2001", "2002", "2003")]
        callee, caller, registrar = ("2001", made[0]), ("2002", made[1]), ("2003", made[2])
        bare, bare_port = start_bare(stack, args.children)
        pids = {"ours": stack.procs["kamailio"].pid, "bare": bare.pid}
        best: dict[tuple[str, str], tuple[float, float]] = {}
        for round_number in range(1, args.rounds + 1):
            for name in ("ours", "bare"):
                with contextlib.ExitStack() as scope:
                    if name == "bare":
                        scope.enter_context(aimed_at(stack, bare_port))
                    results = {
                        "register": measured(pids[name], lambda: register_rate(
                            stack, tenant.domain, *registrar, args.registers, args.limit)),
                        "calls": measured(pids[name], lambda: call_rate(
                            stack, tenant.domain, callee, caller, args.calls, args.limit))}
                (registers, register_cpu), (calls, call_cpu) = results["register"], results["calls"]
                print(f"round {round_number} {name:4s}: {registers:8.1f} REGISTER/s ({register_cpu:.3f} ms CPU each)  "
                      f"{calls:7.1f} calls/s ({call_cpu:.3f} ms CPU each)", flush=True)
                for kind, result in results.items():
                    if result[0] > best.get((name, kind), (0.0, 0.0))[0]:
                        best[(name, kind)] = result
        for name in ("ours", "bare"):
            print(f"best      {name}: {best[(name, 'register')][0]:8.1f} REGISTER/s  "
                  f"{best[(name, 'calls')][0]:7.1f} calls/s")
        for kind, label, goal in (("register", "REGISTER", REGISTER_GOAL), ("calls", "call setup", CALL_GOAL)):
            rate = best[("ours", kind)][0] / best[("bare", kind)][0]
            cpu = best[("bare", kind)][1] / best[("ours", kind)][1]
            print(f"{label} ours/bare: {rate:.0%} of the rate (goal {goal:.0%}: {'met' if rate >= goal else 'NOT met'}); "
                  f"Kamailio CPU per operation: bare/ours {cpu:.0%}")
    finally:
        if bare is not None:
            bare.terminate()
            bare.wait(15)
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
