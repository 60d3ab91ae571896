"""A whole Poste started the documented way (``scripts/lib.sh``'s ``prepare_data``, then
``python -m scripts.supervise``), on its own POSTE_DATA and ports, for the operations tests.

``SupervisedStack`` reuses ``tests.sip_fixtures.SipStack``'s sipp helpers (register, call,
phone) against its Kamailio; it finds each process the supervisor started by its command
line, and waits on conditions with deadlines.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from dataclasses import fields
from pathlib import Path

from kamailio import rpc, service
from tenants.config import Settings, load_settings
from tests.sip_fixtures import SipStack, free_port, rtpengine_ping, wait_for

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("media", "rtpengine", "kamailio", "console", "provisioning", "jobs")
DEMO_DOMAIN = "demo.pbx.example"
START_SECONDS = 240  # the media app compiles rtp.dsp's kernels first; the test machine is shared


def clean_env(**settings: str) -> dict[str, str]:
    """This process's environment without any setting of Poste (tenants.config), plus ``settings``."""
    names = {field.metadata["env"] for field in fields(Settings)}
    return {**{k: v for k, v in os.environ.items() if k not in names}, **settings}


def child_name(cmdline: list[str]) -> str | None:
    """Which of the supervisor's services a process is, by its command line."""
    text = " ".join(cmdline)
    if "rtp.mediaapp" in text:
        return "media"
    if "console.provisioning.serve" in text or ("gunicorn" in text and "--certfile" in text):
        return "provisioning"
    if "gunicorn" in text:
        return "console"
    if "jobs work" in text:
        return "jobs"
    for name in ("rtpengine", "kamailio"):
        if cmdline and os.path.basename(cmdline[0]) == name:
            return name
    return None


def children_of(pid: int) -> dict[str, int]:
    """name -> pid of the processes whose parent is ``pid``."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        if int(stat[stat.rindex(")") + 2:].split()[1]) == pid:
            name = child_name([word for word in cmdline if word])
            if name:
                found[name] = int(entry)
    return found


class SupervisedStack(SipStack):
    def __init__(self, label: str, rtp_address: str, smtp_port: int, prompts: Path, rtp_base: int,
                 wrapper: list[str] = (), **extra_env: str):
        """``rtp_base``: the first of 400 ports, rtpengine's 200 then the media app's."""
        self.label, self.prompts, self.wrapper = label, prompts, list(wrapper)
        self.data_dir = Path(tempfile.mkdtemp(prefix=f"poste-ops-{label}-"))
        self.sip_port = free_port()
        self.env = {**clean_env(), "POSTE_DATA": str(self.data_dir), "PYTHONUNBUFFERED": "1",
                    "POSTE_SIP_ADDRESS": "127.0.0.1", "POSTE_SIP_PORT": str(self.sip_port),
                    "POSTE_HTTP_PORT": str(free_port()), "POSTE_PROV_HTTPS_PORT": str(free_port()),
                    "POSTE_RTPENGINE_NG_PORT": str(free_port()),
                    "POSTE_MEDIA_SIP_PORT": str(free_port()), "POSTE_RTP_ADDRESS": rtp_address,
                    "POSTE_RTP_PORT_MIN": str(rtp_base), "POSTE_RTP_PORT_MAX": str(rtp_base + 199),
                    "POSTE_MEDIA_RTP_PORT_MIN": str(rtp_base + 200), "POSTE_MEDIA_RTP_PORT_MAX": str(rtp_base + 399),
                    "POSTE_SMTP_HOST": "127.0.0.1", "POSTE_SMTP_PORT": str(smtp_port),
                    "POSTE_MEDIA_PING_INTERVAL": "1", **extra_env}
        self.settings = load_settings(self.env)
        self.options = service.Options().resolved(self.settings)
        self.passwords: dict[str, str] = {}
        self.proc: subprocess.Popen | None = None
        self.output = self.data_dir / "supervisor.out"
        self.db = None

    # ------------------------------------------------------------ life cycle
    def prepare(self) -> SupervisedStack:
        """scripts/run's steps before the supervisor: schema, demo data (prompts: shared, rendered once)."""
        done = subprocess.run(["bash", "-c", ". scripts/lib.sh; prepare_data"], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
        seed = (self.settings.log_dir / "demo-seed.log").read_text()
        self.passwords = dict(re.findall(r"extension (\d+)@\S+ SIP password: (\S+)", seed))
        (self.data_dir / "prompts").symlink_to(self.prompts)
        return self

    def start(self) -> SupervisedStack:
        with open(self.output, "ab") as out:
            self.proc = subprocess.Popen([*self.wrapper, sys.executable, "-m", "scripts.supervise"], cwd=ROOT,
                                         env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        return self

    def wait_ready(self, timeout: float = START_SECONDS) -> SupervisedStack:
        checks = {"rtpengine": lambda: rtpengine_ping(self.settings.rtpengine_ng_port),
                  "kamailio": lambda: rpc.is_running(self.settings),
                  "console": lambda: self.page("/connexion") == 200,
                  "media": lambda: "media app ready" in self.log("media") and self.media_active()}
        for name, check in checks.items():
            wait_for(lambda check=check: self.alive() and check(), timeout, 0.2,
                     what=f"{name} of stack {self.label}:\n{self.tail()}")
        return self

    def alive(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"the supervisor of {self.label} exited ({self.proc.returncode}):\n{self.tail()}")
        return True

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        for pid in children_of(self.proc.pid).values() if self.proc else ():
            os.killpg(pid, signal.SIGKILL)  # only if the supervisor failed to
        if os.environ.get("POSTE_KEEP_SIP_DATA") != "1":
            shutil.rmtree(self.data_dir, ignore_errors=True)

    # ------------------------------------------------------------ looking at it
    def children(self) -> dict[str, int]:
        return children_of(self.proc.pid)

    def tail(self, lines: int = 40) -> str:
        text = self.output.read_text(errors="replace") if self.output.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def log(self, name: str) -> str:
        path = self.settings.log_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def log_tail(self, name: str, lines: int = 60) -> str:
        return "\n".join(self.log(name).splitlines()[-lines:])

    def page(self, path: str) -> int | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.settings.http_port}{path}", timeout=3) as answer:
                return answer.status
        except OSError:
            return None

    def provisioning_answers(self) -> bool:
        """The provisioning server answers HTTPS (whatever the status: no phone asked here)."""
        context = ssl._create_unverified_context()  # its certificate is self-made
        try:
            with urllib.request.urlopen(f"https://127.0.0.1:{self.settings.prov_https_port}/prov/", timeout=3,
                                        context=context):
                return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            return False

    def media_active(self) -> bool:
        return any(node["active"] for node in rpc.media_nodes(settings=self.settings))

    # ------------------------------------------------------------ calls
    def call_between_extensions(self) -> None:
        """2002 calls 2001 (a registered sipp phone) through this stack's Kamailio and rtpengine."""
        phone = self.phone("2001", DEMO_DOMAIN, self.passwords["2001"], timeout=30)
        try:
            run = self.call("2002", DEMO_DOMAIN, self.passwords["2002"], "2001", timeout=30)
            assert run.ok, f"{self.label}: {run.explain()}\n{self.log_tail('kamailio')}"
        finally:
            phone.stop()

    def call_voicemail(self) -> None:
        """2002 dials *97: the media app answers (through rtpengine)."""
        run = self.call("2002", DEMO_DOMAIN, self.passwords["2002"], "*97", timeout=30)
        assert run.ok, f"{self.label}: {run.explain()}\n{self.log_tail('kamailio')}\n{self.log_tail('media')}"
