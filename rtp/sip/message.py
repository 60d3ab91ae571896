"""RFC 3261 message parsing and serialisation, strict where a wrong guess would hurt.

``parse(data)`` turns one datagram (or one framed TCP message) into a ``Request``
or ``Response``, or raises ``ParseError``. The error says whether the message can
still be answered with a ``400``/``505`` (``ParseError.reply_code``) and carries the
headers parsed so far, so the transport can build that answer; otherwise it is
dropped. Nothing here raises anything but ``ParseError`` on bad input: the 49 RFC 4475
torture messages are the test set (``tests/media/fixtures/rfc4475``, and the table of
``tests/media/test_rfc4475.py``). ``uas_refusal`` is what a user agent server refuses
before any method's handling (416, 415, 406).

Header values are kept as text (after unfolding); the few the user agent needs are
parsed on demand: ``Via`` (``parse_via``), name-addr headers (``parse_name_addr``),
``CSeq`` (``Message.cseq``) and URIs (``parse_uri``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

SIP_VERSION = "SIP/2.0"
MAX_MESSAGE = 65_535

COMPACT = {
    "i": "Call-ID", "m": "Contact", "e": "Content-Encoding", "l": "Content-Length", "c": "Content-Type",
    "f": "From", "s": "Subject", "k": "Supported", "t": "To", "v": "Via", "o": "Event", "u": "Allow-Events",
    "r": "Refer-To", "b": "Referred-By", "x": "Session-Expires", "a": "Accept-Contact", "j": "Reject-Contact",
    "d": "Request-Disposition", "y": "Identity", "n": "Identity-Info",
}
CANONICAL = {name.lower(): name for name in (
    "Via", "From", "To", "Call-ID", "CSeq", "Contact", "Max-Forwards", "Content-Length", "Content-Type",
    "Record-Route", "Route", "Allow", "Supported", "Require", "Proxy-Require", "Unsupported", "Event",
    "Subscription-State", "Expires", "Session-Expires", "Min-SE", "User-Agent", "Server", "Accept",
    "Allow-Events", "Subject", "Content-Encoding", "Content-Disposition", "Date", "WWW-Authenticate",
    "Authorization", "P-Asserted-Identity", "Remote-Party-ID", "Retry-After", "Reason", "Timestamp",
    "Organization", "Warning", "Call-Info", "Alert-Info", "Diversion", "History-Info",
)}
TOKEN_RE = re.compile(r"^[A-Za-z0-9\-.!%*_+`'~]+$")
# Header names allow the same token characters.
HEADER_LINE_RE = re.compile(rb"^([A-Za-z0-9\-.!%*_+`'~]+)[ \t]*:(.*)$", re.S)
MULTI = {"Via", "Route", "Record-Route", "Contact", "Allow", "Supported", "Require", "Proxy-Require",
         "Unsupported", "Accept", "Allow-Events"}


class ParseError(ValueError):
    """A message that cannot be used. ``reply_code`` is 400/505/...; None means drop it."""

    def __init__(self, reason: str, reply_code: int | None = None, partial: Message | None = None):
        super().__init__(reason)
        self.reason = reason
        self.reply_code = reply_code
        self.partial = partial


def canonical(name: str) -> str:
    low = name.lower()
    if len(low) == 1 and low in COMPACT:
        return COMPACT[low]
    if low in CANONICAL:
        return CANONICAL[low]
    return "-".join(part[:1].upper() + part[1:] for part in name.split("-"))


@dataclass
class Message:
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    # ---------------------------------------------------------------- headers
    def get(self, name: str, default: str | None = None) -> str | None:
        name = canonical(name)
        for key, value in self.headers:
            if key == name:
                return value
        return default

    def get_all(self, name: str) -> list[str]:
        """Every value of ``name``, comma-separated lists split (for list headers)."""
        name = canonical(name)
        values = [value for key, value in self.headers if key == name]
        if name in MULTI:
            return [item for value in values for item in split_commas(value)]
        return values

    def set(self, name: str, value: str) -> None:
        name = canonical(name)
        self.headers = [(k, v) for k, v in self.headers if k != name]
        self.headers.append((name, value))

    def add(self, name: str, value: str) -> None:
        self.headers.append((canonical(name), value))

    def remove(self, name: str) -> None:
        name = canonical(name)
        self.headers = [(k, v) for k, v in self.headers if k != name]

    @property
    def call_id(self) -> str:
        return self.get("Call-ID") or ""

    @property
    def cseq(self) -> tuple[int, str]:
        value = self.get("CSeq")
        if value is None:
            raise ParseError("no CSeq", 400)
        return parse_cseq(value)

    @property
    def from_tag(self) -> str:
        return parse_name_addr(self.get("From") or "").params.get("tag", "")

    @property
    def to_tag(self) -> str:
        return parse_name_addr(self.get("To") or "").params.get("tag", "")

    @property
    def top_via(self) -> Via:
        vias = self.get_all("Via")
        if not vias:
            raise ParseError("no Via", None)
        return parse_via(vias[0])

    def header_block(self) -> str:
        lines = [f"{k}: {v}" for k, v in self.headers if k != "Content-Length"]
        lines.append(f"Content-Length: {len(self.body)}")
        return "\r\n".join(lines)


@dataclass
class Request(Message):
    method: str = ""
    uri: str = ""

    def encode(self) -> bytes:
        return f"{self.method} {self.uri} {SIP_VERSION}\r\n{self.header_block()}\r\n\r\n".encode() + self.body


@dataclass
class Response(Message):
    status: int = 0
    reason: str = ""

    def encode(self) -> bytes:
        return f"{SIP_VERSION} {self.status} {self.reason}\r\n{self.header_block()}\r\n\r\n".encode() + self.body


# ---------------------------------------------------------------- framing
def split_head(data: bytes) -> tuple[bytes, bytes] | None:
    """(header section, rest) at the first empty line, or None if there is none yet."""
    index = data.find(b"\r\n\r\n")
    if index >= 0:
        return data[:index], data[index + 4:]
    index = data.find(b"\n\n")  # tolerated: bare LF line ends
    if index >= 0:
        return data[:index], data[index + 2:]
    return None


def parse(data: bytes, stream: bool = False) -> Request | Response:
    """Parse one whole message. ``stream`` (TCP): Content-Length is mandatory."""
    if len(data) > MAX_MESSAGE:
        raise ParseError("message too large", None)
    data = data.lstrip(b"\r\n")  # keep-alive CRLFs before a message
    parts = split_head(data)
    if parts is None and stream:
        raise ParseError("no end of headers", None)
    # A datagram is one whole message: one that lacks only the final empty line is all headers.
    head, rest = parts or (data.rstrip(b"\r\n"), b"")
    lines = re.split(rb"\r?\n", head)
    try:
        start = lines[0].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError("start line is not UTF-8", None) from exc
    try:
        message = _start_line(start)
    except ParseError as exc:
        if exc.reply_code is None or exc.partial is None:
            raise
        _headers(lines[1:], exc.partial)  # so that the 400 or 505 can be addressed
        raise
    _headers(lines[1:], message)
    lengths = message.get_all("Content-Length")
    if len(lengths) > 1:  # RFC 4475 mcl01: no way to know where the body ends
        raise ParseError("more than one Content-Length", 400, message)
    if not lengths:
        if stream:
            raise ParseError("no Content-Length on a stream transport", 400, message)
        body = rest
    else:
        length = decimal(lengths[0], MAX_MESSAGE, "Content-Length", message)
        if length > len(rest):
            raise ParseError("Content-Length larger than the message", 400, message)
        body = rest[:length]
    message.body = body
    try:
        _check(message)
    except ParseError as exc:  # found in a header value: the answer can still be addressed
        if exc.partial is None and exc.reply_code is not None:
            raise ParseError(exc.reason, exc.reply_code, message) from exc
        raise
    return message


DIGITS = re.compile(r"[0-9]{1,10}")


def decimal(text: str, largest: int, name: str, message: Message | None = None) -> int:
    """A header's decimal value: ASCII digits only (no sign, no other script's digits, not 5000 of
    them), at most ``largest``; else a 400."""
    text = text.strip(" \t")
    if not DIGITS.fullmatch(text) or int(text) > largest:
        raise ParseError(f"bad {name}", 400, message)
    return int(text)


def _start_line(start: str) -> Request | Response:
    if start.startswith("SIP/"):
        match = re.fullmatch(r"(SIP/\d+\.\d+) (\d{3}) (.*)", start)
        if not match or match.group(1) != SIP_VERSION:
            raise ParseError("bad status line", None)
        status = int(match.group(2))
        if not 100 <= status <= 699:
            raise ParseError("status code out of range", None)
        return Response(status=status, reason=match.group(3))
    parts = start.split(" ")
    # With a readable method the headers are read too, so that the 400 can be addressed
    # (RFC 4475 ltgtruri, lwsruri, lwsstart, trws); without one it is no SIP request.
    method = parts[0]
    if not TOKEN_RE.match(method):
        raise ParseError("bad method", 400)
    request = Request(method=method)
    if len(parts) != 3 or not all(parts):
        raise ParseError("bad request line", 400, request)
    _method, request.uri, version = parts
    if request.uri.startswith("<") or not re.match(r"^[A-Za-z][A-Za-z0-9+\-.]*:", request.uri):
        raise ParseError("bad Request-URI", 400, request)
    if version != SIP_VERSION:
        raise ParseError("unsupported SIP version", 505, request)
    return request


def _headers(lines: list[bytes], message: Message) -> None:
    current: list[bytes] | None = None
    collected: list[list[bytes]] = []
    for line in lines:
        if line[:1] in (b" ", b"\t"):
            if current is None:
                raise ParseError("continuation line before any header", 400, message)
            current.append(line)
            continue
        current = [line]
        collected.append(current)
    for chunk in collected:
        raw = b" ".join(part.strip(b" \t") if i else part for i, part in enumerate(chunk))
        match = HEADER_LINE_RE.match(raw)
        if not match:
            raise ParseError("bad header line", 400, message)
        try:
            name = match.group(1).decode("ascii")
            value = match.group(2).decode("utf-8").strip(" \t")
        except UnicodeDecodeError as exc:
            raise ParseError("header is not UTF-8", 400, message) from exc
        message.headers.append((canonical(name), value))


def _check(message: Message) -> None:
    """The headers every transaction needs, well formed; else 400 (or drop)."""
    if isinstance(message, Response):
        for name in ("Via", "Call-ID", "CSeq", "From", "To"):
            if message.get(name) is None:
                raise ParseError(f"response without {name}", None)
        parse_cseq(message.get("CSeq"), drop=True)
        return
    request = message
    assert isinstance(request, Request)
    try:
        vias = request.get_all("Via")
        if not vias:
            raise ParseError("request without Via", None)
        parse_via(vias[0])
    except ParseError as exc:  # no usable top Via: nowhere to send an answer
        raise ParseError(exc.reason, None) from exc
    for via in vias[1:]:  # RFC 4475 badinv01: answered 400 through the top one
        parse_via(via)
    for name in ("Call-ID", "CSeq", "From", "To"):
        if request.get(name) is None:
            raise ParseError(f"request without {name}", 400, request)
        if len(request.get_all(name)) > 1:
            raise ParseError(f"more than one {name}", 400, request)
    number, method = parse_cseq(request.get("CSeq"))
    if method != request.method:
        raise ParseError("CSeq method does not match the request line", 400, request)
    max_forwards = request.get("Max-Forwards")
    if max_forwards is not None:
        decimal(max_forwards, 255, "Max-Forwards", request)
    for name in ("From", "To"):
        parse_name_addr(request.get(name))
    if request.get("Contact") is not None and request.method in ("INVITE", "SUBSCRIBE", "REGISTER"):
        for contact in request.get_all("Contact"):
            if contact.strip() != "*":
                parse_name_addr(contact)
    expires = request.get("Expires")
    if expires is not None:
        decimal(expires, 2**32 - 1, "Expires", request)
    if parse_uri(request.uri).headers:  # RFC 3261 19.1.1: none in a Request-URI (RFC 4475 escruri)
        raise ParseError("headers in the Request-URI", 400, request)


# ---------------------------------------------------------------- header values
def split_commas(value: str) -> list[str]:
    """Split a list header on commas outside quotes and angle brackets."""
    items, buf, quoted, angle, escaped = [], [], False, False, False
    for ch in value:
        if escaped:
            buf.append(ch)
            escaped = False
            continue
        if quoted and ch == "\\":
            escaped = True
            buf.append(ch)
            continue
        if ch == '"':
            quoted = not quoted
        elif ch == "<" and not quoted:
            angle = True
        elif ch == ">" and not quoted:
            angle = False
        if ch == "," and not quoted and not angle:
            items.append("".join(buf).strip())
            buf = []
            continue
        buf.append(ch)
    if quoted:
        raise ParseError("unterminated quoted string", 400)
    tail = "".join(buf).strip()
    if tail:
        items.append(tail)
    return [item for item in items if item]


def parse_cseq(value: str | None, drop: bool = False) -> tuple[int, str]:
    match = re.fullmatch(r"\s*(\d{1,10})\s+([A-Za-z0-9\-.!%*_+`'~]+)\s*", value or "")
    if not match or int(match.group(1)) >= 2**31:
        raise ParseError("bad CSeq", None if drop else 400)
    return int(match.group(1)), match.group(2)


@dataclass
class Via:
    transport: str
    host: str
    port: int | None
    params: dict[str, str]

    @property
    def branch(self) -> str:
        return self.params.get("branch", "")

    @property
    def sent_by(self) -> str:
        return f"{self.host}:{self.port or 5060}"


VIA_RE = re.compile(r"^SIP\s*/\s*2\.0\s*/\s*([A-Za-z0-9\-.!%*_+`'~]+)\s+(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-.]+)"
                    r"(?:\s*:\s*(\d{1,5}))?\s*(;.*)?$", re.S)


def parse_via(value: str) -> Via:
    match = VIA_RE.match(value.strip())
    if not match:
        raise ParseError("bad Via", 400)
    port = int(match.group(3)) if match.group(3) else None
    if port is not None and not 0 < port < 65536:
        raise ParseError("bad Via port", 400)
    return Via(match.group(1).upper(), match.group(2), port, _params(match.group(4) or ""))


def _params(text: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        name, _, val = part.partition("=")
        name, val = name.strip().lower(), val.strip()
        if not TOKEN_RE.match(name):
            raise ParseError("bad parameter", 400)
        if val.startswith('"') and val.endswith('"') and len(val) >= 2:
            val = val[1:-1]
        params[name] = val
    return params


@dataclass
class NameAddr:
    display: str
    uri: str
    params: dict[str, str]


def parse_name_addr(value: str) -> NameAddr:
    """``"Name" <sip:u@h>;tag=x``, ``Name <sip:u@h>`` or ``sip:u@h;tag=x`` (params then belong to the header)."""
    text = (value or "").strip()
    display = ""
    if text.startswith('"'):
        i, buf = 1, []
        while i < len(text):
            ch = text[i]
            if ch == "\\" and i + 1 < len(text):
                buf.append(text[i + 1])
                i += 2
                continue
            if ch == '"':
                break
            buf.append(ch)
            i += 1
        else:
            raise ParseError("unterminated quoted display name", 400)
        display = "".join(buf)
        text = text[i + 1:].strip()
        if not text.startswith("<"):
            raise ParseError("display name without <uri>", 400)
    if "<" in text:
        before, _, after = text.partition("<")
        if before.strip() and not display:
            if not all(TOKEN_RE.match(word) for word in before.split()):
                raise ParseError("bad display name", 400)
            display = " ".join(before.split())
        uri, sep, tail = after.partition(">")
        if not sep:
            raise ParseError("unterminated <uri>", 400)
        if not uri or any(ch.isspace() for ch in uri):
            raise ParseError("whitespace in URI", 400)
        tail = tail.strip()
        if tail and not tail.startswith(";"):
            raise ParseError("junk after URI", 400)
        return NameAddr(display, uri, _params(tail))
    uri, _, tail = text.partition(";")
    uri = uri.strip()
    if not uri or any(ch.isspace() for ch in uri) or ":" not in uri:
        raise ParseError("bad addr-spec", 400)
    if "?" in uri or "," in uri:  # RFC 3261 20.10: such a URI must be enclosed in < >
        raise ParseError("URI with ? or , outside < >", 400)
    return NameAddr("", uri, _params(tail))


@dataclass
class Uri:
    scheme: str
    user: str
    host: str
    port: int | None
    params: dict[str, str]
    headers: str = ""  # after "?" (escaped headers), as written

    @property
    def hostport(self) -> str:
        return f"{self.host}:{self.port}" if self.port else self.host


def parse_uri(text: str) -> Uri:
    match = re.match(r"^([A-Za-z][A-Za-z0-9+\-.]*):(.*)$", (text or "").strip(), re.S)
    if not match:
        raise ParseError("bad URI", 400)
    scheme, rest = match.group(1).lower(), match.group(2)
    if any(ch.isspace() for ch in rest):
        raise ParseError("whitespace in URI", 400)
    if scheme not in ("sip", "sips"):
        return Uri(scheme, "", rest, None, {})
    user = ""
    if "@" in rest:
        user, rest = rest.rsplit("@", 1)
        user = user.split(":", 1)[0]
    rest, _, headers = rest.partition("?")
    hostport, _, params = rest.partition(";")
    hm = re.fullmatch(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-.]+)(?::(\d{1,5}))?", hostport)
    if not hm:
        raise ParseError("bad host in URI", 400)
    port = int(hm.group(2)) if hm.group(2) else None
    if port is not None and not 0 < port < 65536:
        raise ParseError("bad port in URI", 400)
    return Uri(scheme, unescape(user), hm.group(1).lower(), port, _params(params), headers)


def unescape(text: str) -> str:
    return re.sub(r"%([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), text)


# ---------------------------------------------------------------- what a user agent server refuses
SDP = "application/sdp"
# An SDP offer comes as application/sdp, or as one part of a multipart body (RFC 5621).
OFFER_TYPES = (SDP, "multipart/mixed", "multipart/alternative", "multipart/related")


@dataclass(frozen=True)
class Refusal:
    status: int
    reason: str
    headers: tuple[tuple[str, str], ...] = ()


def media_type(value: str | None) -> str:
    """``application/sdp`` of ``Application/SDP; charset=x``; "" when absent."""
    return (value or "").split(";", 1)[0].strip().lower()


def uas_refusal(request: Request) -> Refusal | None:
    """What a user agent server refuses before the method's own handling (RFC 3261 8.2.2, 8.2.3).

    - 416: a Request-URI scheme other than sip/sips (RFC 4475 unkscm, novelsc);
    - for INVITE, and UPDATE with a body (the requests whose bodies are SDP offers and whose
      answers carry SDP): 415 with ``Accept: application/sdp`` for a body of another type
      (invut; no Content-Type is taken as SDP), 406 when ``Accept`` excludes SDP, the only body
      the answer can have (sdp01; an empty Accept accepts nothing, RFC 3261 20.1).
    None: nothing to refuse here. Never raises on a request ``parse`` returned.
    """
    if parse_uri(request.uri).scheme not in ("sip", "sips"):
        return Refusal(416, "Unsupported URI Scheme")
    if request.method != "INVITE" and not (request.method == "UPDATE" and request.body):
        return None
    kind = media_type(request.get("Content-Type"))
    if request.body and kind and kind not in OFFER_TYPES:
        return Refusal(415, "Unsupported Media Type", (("Accept", SDP),))
    accept = request.get("Accept")
    if accept is None:
        return None
    try:
        accepted = {media_type(item) for item in split_commas(accept)}
    except ParseError:
        return Refusal(400, "Bad Request (Accept)")
    if not accepted & {SDP, "application/*", "*/*"}:
        return Refusal(406, "Not Acceptable", (("Warning", f'399 poste "the answer is {SDP} only"'),))
    return None


# ---------------------------------------------------------------- building
def sipfrag_status(body: bytes) -> int | None:
    """The status code of a ``message/sipfrag`` status line (RFC 3420, as RFC 3515 NOTIFYs carry it:
    ``SIP/2.0 403 Forbidden``), or None when the body is not a response's status line."""
    line = body.split(b"\n", 1)[0].strip().decode("utf-8", "replace")
    parts = line.split(None, 2)
    if len(parts) < 2 or not parts[0].upper().startswith("SIP/") or not parts[1].isdigit() or len(parts[1]) != 3:
        return None
    status = int(parts[1])
    return status if 100 <= status <= 699 else None


def response_to(request: Request, status: int, reason: str, to_tag: str | None = None,
                body: bytes = b"", extra: list[tuple[str, str]] | None = None) -> Response:
    """A response echoing Via, From, To (with ``to_tag`` added if missing), Call-ID and CSeq."""
    response = Response(status=status, reason=reason)
    for name in ("Via", "Record-Route"):
        for key, value in request.headers:
            if key == name:
                response.headers.append((key, value))
    for name in ("From", "Call-ID", "CSeq"):
        value = request.get(name)
        if value is not None:
            response.headers.append((name, value))
    to = request.get("To") or ""
    if to_tag and status > 100:
        try:
            has_tag = "tag" in parse_name_addr(to).params
        except ParseError:
            has_tag = True
        if not has_tag:
            to = f"{to};tag={to_tag}"
    response.headers.append(("To", to))
    if status == 100 and request.get("Timestamp"):
        response.headers.append(("Timestamp", request.get("Timestamp")))
    for key, value in extra or []:
        response.add(key, value)
    response.body = body
    return response
