"""Desk phones (sipp) register and call through a real Kamailio and rtpengine (B2, C1, protections)."""
from __future__ import annotations

import datetime as dt
import time

from kamailio import rpc
from tenants import extensions
from tests import factories
from tests.sip_fixtures import assert_ok, flood, free_port, probe, wait_for

# ------------------------------------------------------------------ registration

def test_register_with_the_extension_password_per_domain(sip, directory, own_ip):
    a, g = directory.acme_2001, directory.globex_2001
    assert a.password != g.password
    assert_ok(sip.register("2001", "acme.pbx.example", a.password, contact_port=15001, ua="Yealink SIP-T46U"))
    assert_ok(sip.register("2001", "globex.pbx.example", g.password, contact_port=15002))
    # the same number in the other tenant is another account: its password does not fit
    ip = own_ip()
    assert_ok(sip.register("2001", "acme.pbx.example", g.password, expect=401, local_ip=ip))
    assert_ok(sip.register("2001", "globex.pbx.example", a.password, expect=401, local_ip=ip))

    acme = rpc.registrations("acme.pbx.example", settings=sip.settings)
    mine = [r for r in acme if r["contact"].endswith(":15001")]
    assert len(mine) == 1
    assert mine[0]["extension"] == "2001" and mine[0]["user_agent"] == "Yealink SIP-T46U"
    assert mine[0]["registered_at"] is not None and mine[0]["expires_in"] > 3500
    assert all(r["domain"] == "acme.pbx.example" for r in acme)
    globex = rpc.registrations("globex.pbx.example", settings=sip.settings)
    contacts = [r["contact"] for r in globex if r["extension"] == "2001"]
    assert "sip:2001@127.0.0.1:15002" in contacts and "sip:2001@127.0.0.1:15001" not in contacts


def test_registered_at_is_kept_across_refreshes(sip, new_ext):
    ext = new_ext()
    assert_ok(sip.register(ext.number, ext.domain, ext.password, contact_port=15010))
    first = [r for r in rpc.registrations(ext.domain, settings=sip.settings) if r["extension"] == ext.number][0]
    # Kamailio stamps whole seconds: refresh only once the clock is past the first stamp, so a
    # refresh that reset the time would show a later one
    stamp = first["registered_at"].replace(tzinfo=dt.UTC).timestamp()
    wait_for(lambda: time.time() >= stamp + 1, 3, what="the next second")
    assert_ok(sip.register(ext.number, ext.domain, ext.password, contact_port=15010))
    again = [r for r in rpc.registrations(ext.domain, settings=sip.settings) if r["extension"] == ext.number]
    assert len(again) == 1 and again[0]["registered_at"] == first["registered_at"]
    assert again[0]["last_refresh"] > first["registered_at"]  # it was refreshed, later


def test_unregister_with_expires_zero(sip, new_ext):
    ext = new_ext()
    assert_ok(sip.register(ext.number, ext.domain, ext.password, contact_port=15011))
    assert_ok(sip.register(ext.number, ext.domain, ext.password, contact_port=15011, expires=0))
    assert not [r for r in rpc.registrations(ext.domain, settings=sip.settings) if r["extension"] == ext.number]


# ------------------------------------------------------------------ calls (C1)

def test_call_between_two_extensions_is_answered_through_rtpengine(sip, new_ext):
    callee, caller = new_ext(), new_ext()
    phone = sip.phone(callee.number, callee.domain, callee.password)
    # both sipp scenarios check that the SDP they receive carries rtpengine's address
    call = sip.call(caller.number, caller.domain, caller.password, callee.number)
    assert_ok(call)
    assert_ok(phone.wait())
    # call start and end are accounted for the call history: wait for both rows (the BYE's is written
    # after sipp has already seen its 200) and for the dialog's CDR, each written by its own worker
    def acc_rows():
        found = sip.db.execute_sql("SELECT method, sip_code, src_user, src_domain, dst_ouser FROM acc WHERE src_user = "
                                   f"{sip.db.param} ORDER BY id", (caller.number,)).fetchall()
        return found if len(found) >= 2 else None

    rows = wait_for(acc_rows, 15, what="the INVITE's and the BYE's acc rows")
    assert [r[:2] for r in rows] == [("INVITE", "200"), ("BYE", "200")]
    assert rows[0][2:] == (caller.number, "acme.pbx.example", callee.number)
    cdr = wait_for(lambda: sip.db.execute_sql(
        f"SELECT src_user, dst_user, src_domain FROM acc_cdrs WHERE src_user = {sip.db.param}",
        (caller.number,)).fetchall() or None, 15, what="the call's CDR")
    assert cdr == [(caller.number, callee.number, "acme.pbx.example")]


