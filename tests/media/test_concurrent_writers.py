"""Issue 12: the media app, the job worker and the console's services write the one SQLite file
at the same time, and nothing fails with "database is locked" (every transaction begins
IMMEDIATE and waits on the busy timeout instead of failing)."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading

from tenants import credentials, extensions
from tenants.models import Extension, Job
from tests import factories
from tests.media.caller import Caller
from tests.media.conftest import ROOT, wait_until
from tests.media.test_media_e2e import messages

CALLERS, NEW_EXTENSIONS = 3, 15


async def _leave(media, speech) -> int:
    caller = await Caller(("127.0.0.1", media.port)).open()
    try:
        ok = await caller.invite()
        assert ok.status == 200, ok.status
        await caller.silence(0.3)
        await caller.key("#")
        await caller.silence(1.0)
        await caller.send_audio(speech)
        await caller.silence(0.3)
        return (await caller.bye()).status
    finally:
        caller.close()


def test_media_app_worker_and_console_write_at_once(media, speech, settings, smtp, mailbox_ext):
    credentials.use_fast_hashing()
    env = {**os.environ, "POSTE_DATA": str(settings.data_dir), "DATABASE_URL": settings.database_url,
           "POSTE_SMTP_HOST": "127.0.0.1", "POSTE_SMTP_PORT": str(smtp.port), "PYTHONUNBUFFERED": "1"}
    worker_log = settings.data_dir / "log" / "jobs.log"
    with open(worker_log, "w") as log:
        worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "work", "--poll", "0.2"],
                                  cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    errors: list[BaseException] = []

    def console_writes() -> None:  # what the console's "Nouveau poste" does, one after another
        try:
            tenant = factories.tenant("busy.pbx.example")
            for n in range(NEW_EXTENSIONS):
                extensions.create_extension(factories.CLI, tenant, extensions.ExtensionInput(
                    f"{2100 + n}", f"Poste {n}", f"p{n}@busy.example"))
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)

    try:
        writer = threading.Thread(target=console_writes)
        writer.start()

        async def callers():
            return await asyncio.gather(*[_leave(media, speech) for _ in range(CALLERS)])
        assert asyncio.run(asyncio.wait_for(callers(), 90)) == [200] * CALLERS
        writer.join(60)
        assert errors == [] and not writer.is_alive()
        wait_until(lambda: len(messages()) == CALLERS, 20, "every message stored")
        assert Extension.select().join(Extension.tenant.rel_model).where(
            Extension.tenant.rel_model.domain == "busy.pbx.example").count() == NEW_EXTENSIONS

        def worker_done():
            left = Job.select().where((Job.kind != "voicemail_mwi") & (Job.status != Job.DONE)).count()
            return left == 0 and Job.select().where(Job.status == Job.DONE).count() >= NEW_EXTENSIONS + CALLERS
        wait_until(worker_done, 60, "the worker's jobs done")
        smtp.wait_for(NEW_EXTENSIONS + CALLERS, 30)
    finally:
        worker.terminate()
        worker.wait(15)
    for name, text in (("media", "".join(media.lines)), ("worker", worker_log.read_text())):
        assert "database is locked" not in text, f"{name}: {text[-2000:]}"
