"""Issue 12: the media app asks for real-time scheduling by default, says in one line when the
system refuses it, and runs on (end to end: tests/ops/test_two_stacks.py, as root and without
CAP_SYS_NICE)."""
from __future__ import annotations

import logging
import os

import pytest

from rtp.mediaapp import __main__ as media_main
from tenants.config import load_settings


@pytest.fixture
def calls(monkeypatch):
    made = []

    def fake(tid, policy, param):
        made.append((tid, policy, param.sched_priority))
    monkeypatch.setattr(os, "sched_setscheduler", fake)
    return made


def test_on_by_default_for_every_thread(tmp_path, calls, caplog):
    caplog.set_level(logging.INFO, "rtp.mediaapp")
    assert load_settings({"POSTE_DATA": str(tmp_path)}).media_realtime is True
    assert media_main.realtime(True) is True
    assert sorted(tid for tid, _p, _q in calls) == sorted(int(t) for t in os.listdir("/proc/self/task"))
    assert {(policy, priority) for _t, policy, priority in calls} == {(os.SCHED_RR, 10)}
    assert [r.getMessage() for r in caplog.records] == ["real-time scheduling on (SCHED_RR, priority 10)"]


def test_refused_is_one_clear_line_and_not_an_error(monkeypatch, caplog):
    caplog.set_level(logging.INFO, "rtp.mediaapp")

    def refuse(tid, policy, param):
        raise PermissionError(1, "Operation not permitted")
    monkeypatch.setattr(os, "sched_setscheduler", refuse)
    assert media_main.realtime(True) is False
    (record,) = caplog.records
    assert record.levelno == logging.WARNING
    assert record.getMessage().startswith("real-time scheduling refused (Operation not permitted): ")
    assert "LimitRTPRIO=10" in record.getMessage() and "\n" not in record.getMessage()


def test_off_when_told(tmp_path, calls, caplog):
    caplog.set_level(logging.INFO, "rtp.mediaapp")
    assert load_settings({"POSTE_DATA": str(tmp_path), "POSTE_MEDIA_REALTIME": "0"}).media_realtime is False
    assert media_main.realtime(False) is False and calls == []
    assert [r.getMessage() for r in caplog.records] == ["real-time scheduling off (POSTE_MEDIA_REALTIME=0)"]
