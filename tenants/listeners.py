"""Every port the processes of Poste open, the setting that names each, and the checks at start.

``listeners(settings)``: which process opens which port (or range), on which address,
named by which variable. ``problems(settings, services)``: one French line for each port
of those processes that two settings share, or that another process already holds
(named, with its pid, when this machine says which: ``/proc/net`` and ``/proc/*/fd``,
as ``ss -lpn`` finds it). The supervisor runs it before it starts (and restarts) a
process; each systemd unit runs ``python -m tenants.listeners SERVICE`` first.
"""
from __future__ import annotations

import errno
import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

from tenants.config import Settings, load_or_exit

SERVICES = ("media", "rtpengine", "kamailio", "console", "provisioning", "jobs")
WILDCARDS = ("", "0.0.0.0", "::")


@dataclass(frozen=True)
class Listener:
    service: str  # the process that opens it
    setting: str  # the variable that names the port (the first of a range)
    address_setting: str
    address: str
    port: int
    protocols: tuple[str, ...]
    last: int = 0  # a range: port..last (0: this one port)

    @property
    def ports(self) -> range:
        return range(self.port, (self.last or self.port) + 1)

    def label(self) -> str:
        if self.last:
            return f"{self.setting}..{self.setting.replace('_MIN', '_MAX')} ({self.port}-{self.last})"
        return f"{self.setting} ({self.port})"


def listeners(settings: Settings) -> list[Listener]:
    s = settings
    return [
        Listener("media", "POSTE_MEDIA_SIP_PORT", "POSTE_MEDIA_ADDRESS", s.media_address, s.media_sip_port,
                 ("udp", "tcp")),
        Listener("media", "POSTE_MEDIA_RTP_PORT_MIN", "POSTE_MEDIA_RTP_ADDRESS", s.media_rtp_address,
                 s.media_rtp_port_min, ("udp",), s.media_rtp_port_max),
        # rtpengine takes its commands (the "ng" protocol) from Kamailio on the loopback only
        Listener("rtpengine", "POSTE_RTPENGINE_NG_PORT", "", "127.0.0.1", s.rtpengine_ng_port, ("udp",)),
        Listener("rtpengine", "POSTE_RTP_PORT_MIN", "POSTE_RTP_ADDRESS", s.rtp_address, s.rtp_port_min, ("udp",),
                 s.rtp_port_max),
        Listener("kamailio", "POSTE_SIP_PORT", "POSTE_SIP_ADDRESS", s.sip_address, s.sip_port, ("udp", "tcp")),
        Listener("console", "POSTE_HTTP_PORT", "POSTE_HTTP_ADDRESS", s.http_address, s.http_port, ("tcp",)),
        Listener("provisioning", "POSTE_PROV_HTTPS_PORT", "POSTE_PROV_ADDRESS", s.prov_address, s.prov_https_port,
                 ("tcp",)),
    ]


def _overlap(a: Listener, b: Listener) -> bool:
    same_address = a.address == b.address or a.address in WILDCARDS or b.address in WILDCARDS
    return (same_address and bool(set(a.protocols) & set(b.protocols))
            and a.port <= (b.last or b.port) and b.port <= (a.last or a.port))


def clashes(found: list[Listener]) -> list[str]:
    """Two settings that give the same port (or overlapping ranges) on one address."""
    return [f"{a.label()} et {b.label()} désignent le même port : changez l'un des deux."
            for i, a in enumerate(found) for b in found[i + 1:] if _overlap(a, b)]


def taken(listener: Listener) -> list[str]:
    """Why the single port of ``listener`` cannot be opened now (ranges: rtpengine and the media
    app take any free port of theirs, so a range is never "taken")."""
    if listener.last:
        return []
    lines = []
    for proto in listener.protocols:
        kind = socket.SOCK_DGRAM if proto == "udp" else socket.SOCK_STREAM
        family = socket.AF_INET6 if ":" in listener.address else socket.AF_INET
        with socket.socket(family, kind) as sock:
            if proto == "tcp":  # as the servers do: a connection in TIME_WAIT does not hold it
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((listener.address or "0.0.0.0", listener.port))
                continue
            except OSError as exc:
                lines.append(_why(listener, proto, exc))
    return lines


def _why(listener: Listener, proto: str, exc: OSError) -> str:
    where = f"le port {listener.port}/{proto} de {listener.address or '*'} ({listener.setting})"
    if exc.errno == errno.EADDRINUSE:
        who = holder(listener.port, proto)
        by = f"par {who}" if who else "par un autre processus (introuvable : d'un autre utilisateur ?)"
        return f"{where[0].upper()}{where[1:]} est déjà pris {by} : changez {listener.setting} ou arrêtez ce processus."
    if exc.errno == errno.EADDRNOTAVAIL and listener.address_setting:
        return (f"L'adresse {listener.address} ({listener.address_setting}) n'est pas une adresse de cette "
                f"machine : changez {listener.address_setting}.")
    if exc.errno == errno.EACCES:
        return (f"{where[0].upper()}{where[1:]} demande des droits que ce processus n'a pas (port sous 1024) : "
                f"changez {listener.setting}.")
    return f"{where[0].upper()}{where[1:]} ne peut pas être ouvert ({exc.strerror}) : changez {listener.setting}."


def holder(port: int, proto: str) -> str | None:
    """``name (pid N)`` of the process that holds ``port`` (listening, for TCP), if this user can see it."""
    inodes = set()
    for table in (f"/proc/net/{proto}", f"/proc/net/{proto}6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            cols = row.split()
            if int(cols[1].rsplit(":", 1)[1], 16) == port and (proto == "udp" or cols[3] == "0A"):
                inodes.add(f"socket:[{cols[9]}]")
    pids = []
    for entry in Path("/proc").iterdir() if inodes else ():
        if not entry.name.isdigit():
            continue
        try:
            if any(os.readlink(fd) in inodes for fd in (entry / "fd").iterdir()):
                pids.append(int(entry.name))
        except OSError:  # gone, or another user's
            continue
    if not pids:
        return None
    pid = min(pids)  # a server's workers share its socket: name the first of them
    try:
        name = Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        name = "?"
    return f"{name} (pid {pid})"


def problems(settings: Settings, services: tuple[str, ...] | list[str] = SERVICES) -> list[str]:
    """What keeps ``services`` from opening their ports now: one French line each."""
    found = listeners(settings)
    mine = [item for item in found if item.service in services]
    lines = [line for line in clashes(found) if any(item.label() in line for item in mine)]
    for item in mine:
        lines += taken(item)
    return lines


def main(argv: list[str]) -> int:
    """``python -m tenants.listeners [SERVICE...]``: check the settings (exit 2) and the ports of
    those processes (default: all; exit 1); print what is wrong, one French line each."""
    unknown = [name for name in argv if name not in SERVICES]
    if unknown:
        print(f"usage: python -m tenants.listeners [{'|'.join(SERVICES)}]...", file=sys.stderr)
        return 2
    lines = problems(load_or_exit(), tuple(argv) or SERVICES)
    for line in lines:
        print(line, file=sys.stderr)
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
