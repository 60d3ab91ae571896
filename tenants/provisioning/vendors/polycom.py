"""Poly/Polycom (VVX, SoundPoint IP, Trio): XML files of attributes.

The phone first asks for ``000000000000.cfg``, the master configuration file (the same for
every phone), which names the files to load next: ``[PHONE_MAC_ADDRESS]-phone.cfg``, that the
phone expands to its own ``<mac>-phone.cfg`` (lower case). Parameters as in Poly's UC
Software administrator guide and open provisioning servers (Wazo provd): ``reg.N.*``,
``msg.mwi.N.*``, ``lcl.*``, ``tcpIpApp.sntp.*``.
"""
from tenants.provisioning import Vendor

MODELS = {"VVX150": 2, "VVX250": 4, "VVX350": 6, "VVX450": 12, "VVX501": 12, "VVX601": 16,
          "SPIP331": 2, "SPIP550": 4, "SSIP6000": 1, "Trio8800": 1}


def common_names(model: str) -> tuple[str, ...]:
    return ("000000000000.cfg",)


def device_names(mac: str, model: str) -> tuple[str, ...]:
    return (f"{mac}-phone.cfg",)


def extra(config) -> dict:
    return {"transport": {"udp": "UDPOnly", "tcp": "TCPOnly", "tls": "TLS"}[config.transport]}


VENDOR = Vendor(key="polycom", label="Poly / Polycom", models=MODELS, device_names=device_names,
                common_names=common_names, device_template="device.cfg.xml.j2",
                common_template="common.cfg.xml.j2", content_type="application/xml; charset=utf-8",
                check_sync_event="check-sync", default_lines=1,
                languages={"fr": "French_France", "en": "English_United_States"}, extra=extra)