def test_every_registered_phone_of_the_extension_rings(sip, new_ext):
    """C1: two phones registered for one extension both get the INVITE; when one answers,
    the other is cancelled."""
    callee, caller = new_ext(), new_ext()
    desk = sip.phone(callee.number, callee.domain, callee.password)
    port = free_port()
    other = sip.sipp("uas_ring", port=port, background=True, timeout=20)
    assert_ok(sip.register(callee.number, callee.domain, callee.password, contact_port=port))
    assert_ok(sip.call(caller.number, caller.domain, caller.password, callee.number))
    assert_ok(desk.wait())
    assert_ok(other.wait())  # it rang (180), then received the CANCEL and answered 487


def test_unknown_extension_gets_404(sip, directory):
    a = directory.acme_2002
    assert_ok(sip.call("2002", "acme.pbx.example", a.password, "2999", expect=404))
    assert_ok(sip.call("2002", "acme.pbx.example", a.password, "999999", expect=404))


def test_known_but_unregistered_extension_gets_480(sip, directory, new_ext):
    silent = new_ext()
    assert_ok(sip.call("2002", "acme.pbx.example", directory.acme_2002.password, silent.number, expect=480))


def test_a_tenant_never_reaches_another_tenants_extension(sip, directory, new_ext):
    acme_ext = new_ext(directory.acme)
    globex_twin = factories.extension(directory.globex, acme_ext.number, name="Twin Globex")  # noqa: F841
    phone = sip.phone(acme_ext.number, acme_ext.domain, acme_ext.password, timeout=4)
    g = directory.globex_2002
    # globex's extension of the same number has no phone: 480, and acme's phone does not ring
    assert_ok(sip.call("2002", "globex.pbx.example", g.password, acme_ext.number, expect=480))
    # naming acme's domain in the request URI does not help
    assert_ok(sip.call("2002", "globex.pbx.example", g.password, acme_ext.number, expect=403,
                       callee_domain="acme.pbx.example"))
    phone.wait()
    assert "INVITE" not in "".join(p.read_text() for p in phone.work.glob("*_messages.log"))
    assert not phone.ok  # it timed out waiting for a call that never came


# ------------------------------------------------------------------ changes take effect at once

def test_extension_changes_take_effect_without_restart(sip, directory, own_ip):
    acme = directory.acme
    ext, password = extensions.create_extension(
        factories.CLI, acme, extensions.ExtensionInput("2777", "Nouveau Poste", "n2777@acme.example"))
    assert_ok(sip.register("2777", acme.domain, password, contact_port=15020))

    new_password = extensions.set_sip_password(factories.CLI, ext, "a-brand-new-secret-2777")
    ip = own_ip()
    assert_ok(sip.register("2777", acme.domain, password, expect=401, local_ip=ip))
    assert_ok(sip.register("2777", acme.domain, new_password, contact_port=15020))

    extensions.update_extension(factories.CLI, ext, extensions.ExtensionInput("2778", "Nouveau Poste",
                                                                               "n2777@acme.example"))
    assert_ok(sip.register("2778", acme.domain, new_password, contact_port=15021))
    assert_ok(sip.register("2777", acme.domain, new_password, expect=401, local_ip=ip))

    extensions.delete_extension(factories.CLI, ext)
    assert_ok(sip.register("2778", acme.domain, new_password, expect=401, local_ip=own_ip()))


