"""Issue 12: two installations side by side on one machine, each started the documented way
(``prepare_data``, then ``python -m scripts.supervise``) with its own POSTE_DATA and ports.

Both take calls (between two extensions, and to voicemail). In stack A (root: real-time
allowed) each process is killed with SIGKILL once and comes back while the others keep
serving; stack B runs without CAP_SYS_NICE (real-time refused: one clear line, and it
serves all the same) and is stopped with SIGTERM, which ends every process it started.
"""
from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from tenants import listeners, mail
from tenants.db import database
from tenants.runtime import start
from tests.mail_server import MailServer
from tests.ops.stack import ROOT, SERVICES, SupervisedStack
from tests.sip_fixtures import probe, rtpengine_ping, wait_for

RESTART_SECONDS = 240  # the media app compiles rtp.dsp's kernels again when it restarts
ANSWER_SECONDS = 90  # the others: a Python process's start on a busy, shared test machine
NO_REALTIME = ["prlimit", "--rtprio=0", "setpriv", "--inh-caps=-sys_nice", "--bounding-set=-sys_nice"]


@pytest.fixture(scope="module")
def mailbox():
    server = MailServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def prompts():
    from rtp.prompts.generate import generate_prompts

    root = Path(tempfile.mkdtemp(prefix="poste-ops-prompts-"))
    generate_prompts(root, languages=("fr",))
    yield root / "prompts"
    subprocess.run(["rm", "-rf", str(root)], check=False)


@pytest.fixture(scope="module")
def stacks(mailbox, prompts):
    if os.geteuid() != 0:
        pytest.skip("stack A must be allowed real-time scheduling (root), as scripts/run runs")
    rtp_base = random.randrange(31000, 58000, 800)
    a = SupervisedStack("a", "127.0.0.5", mailbox.port, prompts, rtp_base)
    b = SupervisedStack("b", "127.0.0.6", mailbox.port, prompts, rtp_base + 400, wrapper=NO_REALTIME)
    try:
        for stack in (a, b):
            stack.prepare()
        a.start()
        b.start()
        a.wait_ready()
        b.wait_ready()
        yield a, b
    finally:
        for stack in (a, b):
            stack.stop()


def test_settings_of_the_two_stacks_share_no_port(stacks):
    a, b = stacks
    ports = [{(item.port, item.last) for item in listeners.listeners(stack.settings)} for stack in (a, b)]
    assert not ports[0] & ports[1]
    assert a.settings.media_sip_port != 5090 != b.settings.media_sip_port  # the media app's port is a setting


def test_both_stacks_take_calls(stacks):
    for stack in stacks:
        stack.call_between_extensions()
        stack.call_voicemail()


def test_the_media_app_runs_real_time_where_the_system_allows_it(stacks):
    a, b = stacks
    media = a.children()["media"]
    assert "real-time scheduling on" in a.log("media"), (sorted(p.name for p in a.settings.log_dir.iterdir()),
                                                          a.log_tail("media"), a.tail())
    policies = {tid: re.search(r"^policy\s*:\s*(\d+)", Path(f"/proc/{media}/task/{tid}/sched").read_text(), re.M)[1]
                for tid in os.listdir(f"/proc/{media}/task")}
    assert policies and set(policies.values()) == {str(os.SCHED_RR)}, policies  # every thread
    refused = [line for line in b.log("media").splitlines() if "real-time scheduling" in line]
    assert len(refused) == 1 and "refused" in refused[0] and "LimitRTPRIO" in refused[0], refused
    assert b.media_active()  # and it serves all the same (the calls above went to it)


