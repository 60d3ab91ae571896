"""Cisco multiplatform phones (MPP: 68xx, 78xx, 88xx 3PCC) and SPA: XML ``<flat-profile>`` files.

The factory profile rule asks for ``$PSN.xml`` and SPA phones for ``spa$PSN.cfg`` (the model:
common, the same for every phone of the model); a profile rule ending in ``$MA.xml`` (or
``$MAU.xml``) fetches the phone's own ``<mac>.xml`` (lower or upper case MAC). Element names
as in Cisco's MPP provisioning guide and open provisioning servers (Wazo provd): the web
page's field names with ``_`` and ``_N_`` for line N (``User_ID_1_``, ``Password_1_``,
``Proxy_1_``...), ``Voice_Mail_Number``, ``Time_Zone``, ``Daylight_Saving_Time_Rule``.
"""
from tenants.provisioning import Vendor

MODELS = {"CP-6821-3PCC": 2, "CP-6841-3PCC": 4, "CP-7821-3PCC": 2, "CP-7841-3PCC": 4, "CP-7861-3PCC": 16,
          "CP-8811-3PCC": 10, "CP-8841-3PCC": 10, "CP-8845-3PCC": 10, "CP-8851-3PCC": 10, "CP-8861-3PCC": 10,
          "SPA502G": 1, "SPA504G": 4, "SPA508G": 8, "SPA525G2": 5}


def common_names(model: str) -> tuple[str, ...]:
    return (f"{model}.xml", f"spa{model}.cfg")


def device_names(mac: str, model: str) -> tuple[str, ...]:
    return (f"{mac}.xml", f"{mac.upper()}.xml")


def extra(config) -> dict:
    return {"transport": config.transport.upper()}


VENDOR = Vendor(key="cisco", label="Cisco MPP / SPA", models=MODELS, device_names=device_names,
                common_names=common_names, device_template="device.xml.j2", common_template="common.xml.j2",
                content_type="application/xml; charset=utf-8", check_sync_event="resync", default_lines=1,
                languages={"fr": "French", "en": "English"}, extra=extra)
