"""Each vendor's file read back as its firmware reads it (``key = value`` text, or XML parsed by a
real parser), into the same plain fields, so a test can compare vendors with one assertion."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass


@dataclass(frozen=True)
class Account:
    domain: str  # the registrar / realm
    port: str
    proxy: str  # where SIP goes: host:port
    transport: str
    user: str
    auth_user: str
    password: str
    display_name: str
    voicemail: str
    mwi: str  # what says message waiting is subscribed / shown


@dataclass(frozen=True)
class Phone:
    accounts: dict[int, Account]
    language: str
    zone: str  # the time zone as the file states it
    date_format: str
    time_format: str
    keys: dict  # every key of the file


def yealink_keys(text: str) -> dict[str, str]:
    lines = text.splitlines()
    assert lines[0] == "#!version:1.0.0.1", lines[0]  # Yealink's mandatory first line
    keys = {}
    for line in lines[1:]:
        if not line.strip() or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep, f"not a key = value line: {line!r}"
        assert key.strip() not in keys, f"key given twice: {key.strip()}"
        keys[key.strip()] = value.strip()
    return keys


def yealink(text: str) -> Phone:
    k = yealink_keys(text)
    accounts = {}
    for n in sorted({int(key.split(".")[1]) for key in k if key.startswith("account.")}):
        a = f"account.{n}."
        accounts[n] = Account(k[a + "sip_server.1.address"], k[a + "sip_server.1.port"],
                              f'{k[a + "outbound_proxy.1.address"]}:{k[a + "outbound_proxy.1.port"]}',
                              {"0": "udp", "1": "tcp", "2": "tls"}[k[a + "sip_server.1.transport_type"]],
                              k[a + "user_name"], k[a + "auth_name"], k[a + "password"], k[a + "display_name"],
                              k[f"voice_mail.number.{n}"], k[a + "subscribe_mwi"])
    zone = f'{k["local_time.time_zone"]} dst={k["local_time.summer_time"]} {k.get("local_time.start_time")} ' \
           f'{k.get("local_time.end_time")}'
    return Phone(accounts, k["lang.gui"], zone, k["local_time.date_format"], k["local_time.time_format"], k)


def polycom(text: str) -> Phone:
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "polycomConfig"
    k = dict(root.attrib)
    accounts = {}
    for n in sorted({int(key.split(".")[1]) for key in k if key.startswith("reg.")}):
        r = f"reg.{n}."
        accounts[n] = Account(k[r + "server.1.address"], k[r + "server.1.port"],
                              f'{k[r + "outboundProxy.address"]}:{k[r + "outboundProxy.port"]}',
                              {"UDPOnly": "udp", "TCPOnly": "tcp", "TLS": "tls"}[k[r + "server.1.transport"]],
                              k[r + "address"], k[r + "auth.userId"], k[r + "auth.password"], k[r + "displayName"],
                              k[f"msg.mwi.{n}.callBack"], k[f"msg.mwi.{n}.subscribe"])
    zone = f'{k["tcpIpApp.sntp.gmtOffset"]} dst={k["tcpIpApp.sntp.daylightSavings.enable"]}'
    return Phone(accounts, k["lcl.ml.lang"], zone, k["lcl.datetime.date.format"],
                 k["lcl.datetime.time.24HourClock"], k)


def grandstream(text: str) -> Phone:
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "gs_provision"
    k = {child.tag: child.text or "" for child in root.find("config")}
    accounts = {}
    for n in (1, 2, 3, 4):
        keys = ("P47", "P48", "P35", "P36", "P34", "P3", "P33", "P130", "P99") if n == 1 else \
            tuple(f"P{n + 2}{s}" for s in ("02", "03", "04", "05", "06", "07", "26", "48", "15"))
        if keys[0] not in k:
            continue
        server, proxy, user, auth, password, display, voicemail, transport, mwi = (k[key] for key in keys)
        domain, _, port = server.rpartition(":")
        accounts[n] = Account(domain, port, proxy, {"0": "udp", "1": "tcp", "2": "tls"}[transport], user, auth,
                              password, display, voicemail, mwi)
    return Phone(accounts, k["P1362"], k["P64"], k["P102"], k["P122"], k)


def snom(text: str) -> Phone:
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "settings"
    k = {}
    for child in root.find("phone-settings"):
        k[(child.tag, child.get("idx"))] = child.text or ""
    accounts = {}
    for n in sorted({int(idx) for (tag, idx) in k if tag == "user_name"}):
        i = str(n)
        domain, _, port = k[("user_host", i)].rpartition(":")
        outbound, _, transport = k[("user_outbound", i)].partition(";transport=")
        accounts[n] = Account(domain, port, outbound, transport, k[("user_name", i)], k[("user_pname", i)],
                              k[("user_pass", i)], k[("user_realname", i)], k[("user_mailbox", i)],
                              k[("user_mailbox", i)])
    zone = f'{k[("utc_offset", None)]} dst={k[("dst", None)]}'
    return Phone(accounts, k[("language", None)], zone, k[("date_us_format", None)], k[("time_24_format", None)],
                 {f"{tag}{'.' + idx if idx else ''}": v for (tag, idx), v in k.items()})


def cisco(text: str) -> Phone:
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "flat-profile"
    k = {child.tag: child.text or "" for child in root}
    accounts = {}
    for n in sorted({int(tag.split("_")[-2]) for tag in k if tag.startswith("User_ID_")}):
        s = f"_{n}_"
        domain, _, port = k["Proxy" + s].rpartition(":")
        accounts[n] = Account(domain, port, k["Outbound_Proxy" + s], k["SIP_Transport" + s].lower(), k["User_ID" + s],
                              k["Auth_ID" + s], k["Password" + s], k["Display_Name" + s], k["Voice_Mail_Number"],
                              k["Mailbox_ID" + s])
    zone = f'{k["Time_Zone"]} dst={k["Daylight_Saving_Time_Enable"]} {k.get("Daylight_Saving_Time_Rule")}'
    return Phone(accounts, k["Language_Selection"], zone, k["Date_Format"], k["Time_Format"], k)


READERS = {"yealink": yealink, "polycom": polycom, "grandstream": grandstream, "snom": snom, "cisco": cisco}

# What each vendor's file says for acme (Europe/Paris, French): language, time zone, date and time formats,
# and what marks message waiting as subscribed for the account of extension 2001.
PARIS = {
    "yealink": ("French", "+1 dst=1 3/5/7/2 10/5/7/3", "3", "1", "1"),
    "polycom": ("French_France", "3600 dst=1", "D,dM", "1", "2001"),
    "grandstream": ("fr", "CET-1CEST,M3.5.0,M10.5.0/3", "2", "1", "1"),
    "snom": ("Francais", "+3600 dst=3600 03.05.07 02:00:00 10.05.07 03:00:00", "off", "on", "*97"),
    "cisco": ("French", "GMT+01:00 dst=yes start=3/-1/7/02:00:00;end=10/-1/7/03:00:00;save=1:00:00",
              "day/month", "24hr", "2001"),
}