def test_suspended_tenant_domain_is_refused_at_once(sip):
    from tenants import tenancy
    from tenants.models import Tenant

    t = factories.tenant("initech.pbx.example")
    ext, password = extensions.create_extension(
        factories.CLI, t, extensions.ExtensionInput("2001", "Peter Gibbons", "peter@initech.example"))
    assert_ok(sip.register("2001", t.domain, password, contact_port=15030))
    tenancy.set_status(factories.CLI, Tenant.get_by_id(t.id), Tenant.SUSPENDED)
    run = sip.sipp("request_once", substitutions={"METHOD": "REGISTER", "EXPECT": 403},
                   variables={"user": "2001", "domain": t.domain, "ruser": "2001", "rdomain": t.domain, "ua": "x"})
    assert_ok(run)
    # and its phones can no longer call
    run = sip.sipp("request_once", substitutions={"METHOD": "INVITE", "EXPECT": 403},
                   variables={"user": "2001", "domain": t.domain, "ruser": "2001", "rdomain": t.domain, "ua": "x"})
    assert_ok(run)


# ------------------------------------------------------------------ protections

def test_unknown_domain_is_refused(sip):
    run = sip.sipp("request_once", substitutions={"METHOD": "REGISTER", "EXPECT": 403},
                   variables={"user": "2001", "domain": "unknown.example", "ruser": "2001",
                              "rdomain": "unknown.example", "ua": "x"})
    assert_ok(run)


def test_no_relaying_for_unauthenticated_callers(sip, directory):
    def invite(from_domain, to_domain, expect):
        return sip.sipp("request_once", substitutions={"METHOD": "INVITE", "EXPECT": expect},
                        variables={"user": "mallory", "domain": from_domain, "ruser": "0033123456789",
                                   "rdomain": to_domain, "ua": "x"})

    assert_ok(invite("elsewhere.example", "carrier.example", 403))  # open relay: no
    assert_ok(invite("elsewhere.example", "acme.pbx.example", 403))  # no inbound trunks yet
    assert_ok(invite("acme.pbx.example", "carrier.example", 407))  # claims to be ours: must authenticate


def test_known_scanners_are_dropped(sip, own_ip):
    ip = own_ip()
    assert probe(ip, sip.sip_port) == 200
    assert probe(ip, sip.sip_port, ua="friendly-scanner") is None
    assert probe(ip, sip.sip_port, ua="sipvicious/0.3.4") is None
    assert probe(ip, sip.sip_port, ua="iWar") is None  # matched whatever its case
    assert probe(ip, sip.sip_port) == 200  # the source itself is not banned


def test_ban_after_repeated_failed_authentications_while_others_keep_working(sip, directory, own_ip):
    bad = own_ip()
    a = directory.acme_2002
    for _ in range(sip.options.auth_fail_max - 1):
        assert_ok(sip.register("2002", "acme.pbx.example", "wrong-password-123", expect=401, local_ip=bad))
    assert_ok(sip.register("2002", "acme.pbx.example", "wrong-password-123", expect=403, local_ip=bad))
    # the banned source gets no answer at all, even with the right password
    assert probe(bad, sip.sip_port) is None
    assert not sip.register("2002", "acme.pbx.example", a.password, local_ip=bad, contact_port=15040).ok
    # another source keeps working
    assert_ok(sip.register("2002", "acme.pbx.example", a.password, contact_port=15041))
    assert probe(own_ip(), sip.sip_port) == 200


def test_flood_from_one_source_is_cut_by_pike(sip, own_ip):
    noisy, quiet = own_ip(), own_ip()
    flood(noisy, sip.sip_port, sip.options.pike_density * 4)
    wait_for(lambda: probe(noisy, sip.sip_port, wait=0.3) is None, 5, what="pike ban")
    assert probe(quiet, sip.sip_port) == 200


# ------------------------------------------------------------------ restart

def test_registrations_survive_a_kamailio_restart(sip, new_ext):
    ext = new_ext()
    assert_ok(sip.register(ext.number, ext.domain, ext.password, contact_port=15050))
    sip.restart_kamailio()
    regs = [r for r in rpc.registrations(ext.domain, settings=sip.settings) if r["extension"] == ext.number]
    assert [r["contact"] for r in regs] == [f"sip:{ext.number}@127.0.0.1:15050"]
    callee = new_ext()
    phone = sip.phone(callee.number, callee.domain, callee.password)
    assert_ok(sip.call(ext.number, ext.domain, ext.password, callee.number))
    assert_ok(phone.wait())
