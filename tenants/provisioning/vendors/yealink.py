"""Yealink (T2x, T3x, T4x, T5x): ``key = value`` text files.

The phone asks for its model's common file ``y0000000000XX.cfg`` (XX: the hardware id of its
firmware family; ``y000000000000.cfg`` for all of them) and its own ``<mac>.cfg``, the MAC in
lower case (upper case accepted too). Keys as in Yealink's administrator guides and the
templates of open provisioning servers (Wazo provd, FusionPBX): ``account.N.*``,
``voice_mail.number.N``, ``local_time.*`` (date format 3: DD/MM/YYYY; time format 1: 24 h).
"""
from tenants.provisioning import Vendor

# Model -> SIP accounts, and the hardware id that names its common file.
MODELS = {"T19P_E2": 1, "T21P_E2": 2, "T23G": 3, "T27G": 6, "T31G": 2, "T31P": 2, "T33G": 4, "T41S": 6,
          "T42S": 12, "T46S": 16, "T48S": 16, "T46U": 16, "T48U": 16, "T53W": 12, "T54W": 16, "T57W": 16,
          "T58W": 16, "CP920": 1}
HARDWARE = {"T48S": 65, "T46S": 66, "T42S": 67, "T41S": 68, "T27G": 69, "CP920": 78, "T53W": 95, "T54W": 96,
            "T57W": 97, "T46U": 108, "T48U": 108, "T31G": 124, "T31P": 124, "T33G": 124, "T58W": 150}


def common_names(model: str) -> tuple[str, ...]:
    names: tuple[str, ...] = ("y000000000000.cfg",)
    if model in HARDWARE:
        names += (f"y{HARDWARE[model]:012d}.cfg",)
    return names


def device_names(mac: str, model: str) -> tuple[str, ...]:
    return (f"{mac}.cfg", f"{mac.upper()}.cfg")


def extra(config) -> dict:
    return {"transport_type": {"udp": 0, "tcp": 1, "tls": 2}[config.transport]}


VENDOR = Vendor(key="yealink", label="Yealink", models=MODELS, device_names=device_names,
                common_names=common_names, device_template="device.cfg.j2", common_template="common.cfg.j2",
                content_type="text/plain; charset=utf-8", check_sync_event="check-sync;reboot=false",
                default_lines=1, languages={"fr": "French", "en": "English"}, extra=extra)
