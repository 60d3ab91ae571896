"""The media app's share of the job queue: message-waiting NOTIFYs (F1).

Kamailio trusts requests from the media app's own SIP socket carrying the shared
secret, nothing else; so the ``voicemail_mwi`` jobs run here, not in the job worker,
and their NOTIFY leaves through the media app's one SIP stack. A job reads the
counts when it runs, so a retried job never lights the lamp with stale data.
"""
from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from rtp import mwi
from rtp.sip.stack import SipStack
from rtp.sip.transport import Address
from tenants import jobs
from tenants.db import database
from tenants.models import Extension, Tenant
from tenants.voicemail import notify
from tenants.voicemail.service import mwi_counts

log = logging.getLogger(__name__)
NO_PHONE = (404, 408, 410, 480)  # nothing registered: nothing to light
POLL_SECONDS = 0.5
LANES = 4  # jobs run side by side: one phone slow to answer never holds back the others


class MwiJobs:
    """Runs the media app's jobs on threads of their own; sends through ``stack`` to ``proxy``."""

    def __init__(self, stack: SipStack, proxy: Address, poll: float = POLL_SECONDS):
        self.stack, self.proxy, self.poll = stack, proxy, poll
        self.pool = ThreadPoolExecutor(max_workers=LANES, thread_name_prefix="media-jobs")
        self.loop: asyncio.AbstractEventLoop | None = None
        self.wake = asyncio.Event()
        self._tasks: list[asyncio.Task] = []

    def handlers(self) -> dict[str, jobs.Handler]:
        """Every kind the media app runs (``jobs.MEDIA``), and the function that runs it."""
        return {notify.MWI_JOB: self.run_job}

    def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        for kind, run in self.handlers().items():
            jobs.register(kind, run)
        jobs.require_handlers(jobs.MEDIA)
        self._tasks = [asyncio.ensure_future(self._serve()) for _ in range(LANES)]

    def kick(self) -> None:
        """A change was just queued here: look now rather than at the next poll."""
        self.wake.set()

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        self.pool.shutdown(wait=False, cancel_futures=True)

    async def _serve(self) -> None:
        assert self.loop is not None
        while True:
            try:
                ran = await self.loop.run_in_executor(self.pool, _run_due)
            except Exception:  # a database hiccup must not stop message waiting for good
                log.exception("media app job loop failed; retrying")
                ran = 0
            if not ran:
                self.wake.clear()
                try:
                    await asyncio.wait_for(self.wake.wait(), self.poll)
                except TimeoutError:
                    pass

    def run_job(self, payload: dict) -> None:
        """The ``voicemail_mwi`` handler (on the jobs thread): one NOTIFY, its answer awaited."""
        ext = (Extension.select(Extension, Tenant).join(Tenant)
               .where(Extension.id == payload["extension_id"]).first())
        if ext is None:
            return
        counts = mwi_counts(ext.id)
        assert self.loop is not None
        request = mwi.unsolicited_notify(self.stack, ext.number, ext.tenant.domain, counts)
        sent = asyncio.run_coroutine_threadsafe(
            self.stack.send_request(request, self.stack.link_to(self.proxy)), self.loop)
        status = sent.result(timeout=64 * self.stack.t1 + 5).status
        if 200 <= status < 300 or status in NO_PHONE:
            return
        raise RuntimeError(f"MWI NOTIFY for {ext.number}@{ext.tenant.domain} answered {status}")


def _run_due() -> int:
    with database.connection_context():
        return jobs.run_due(runner=jobs.MEDIA, limit=10)
