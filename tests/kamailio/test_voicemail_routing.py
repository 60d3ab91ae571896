"""Calls through Kamailio reach the real media app (issues 6 and 7): no answer, busy, no phone,
*97, message-waiting. One Kamailio + rtpengine + media app process for the module, sharing
one POSTE_DATA and database; desk phones are sipp, the caller speaks real RTP."""
from __future__ import annotations

import asyncio

import pytest

from rtp.sip.message import parse_name_addr, parse_uri
from tenants import jobs
from tenants.models import Extension, Job, Mailbox
from tenants.voicemail import notify, service, tenant_options
from tenants.voicemail.models import VoiceMessage
from tests import factories
from tests.kamailio.conftest import make_ext
from tests.kamailio.media_stack import media_stack, shared_prompts  # noqa: F401  (shared_prompts: tests/mailbox)
from tests.kamailio.phone_caller import PhoneCaller
from tests.media.caller import Message
from tests.sip_fixtures import assert_ok, free_port, wait_for

MEDIA_ADDRESS = "127.0.0.6"  # the media app's own address: only it is trusted without digest auth
DOMAIN = "voice.pbx.example"



@pytest.fixture(scope="module")
def sip():
    with media_stack(MEDIA_ADDRESS) as stack:
        yield stack



def messages_for(ext):
    return list(VoiceMessage.select().join(Mailbox).where(Mailbox.extension == ext.model.id))


def leave_message(sip, caller, dialled: str, speech) -> int:
    """``caller`` calls ``dialled`` through Kamailio, is answered by the media app, speaks, hangs up."""
    async def main():
        phone = await PhoneCaller(("127.0.0.1", sip.sip_port), caller.number, DOMAIN, caller.password,
                                  dialled).open()
        try:
            answer = await phone.invite()
            if answer.status != 200:
                return answer.status
            assert "Poste-Media" in (answer.get("Server") or ""), "answered by someone else than the media app"
            await phone.silence(0.3)
            await phone.key("#")  # skip the greeting
            await phone.silence(1.0)  # the beep
            await phone.send_audio(speech)
            await phone.silence(0.5)
            assert (await phone.bye()).status == 200
            return 200
        finally:
            phone.close()
    return asyncio.run(asyncio.wait_for(main(), 60))


def test_unanswered_phone_sends_the_caller_to_voicemail_noanswer(sip, ext, speech):
    callee, caller = ext(), ext()
    Extension.update(no_answer_seconds=2).where(Extension.id == callee.model.id).execute()
    port = free_port()
    phone = sip.sipp("uas_ring", background=True, port=port)
    assert_ok(sip.register(callee.number, DOMAIN, callee.password, contact_port=port))
    assert leave_message(sip, caller, callee.number, speech) == 200
    assert_ok(phone.wait())  # the phone rang and was cancelled
    (message,) = wait_for(lambda: messages_for(callee), 15, what="the voice message row")
    assert message.reason == "noanswer" and message.folder == "new" and message.caller_number == caller.number
    assert message.duration_ms > 1000


def test_unregistered_extension_goes_to_voicemail_unavailable(sip, ext, speech):
    callee, caller = ext(), ext()
    assert leave_message(sip, caller, callee.number, speech) == 200
    (message,) = wait_for(lambda: messages_for(callee), 15, what="the voice message row")
    assert message.reason == "unavailable"


def test_busy_phone_goes_to_voicemail_busy(sip, ext, speech):
    callee, caller = ext(), ext()
    port = free_port()
    phone = sip.sipp("uas_busy", background=True, port=port)
    assert_ok(sip.register(callee.number, DOMAIN, callee.password, contact_port=port))
    assert leave_message(sip, caller, callee.number, speech) == 200
    assert_ok(phone.wait())
    (message,) = wait_for(lambda: messages_for(callee), 15, what="the voice message row")
    assert message.reason == "busy"


def test_unknown_extension_is_still_404(sip, ext):
    caller = ext()
    assert_ok(sip.call(caller.number, DOMAIN, caller.password, "2999", expect=404))


