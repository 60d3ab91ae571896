"""Snom (D1xx, D3xx, D7xx, D8xx): XML settings files (``<settings><phone-settings>``).

The phone asks for ``snom<model>.htm`` (common: the same for every phone of the model),
then its own ``snom<model>-<MAC>.htm`` or, with a setting URL ending in ``{mac}.xml``, its
own ``<MAC>.xml`` (upper case MAC). Settings as in Snom's wiki and open provisioning
servers (Wazo provd): ``user_*`` (``idx`` is the line), ``user_mailbox`` (the voicemail
number, also what the phone subscribes to for message waiting), ``language``,
``utc_offset``/``dst``, ``date_us_format``, ``time_24_format``.
"""
from tenants.provisioning import Vendor

MODELS = {"D120": 1, "D140": 2, "D315": 4, "D335": 12, "D385": 12, "D713": 4, "D715": 4, "D717": 6,
          "D735": 12, "D785": 12, "D812": 12, "D815": 12, "D862": 12, "D865": 12}


def common_names(model: str) -> tuple[str, ...]:
    return (f"snom{model}.htm",)


def device_names(mac: str, model: str) -> tuple[str, ...]:
    return (f"{mac.upper()}.xml", f"snom{model}-{mac.upper()}.htm")


VENDOR = Vendor(key="snom", label="Snom", models=MODELS, device_names=device_names, common_names=common_names,
                device_template="device.xml.j2", common_template="common.htm.j2",
                content_type="application/xml; charset=utf-8", check_sync_event="check-sync;reboot=false",
                default_lines=1, languages={"fr": "Francais", "en": "English"})
