"""kamailio.rpc against the running Kamailio: registrations, active calls, statistics, totals."""
from __future__ import annotations

import pytest

from kamailio import rpc
from tests.sip_fixtures import wait_for


def test_call_unknown_method_raises(sip):
    with pytest.raises(rpc.RpcError):
        rpc.call("no.such.method", settings=sip.settings)


def test_no_kamailio_raises_rpc_error(tmp_path):
    with pytest.raises(rpc.RpcError):
        rpc.call("core.version", path=tmp_path / "nothing.sock", timeout=0.5)
    assert not rpc.is_running(path=tmp_path / "nothing.sock")


def test_active_calls_per_tenant_and_totals(sip, directory, new_ext):
    callee, caller = new_ext(), new_ext()
    phone = sip.phone(callee.number, callee.domain, callee.password)
    call = sip.call(caller.number, caller.domain, caller.password, callee.number, hold_ms=4000, background=True)
    try:
        calls = wait_for(lambda: [c for c in rpc.active_calls("acme.pbx.example", settings=sip.settings)
                                  if c["caller"] == caller.number and c["state"] == "confirmed"], 10,
                         what="confirmed dialog")
        assert calls[0]["callee"] == callee.number and calls[0]["domain"] == "acme.pbx.example"
        assert calls[0]["started_at"] is not None
        assert not [c for c in rpc.active_calls("globex.pbx.example", settings=sip.settings)
                    if c["caller"] == caller.number]
        totals = rpc.totals_by_domain(settings=sip.settings)
        assert totals["acme.pbx.example"]["active_calls"] >= 1
        assert totals["acme.pbx.example"]["registered_extensions"] >= 1
        assert rpc.stats(settings=sip.settings)["active_calls"] >= 1
    finally:
        call.wait()
        phone.wait()
    assert call.ok, call.explain()
    wait_for(lambda: not [c for c in rpc.active_calls("acme.pbx.example", settings=sip.settings)
                          if c["caller"] == caller.number], 10, what="dialog gone")


def test_stats(sip, directory):
    s = rpc.stats(settings=sip.settings)
    assert s["uptime_seconds"] >= 0
    assert s["registered_contacts"] >= 0 and s["received_requests"] > 0


def test_unregister_removes_a_phone(sip, new_ext):
    ext = new_ext()
    assert sip.register(ext.number, ext.domain, ext.password, contact_port=15060).ok
    assert [r for r in rpc.registrations(ext.domain, settings=sip.settings) if r["extension"] == ext.number]
    rpc.unregister(ext.number, ext.domain, settings=sip.settings)
    assert not [r for r in rpc.registrations(ext.domain, settings=sip.settings) if r["extension"] == ext.number]
    rpc.unregister(ext.number, ext.domain, settings=sip.settings)  # nothing left: no error