def test_message_waiting_reaches_the_registered_phone(sip, ext, speech):
    box, caller = ext(), ext()
    assert leave_message(sip, caller, box.number, speech) == 200
    wait_for(lambda: messages_for(box), 15, what="the voice message row")
    assert service.mwi_counts(box.model.id).new == 1

    def done():
        return [j for j in Job.select().where((Job.kind == "voicemail_mwi") & (Job.status == Job.DONE))
                if j.payload.get("extension_id") == box.model.id]
    wait_for(done, 10, what="the media app running the MWI job (no phone yet: 480, done)")
    port = free_port()
    phone = sip.sipp("uas_notify", background=True, port=port, substitutions={"WAITING": "yes"}, timeout=40)
    assert_ok(sip.register(box.number, DOMAIN, box.password, contact_port=port))
    # the next change: the media app sends it from its own socket, with the secret, through Kamailio
    jobs.enqueue(notify.MWI_JOB, {"extension_id": box.model.id})
    assert_ok(phone.wait())
    assert [j.attempts for j in wait_for(lambda: len(done()) == 2 and done(), 10, what="both MWI jobs done")] == [1, 1]


def test_a_phone_subscribes_to_its_mailbox_through_kamailio(sip, ext, speech):
    box, caller = ext(), ext()
    assert leave_message(sip, caller, box.number, speech) == 200
    wait_for(lambda: messages_for(box), 15, what="the voice message row")
    run = sip.sipp("subscribe", auth=(box.number, box.password), substitutions={"WAITING": "yes"},
                   variables={"user": box.number, "domain": DOMAIN, "ua": "Yealink SIP-T46U"})
    assert_ok(run)


def test_star_97_reaches_the_media_app(sip, ext):
    me = ext()

    async def main():
        phone = await PhoneCaller(("127.0.0.1", sip.sip_port), me.number, DOMAIN, me.password, "*97").open()
        try:
            answer = await phone.invite()
            assert answer.status == 200 and "Poste-Media" in (answer.get("Server") or "")
            await phone.silence(0.3)
            assert (await phone.bye()).status == 200
        finally:
            phone.close()
    asyncio.run(asyncio.wait_for(main(), 30))


class TransfereePhone(PhoneCaller):
    """A desk phone that takes a REFER (RFC 3515) from the other end of its call: 202 Accepted
    (sipp answers it, tests/media/scenarios/caller.xml), and the REFER kept so the test can place
    the new call to its Refer-To, as the phone would."""

    @property
    def refer_received(self) -> Message | None:
        return self.refers[0] if self.refers else None

    async def wait_refer(self, timeout: float, press: str) -> Message:
        """Press ``press`` every half second until a REFER comes (a deadline, not a duration):
        the key does nothing until the flow reaches the menu that takes it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.refer_received is None:
            if self.bye_received is not None:
                raise AssertionError(f"the media app hung up without a REFER (pressing {press})")
            if loop.time() > deadline:
                raise AssertionError(f"no REFER within {timeout} s of pressing {press}")
            await self.key(press)
            await self.silence(0.5)
        return self.refer_received


async def record_message(phone, speech) -> None:
    """The caller's side of a message: the media app answers, the greeting is skipped, the
    speech is sent and # ends it (the after-recording menu: 1 accept, 2 listen, 3 again, 0 reception)."""
    answer = await phone.invite()
    assert answer.status == 200 and "Poste-Media" in (answer.get("Server") or ""), answer.status
    await phone.silence(0.3)
    await phone.key("#")  # skip the greeting
    await phone.silence(1.0)  # the beep
    await phone.send_audio(speech)
    await phone.silence(0.3)
    await phone.key("#")


