"""B1: what each desk phone vendor fetches, under which names, in which format.

A vendor is one module of ``tenants.provisioning.vendors`` that defines ``VENDOR`` (a
``Vendor``: its models, the names its firmware asks for, its check-sync event) and one
folder of templates under ``templates/<vendor>/``: ``device.*.j2`` (the file of one phone:
its lines, their passwords) and ``common.*.j2`` (the vendor's common or bootstrap file: the
same for every phone of every tenant, never a password, an extension or a tenant's setting).
Adding a sixth vendor is one module and its templates; ``VENDORS`` finds it.

Templates are Jinja, autoescaped for XML (``*.xml.j2``, ``*.htm.j2``); every value printed,
in any format, first loses its control characters (a newline cannot start a new key of a
``key = value`` file, nor a NUL break an XML parser): ``_one_line``.
"""
from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from jinja2 import Environment, PackageLoader, StrictUndefined

from tenants.provisioning.timezone import ZoneRule

VOICEMAIL_KEY = "*97"
COMMON, DEVICE = "common", "device"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MODEL_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")


def _one_line(value):
    """Every printed value: control characters (newlines included) become spaces."""
    if value is None:
        return ""
    return _CONTROL.sub(" ", value) if isinstance(value, str) else value


def _autoescape(name: str | None) -> bool:
    return name is not None and name.endswith((".xml.j2", ".htm.j2"))


templates = Environment(loader=PackageLoader("tenants.provisioning", "templates"), autoescape=_autoescape,
                        finalize=_one_line, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                        keep_trailing_newline=True, auto_reload=False)


@dataclass(frozen=True)
class Line:
    """One SIP account of a phone: an extension of its tenant."""

    position: int  # 1, 2, ... as the phone numbers its accounts
    number: str  # user and authentication user
    display_name: str
    password: str
    domain: str  # the tenant's SIP domain: the realm


@dataclass(frozen=True)
class PhoneConfig:
    """Everything a phone's own file says, as plain data."""

    mac: str  # 12 lowercase hex digits
    model: str
    lines: tuple[Line, ...]
    sip_address: str  # where the phone sends SIP: Kamailio (the outbound proxy)
    sip_port: int
    zone: ZoneRule
    language: str = "fr"
    transport: str = "udp"
    voicemail: str = VOICEMAIL_KEY

    @property
    def mac_upper(self) -> str:
        return self.mac.upper()

    @property
    def mac_colons(self) -> str:
        return ":".join(self.mac[i:i + 2] for i in range(0, 12, 2))


@dataclass(frozen=True)
class Vendor:
    key: str  # yealink, polycom, ...: the CLI's --vendor
    label: str
    models: dict[str, int]  # known models and how many lines (SIP accounts) each has
    device_names: Callable[[str, str], tuple[str, ...]]  # (mac, model) -> what the firmware asks for
    common_names: Callable[[str], tuple[str, ...]]  # model -> its common or bootstrap files
    device_template: str  # under templates/<key>/
    common_template: str
    content_type: str
    check_sync_event: str = "check-sync"  # the Event of the NOTIFY that makes the phone fetch again
    default_lines: int = 1  # a model not in ``models``
    languages: dict[str, str] = field(default_factory=dict)  # "fr" -> the vendor's word for French
    extra: Callable[[PhoneConfig], dict] = lambda config: {}  # more values for its templates

    def max_lines(self, model: str) -> int:
        return self.models.get(model, self.default_lines)

    def files(self, mac: str, model: str, assigned: bool) -> dict[str, str]:
        """The names this phone may fetch, each ``COMMON`` or ``DEVICE`` (its own file: only
        while it serves at least one extension)."""
        names = {name: COMMON for name in self.common_names(model)}
        if assigned:
            names.update({name: DEVICE for name in self.device_names(mac, model)})
        return names

    def language(self, code: str) -> str:
        return self.languages.get(code) or self.languages.get("fr", "")

    def render_device(self, config: PhoneConfig) -> str:
        template = templates.get_template(f"{self.key}/{self.device_template}")
        return template.render(c=config, lang=self.language(config.language), z=config.zone, **self.extra(config))

    def render_common(self, model: str) -> str:
        """The same text for every phone of this model, whoever owns it."""
        return templates.get_template(f"{self.key}/{self.common_template}").render(model=model,
                                                                                   lang=self.language("fr"))


def _discover() -> dict[str, Vendor]:
    """Every module of ``tenants.provisioning.vendors``, by its vendor's key, in key order."""
    from tenants.provisioning import vendors

    found = [importlib.import_module(f"{vendors.__name__}.{info.name}").VENDOR
             for info in pkgutil.iter_modules(vendors.__path__)]
    return {v.key: v for v in sorted(found, key=lambda v: v.key)}


VENDORS: dict[str, Vendor] = _discover()


def vendor(key: str) -> Vendor | None:
    return VENDORS.get((key or "").strip().lower())
