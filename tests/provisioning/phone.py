"""A desk phone fetching its files as firmware does: a first request, the 401's digest challenge,
then the request with credentials (a fresh cnonce, nc counting up while the nonce lasts)."""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

from tenants.provisioning import digest

CHALLENGE_NONCE = re.compile(r'nonce="([^"]+)"')


@dataclass
class Phone:
    """``client``: a Flask test client; requests go to ``https://pbx.example`` from ``address``."""

    client: object
    username: str = ""
    password: str = ""
    address: str = "192.0.2.10"
    base: str = "https://pbx.example"
    nonce: str = ""
    nc: int = 0
    sent: list[str] = field(default_factory=list)  # the Authorization headers sent

    def raw(self, path: str, headers: dict | None = None, method: str = "GET"):
        return self.client.open(path, method=method, base_url=self.base, headers=headers or {},
                                environ_base={"REMOTE_ADDR": self.address})

    def authorization(self, path: str, method: str = "GET") -> str:
        self.nc += 1
        header = digest.client_response(self.username, self.password, method, path, self.nonce, self.nc,
                                        secrets.token_hex(8))
        self.sent.append(header)
        return header

    def get(self, path: str, method: str = "GET"):
        """``path`` with credentials, asking for a challenge first when there is no nonce yet."""
        if not self.nonce:
            first = self.raw(path, method=method)
            assert first.status_code == 401, first.status_code
            self.nonce = CHALLENGE_NONCE.search(first.headers.get_all("WWW-Authenticate")[0]).group(1)
            self.nc = 0
        answer = self.raw(path, {"Authorization": self.authorization(path, method)}, method)
        if answer.status_code == 401 and "stale=true" in " ".join(answer.headers.get_all("WWW-Authenticate")):
            self.nonce = CHALLENGE_NONCE.search(answer.headers.get_all("WWW-Authenticate")[0]).group(1)
            self.nc = 0
            answer = self.raw(path, {"Authorization": self.authorization(path, method)}, method)
        return answer
