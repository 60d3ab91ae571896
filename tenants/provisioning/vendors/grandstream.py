"""Grandstream (GXP, GRP): XML files of P-values (``<gs_provision>``).

The phone asks for its own ``cfg<mac>.xml`` (lower case), then ``cfg<model>.xml`` and
``cfg.xml`` (common, the same for every phone). P-values as in Grandstream's configuration
templates and open provisioning servers (Wazo provd): account 1 is P271 (active), P270
(account name), P47 (SIP server), P48 (outbound proxy), P35 (user), P36 (authentication
user), P34 (password), P3 (display name), P33 (voicemail), P99 (MWI subscription), P130
(transport, 0 UDP); accounts 2 to 4 at P4xx, P5xx, P6xx (P401, P417, P402, P403, P404, P405,
P406, P407, P426, P448, P415). P1362 language, P64 time
zone (POSIX TZ), P102 date format (2: day-month-year), P122 time format (1: 24 h).
"""
from tenants.provisioning import Vendor

# Accounts 2-4 only follow the P4xx-P6xx pattern: at most 4 lines are provisioned.
MODELS = {"GXP1625": 2, "GXP1630": 3, "GXP2130": 3, "GXP2140": 4, "GXP2160": 4, "GXP2170": 4,
          "GRP2612": 2, "GRP2614": 4, "GRP2616": 4, "GRP2624": 4}
ACCOUNT_1 = {"active": "P271", "name": "P270", "server": "P47", "proxy": "P48", "user": "P35", "auth": "P36",
             "password": "P34", "display": "P3", "voicemail": "P33", "transport": "P130", "mwi": "P99"}
OTHER_ACCOUNTS = {"active": "01", "name": "17", "server": "02", "proxy": "03", "user": "04", "auth": "05",
                  "password": "06", "display": "07", "voicemail": "26", "transport": "48", "mwi": "15"}


def keys(position: int) -> dict[str, str]:
    if position == 1:
        return ACCOUNT_1
    return {what: f"P{position + 2}{suffix}" for what, suffix in OTHER_ACCOUNTS.items()}


def common_names(model: str) -> tuple[str, ...]:
    return ("cfg.xml", f"cfg{model.lower()}.xml")


def device_names(mac: str, model: str) -> tuple[str, ...]:
    return (f"cfg{mac}.xml",)


def extra(config) -> dict:
    return {"keys": keys, "transport": {"udp": 0, "tcp": 1, "tls": 2}[config.transport]}


VENDOR = Vendor(key="grandstream", label="Grandstream", models=MODELS, device_names=device_names,
                common_names=common_names, device_template="device.xml.j2", common_template="common.xml.j2",
                content_type="application/xml; charset=utf-8", check_sync_event="check-sync", default_lines=1,
                languages={"fr": "fr", "en": "en"}, extra=extra)