def test_0_after_the_message_transfers_the_caller_to_the_reception_phone(sip, speech):
    """D7: after recording, 0 stores the message and REFERs the caller to the tenant's reception
    extension; the caller's phone follows the Refer-To through Kamailio and the reception phone
    (a registered sipp UAS) gets the INVITE, with its media anchored by rtpengine."""
    tenant = factories.tenant("reception.pbx.example")
    box, caller, reception = make_ext(tenant), make_ext(tenant), make_ext(tenant)
    tenant_options.update(factories.CLI, tenant, "asterisk", reception.number)  # the admin's setting (D7)
    port = free_port()
    reception_phone = sip.sipp("uas", background=True, port=port, timeout=60)
    assert_ok(sip.register(reception.number, tenant.domain, reception.password, contact_port=port))

    async def main():
        phone = await TransfereePhone(("127.0.0.1", sip.sip_port), caller.number, tenant.domain, caller.password,
                                      box.number).open()
        try:
            await record_message(phone, speech)
            refer = await phone.wait_refer(40, "0")
            assert refer.get("Refer-To") == f"<sip:{reception.number}@{tenant.domain}>"
            assert refer.get("Referred-By") == f"<sip:voicemail@{tenant.domain}>"
            assert refer.call_id == phone.call_id  # inside the caller's call, relayed by Kamailio
            await phone.wait_bye(20)  # the media app leaves the call once the REFER is accepted
        finally:
            phone.close()
        target = parse_uri(parse_name_addr(refer.get("Refer-To")).uri)
        transferred = await PhoneCaller(("127.0.0.1", sip.sip_port), caller.number, tenant.domain,
                                        caller.password, target.user).open()
        try:
            answer = await transferred.invite()
            assert answer.status == 200, f"{answer.status} {answer.reason}\n{sip.log_tail('kamailio')}"
            assert "Poste-Media" not in (answer.get("Server") or ""), "the voicemail answered, not the reception"
            await transferred.silence(0.3)
            assert (await transferred.bye()).status == 200
        finally:
            transferred.close()
    asyncio.run(asyncio.wait_for(main(), 120))
    assert_ok(reception_phone.wait())  # INVITE (SDP through rtpengine) answered, ACK, BYE
    (message,) = wait_for(lambda: messages_for(box), 15, what="the voice message row")
    assert message.caller_number == caller.number and message.duration_ms > 1000  # stored before the transfer


class RefusingPhone(TransfereePhone):
    """A desk phone that refuses the first REFER (403, as a phone with transfers disabled does)
    and accepts the next ones (202, no NOTIFY), keeping every REFER it received."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, refuse_refers=1, **kwargs)

    async def wait_refers(self, count: int, timeout: float, press: str) -> Message:
        """Press ``press`` every half second until ``count`` REFERs came (a deadline, not a duration)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self.refers) < count:
            if self.bye_received is not None:
                raise AssertionError(f"the media app hung up after {len(self.refers)} REFER(s) (pressing {press})")
            if loop.time() > deadline:
                raise AssertionError(f"{len(self.refers)} REFER(s) within {timeout} s of pressing {press}")
            await self.key(press)
            await self.silence(0.5)
        return self.refers[count - 1]


def test_a_refused_transfer_returns_the_caller_to_the_menu(sip, speech):
    """D7: the caller's phone answers the REFER 403; the media app does not hang up but says the
    reception cannot be reached and plays the menu again, where 0 is taken again (a second REFER,
    which only the menu sends); the message is stored once."""
    tenant = factories.tenant("refused.pbx.example")
    box, caller, reception = make_ext(tenant), make_ext(tenant), make_ext(tenant)
    tenant_options.update(factories.CLI, tenant, "asterisk", reception.number)

    async def main():
        phone = await RefusingPhone(("127.0.0.1", sip.sip_port), caller.number, tenant.domain, caller.password,
                                    box.number).open()
        try:
            await record_message(phone, speech)
            first = await phone.wait_refers(1, 40, "0")  # answered 403
            assert first.get("Refer-To") == f"<sip:{reception.number}@{tenant.domain}>"
            second = await phone.wait_refers(2, 30, "0")  # the menu is back and takes 0 again
            assert second.call_id == first.call_id and second.cseq[0] > first.cseq[0]
            assert (first.answered, second.answered) == (403, 202)  # what sipp answered them
            await phone.wait_bye(20)  # accepted this time (202, no NOTIFY): the media app leaves
        finally:
            phone.close()
    asyncio.run(asyncio.wait_for(main(), 120))
    (message,) = wait_for(lambda: messages_for(box), 15, what="the voice message row")
    assert message.caller_number == caller.number and message.duration_ms > 1000
    assert len(messages_for(box)) == 1  # stored before the first REFER, not again