def _answers(stack: SupervisedStack, name: str, mailbox: MailServer, ready_before: int) -> None:
    """Wait until the restarted ``name`` of ``stack`` does its job again."""
    if name == "media":
        wait_for(lambda: stack.log("media").count("media app ready") > ready_before, RESTART_SECONDS, 0.5,
                 "media ready again")
        wait_for(stack.media_active, ANSWER_SECONDS, 0.2, "dispatcher sees the media app again")
        stack.call_voicemail()
    elif name == "rtpengine":
        wait_for(lambda: rtpengine_ping(stack.settings.rtpengine_ng_port), ANSWER_SECONDS, 0.2, "rtpengine answers")
        stack.call_between_extensions()
    elif name == "kamailio":
        wait_for(lambda: probe("127.0.0.1", stack.sip_port, wait=0.5) is not None, ANSWER_SECONDS, 0.2, "Kamailio answers")
        stack.call_between_extensions()
    elif name == "console":
        wait_for(lambda: stack.page("/connexion") == 200, ANSWER_SECONDS, 0.2, "a page")
    elif name == "provisioning":
        wait_for(stack.provisioning_answers, ANSWER_SECONDS, 0.2, "the provisioning server answers")
    else:
        assert name == "jobs", f"how does {name} answer?"
        subject = f"after a kill {uuid.uuid4().hex}"
        start(stack.settings)
        with database.connection_context():
            mail.queue_mail("ops@example.org", subject, "delivered by the restarted worker")
        wait_for(lambda: any(m["Subject"] == subject for m in mailbox.messages), ANSWER_SECONDS, 0.2, "the email delivered")


@pytest.mark.parametrize("name", SERVICES)
def test_kill_9_of_one_process_brings_it_back_and_the_others_keep_serving(stacks, mailbox, name):
    a, _b = stacks
    before = a.children()
    assert set(before) == set(SERVICES), before
    group = [pid for pid in os.listdir("/proc") if pid.isdigit() and _pgid(int(pid)) == before[name]]
    ready_before = a.log("media").count("media app ready")
    os.kill(before[name], signal.SIGKILL)
    wait_for(lambda: a.children().get(name) not in (None, before[name]), ANSWER_SECONDS, 0.1, f"{name} started again")
    _answers(a, name, mailbox, ready_before)
    after = a.children()
    assert {k: v for k, v in after.items() if k != name} == {k: v for k, v in before.items() if k != name}
    assert not [pid for pid in group if _pgid(int(pid)) == before[name]]  # every process it had started ended
    assert f"{name} exited with status -9 (killed by SIGKILL); restarting it in" in a.tail(200)


def _pgid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return None if fields[0] in ("Z", "X") else int(fields[2])


def test_a_second_start_on_the_same_ports_says_which_process_holds_them(stacks):
    a, _b = stacks
    env = {**a.env, "POSTE_DATA": tempfile.mkdtemp(prefix="poste-ops-again-")}
    begun = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "scripts.supervise"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2 and time.monotonic() - begun < 60, done.stderr
    kamailio = a.children()["kamailio"]
    assert (f"Le port {a.sip_port}/udp de 127.0.0.1 (POSTE_SIP_PORT) est déjà pris par kamailio (pid {kamailio}) : "
            "changez POSTE_SIP_PORT ou arrêtez ce processus.") in done.stderr
    assert "POSTE_HTTP_PORT" in done.stderr and "POSTE_MEDIA_SIP_PORT" in done.stderr
    assert not list((Path(env["POSTE_DATA"]) / "log").glob("*.log"))  # nothing was started


def test_sigterm_stops_every_process_and_frees_every_port(stacks):
    _a, b = stacks
    groups = list(b.children().values())
    assert len(groups) == len(SERVICES)
    members = [int(pid) for pid in os.listdir("/proc") if pid.isdigit() and _pgid(int(pid)) in groups]
    assert len(members) > len(groups)  # Kamailio's and gunicorn's workers among them
    os.kill(b.proc.pid, signal.SIGTERM)
    assert b.proc.wait(120) == 0, b.tail()
    assert not [pid for pid in members if _pgid(pid) in groups]
    # its ports are free (or, on a shared machine, already someone else's: never one of its processes)
    holders = [listeners.holder(item.port, proto) for item in listeners.listeners(b.settings) if not item.last
               for proto in item.protocols]
    assert not [who for who in holders if who and int(who.rsplit("pid ", 1)[1].rstrip(")")) in members], holders
