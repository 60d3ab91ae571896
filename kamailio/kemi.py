"""The routing plan's adapter, run inside Kamailio by app_python3 (KEMI).

``tenants.routing`` decides where a call goes as a ``Plan`` (plain data); this module hands it
to the native configuration (``poste.cfg``), which carries it out with Kamailio's own means:
``tm`` forking within a step, ``failure_route`` between steps, ``t_set_fr`` timers, dialog
timeouts. The plan travels with the call as JSON in ``$avp(plan)``, the current step's index in
``$avp(plan_step)``. Each step is described to the configuration in a few variables:

- ``$var(step)``: ``ring``, ``media``, ``announce``, ``refuse`` or ``end``;
- ring: ``$var(targets)`` (``p:<ext>@<domain>`` for an extension's phones, ``x:<number>`` for a
  number through the trunk, ``|``-separated), ``$var(n_targets)``, ``$var(ms)``, ``$var(delays)``
  (each target's own, in ms, ``|``-separated);
- media: ``$avp(vm_number)``, ``$avp(vm_domain)``, ``$avp(vm_reason)``, ``$avp(vm_service)``
  (the media app contract, kamailio/README.md);
- announce / refuse: ``$var(prompt)``, ``$var(amount)`` (the balance a ``prepaid-balance``
  announcement says, in cents, or ``""``), ``$var(code)``, ``$var(reason)``;
- end: ``$var(code)`` (0: the caller gets the answer the last step ended with).

What the whole call needs is set once, in AVPs: the account (``$avp(acct_*)``), the caller ID
and the trunk (``$avp(trunk_*)``, ``$avp(cid)``, ``$avp(cid_anon)``), ``$avp(max_seconds)``
and ``$avp(lang)``. A ``Reserve`` step (a paid call, C6) reserves the funds here, when it runs,
and becomes the announcement of the balance left (or a refusal); the Call-ID it reserved for
goes with the dialog (``$avp(paid_call)`` -> ``$dlg_var(paid)``) and the reservation's seconds
become ``$avp(max_seconds)``; ``prepaid_end`` settles it when the dialog ends. Each Kamailio worker process has its own interpreter and its own
database connection, opened on first use (after the fork) and kept.
"""
from __future__ import annotations

import time

import KSR  # provided by app_python3

from tenants import config, credentials, routing, sip_accounts, trunk
from tenants.db import database, open_database
from tenants.routing import (
    PREPAID_REFUSALS,
    REASON_OF_OUTCOME,
    REFUSED,
    UNAVAILABLE,
    Announce,
    External,
    Limit,
    Plan,
    Refuse,
    Reserve,
    Ring,
    ToMedia,
    after_reservation,
)
from tenants.secrets_store import sip_key


def _ensure_db() -> None:
    if database.obj is None:
        settings = config.current()  # the settings of the bootstrap (service.py)
        open_database(settings.database_url)
        credentials.configure_sip_key(sip_key(settings.data_dir, settings.sip_key))  # the trunk's password
    database.connect(reuse_if_open=True)


def _put(name: str, value) -> None:
    """``$avp(name)`` = value, replacing every earlier value (an AVP assignment stacks)."""
    KSR.pv.unset(f"$(avp({name})[*])")
    if isinstance(value, int):
        KSR.pv.seti(f"$avp({name})", value)
    else:
        KSR.pv.sets(f"$avp({name})", value)


def _get(name: str) -> str:
    return KSR.pv.get(name) or ""


def _run(what: str, func) -> int:
    """Run a step with the database, never letting an exception kill the SIP worker."""
    try:
        _ensure_db()
        func()
    except Exception as exc:
        KSR.err(f"poste {what} failed: {exc!r}\n")
        try:
            database.close()  # a broken connection is opened again on the next request
        except Exception:  # noqa: S110 - already broken
            pass
        KSR.pv.sets("$var(step)", "error")
        return -1
    return 1


def _target(target) -> str:
    return f"x:{target.number}" if isinstance(target, External) else f"p:{target.extension}@{target.domain}"


def _reserve(plan: Plan) -> Announce | Refuse:
    """C6: reserve the funds of this paid call now, atomically; the balance announcement (the call
    then lasts at most what was reserved) or the refusal."""
    from tenants import prepaid  # only paid calls need it
    from tenants.models import Tenant

    account = plan.account
    tenant = Tenant.get_or_none(Tenant.domain == account.tenant)
    call_id = _get("$ci")
    answer = prepaid.reserve(tenant, call_id, account.extension, account.destination) if tenant else \
        prepaid.Reserved(prepaid.NOT_ENABLED)
    if answer.refusal:
        KSR.info(f"poste prepaid: call {call_id} to {account.destination} refused: {answer.refusal}\n")
        _put("acct_class", REFUSED)
        KSR.pv.unset("$avp(outside_limited)")  # a refused call is no outside call under way
    else:
        _put("max_seconds", answer.seconds)
        _put("paid_call", call_id)
    # the balance as the caller knows it: before this call's reservation (a hold, not a spend)
    return after_reservation(answer.refusal, answer.balance_cents + answer.cents)


def _enter(plan: Plan, index: int, outcome: str = "") -> None:
    """Describe step ``index`` of ``plan`` to the configuration."""
    _put("plan_step", index)
    step = plan.steps[index]
    if isinstance(step, Reserve):
        step = _reserve(plan)
    _describe(step, outcome)


def _describe(step, outcome: str = "") -> None:
    """Describe ``step`` to the configuration (``$var(step)`` and its variables)."""
    KSR.pv.sets("$var(prompt)", "")
    KSR.pv.sets("$var(amount)", "")
    KSR.pv.seti("$var(code)", 0)
    if isinstance(step, Ring):
        KSR.pv.sets("$var(step)", "ring")
        KSR.pv.sets("$var(targets)", "|".join(_target(t) for t in step.targets))
        KSR.pv.seti("$var(n_targets)", len(step.targets))
        KSR.pv.seti("$var(ms)", step.seconds * 1000)
        # C9: how long each target rings, in ms; shorter than $var(ms): looped through Kamailio
        # to get a transaction, and a timer, of its own (route[RING], "Per-number ring delays")
        KSR.pv.sets("$var(delays)", "|".join(str(step.delay_of(i) * 1000) for i in range(len(step.targets))))
    elif isinstance(step, Limit):
        KSR.pv.sets("$var(step)", "limit")
        KSR.pv.seti("$var(limit)", step.calls)
    elif isinstance(step, ToMedia):
        KSR.pv.sets("$var(step)", "media")
        number = step.mailbox.split("@", 1)[0] if step.mailbox else ""
        _put("vm_number", number)
        _put("vm_domain", step.tenant)
        _put("vm_service", step.service)
        _put("vm_reason", step.reason or REASON_OF_OUTCOME.get(outcome, "unavailable"))
    else:
        KSR.pv.sets("$var(step)", "refuse" if isinstance(step, Refuse) else "announce")
        KSR.pv.sets("$var(prompt)", step.prompt)
        if isinstance(step, Announce) and step.amount_cents is not None:
            KSR.pv.sets("$var(amount)", str(step.amount_cents))
        if isinstance(step, Refuse):
            KSR.pv.seti("$var(code)", step.code)
            KSR.pv.sets("$var(reason)", step.reason)


def _begin(plan: Plan) -> None:
    """Keep ``plan`` with the call, with what every step needs, and describe its first step."""
    _put("plan", plan.to_json())
    account = plan.account
    for name, value in (("acct_tenant", account.tenant), ("acct_ext", account.extension),
                        ("acct_dest", account.destination), ("acct_class", account.call_class),
                        ("lang", plan.language)):
        _put(name, value)
    if plan.max_seconds:
        _put("max_seconds", plan.max_seconds)
    if any(isinstance(t, External) for s in plan.steps if isinstance(s, Ring) for t in s.targets):
        route = trunk.route(trunk.current())
        if route is None:  # removed since the plan was made: nothing can go out
            plan = Plan((routing.REFUSALS["no_trunk"],), account, language=plan.language)
            _put("plan", plan.to_json())
        else:
            suffix = ";transport=tcp" if route.transport == "tcp" else ""
            _put("trunk_host", route.host)
            _put("trunk_port", route.port)
            _put("trunk_at", f"@{route.host}:{route.port}{suffix}")
            _put("trunk_from", route.from_domain)
            if route.username:
                _put("trunk_user", route.username)
                _put("trunk_pass", route.password)
            if plan.caller_id is not None:
                _put("cid", plan.caller_id.number)
                _put("cid_anon", int(plan.caller_id.anonymous))
    _enter(plan, 0)


class Router:
    def child_init(self, rank: int) -> int:
        return 0

    def plan_start(self, msg) -> int:
        """route[PLAN]: the plan of a call from an authenticated phone ($fU@$fd dials $rU@$rd)."""
        return _run("routing", lambda: _begin(routing.plan_for_phone(
            _get("$fU"), _get("$fd"), _get("$rU"), _get("$rd"))))

    def plan_inbound(self, msg) -> int:
        """route[FROM_TRUNK]: the plan of a call from the carrier to $rU (a DID, or nothing)."""
        caller = _get("$ai")  # the network-asserted identity, else From
        caller = caller.split(":", 1)[-1].split("@", 1)[0] if caller else _get("$fU")
        privacy = _get("$hdr(Privacy)").replace(";", " ").lower().split()
        if "id" in privacy or "user" in privacy:  # the caller hides its number (RFC 3323/3325): anonymous
            caller = "anonymous"
        return _run("inbound routing", lambda: _begin(routing.plan_for_trunk(_get("$rU"), caller)))

    def plan_next(self, msg) -> int:
        """After a step ended with ``$var(outcome)``: describe the next step, or ``end``."""
        def step():
            plan = Plan.from_json(_get("$avp(plan)"))
            index = int(_get("$avp(plan_step)") or 0)
            outcome = _get("$var(outcome)")
            following = plan.after(index, outcome)
            if following is None:
                KSR.pv.sets("$var(step)", "end")
                KSR.pv.seti("$var(code)", 480 if outcome == UNAVAILABLE else 0)
                KSR.pv.sets("$var(reason)", "Temporarily Unavailable")
            else:
                _enter(plan, following, outcome)
        return _run("routing (next step)", step)

    def plan_transfer(self, msg) -> int:
        """failure_route[RECEPTIONIST_DONE]: the receptionist puts the caller through to
        ``$var(transfer)`` (extensions, comma-separated): their plan replaces the receptionist's
        (H1), and ``$avp(recep_display)`` is what the phones show ("Standard: <caller>")."""
        def step():
            targets = tuple(t.strip() for t in _get("$var(transfer)").split(",") if t.strip())[:8]
            caller = _get("$ai")
            caller = caller.split(":", 1)[-1].split("@", 1)[0] if caller else _get("$fU")
            _begin(routing.plan_for_transfer(_get("$avp(vm_domain)"), targets, caller))
            shown = "".join(c for c in (_get("$fn") or caller) if c not in '"\\\r\n').strip()
            _put("recep_display", f'"Standard: {shown}"')
        return _run("receptionist transfer", step)

    def loop_trunk(self, msg) -> int:
        """route[LOOPED]: a branch to a number looped through Kamailio for a ring delay of its own
        (C9): the trunk's address and credentials (``$avp(trunk_at)``, ``$avp(trunk_user|pass)``);
        the branch that looped already carries the plan's caller ID."""
        def step():
            route = trunk.route(trunk.current())
            if route is None:
                return
            suffix = ";transport=tcp" if route.transport == "tcp" else ""
            _put("trunk_at", f"@{route.host}:{route.port}{suffix}")
            if route.username:
                _put("trunk_user", route.username)
                _put("trunk_pass", route.password)
        return _run("looped branch to the trunk", step)

    def limit_refused(self, msg) -> int:
        """route[LIMIT]: the tenant already has ``$var(limit)`` outside calls under way (C6's
        toll-fraud limit): the admins are told (once a day), the call is refused with its
        announcement (described as the step to carry out)."""
        def refuse():
            from tenants import prepaid
            from tenants.models import Tenant

            tenant = Tenant.get_or_none(Tenant.domain == _get("$avp(acct_tenant)"))
            if tenant is not None:
                prepaid.outside_limit_reached(tenant, int(_get("$var(limit)") or 0))
            KSR.info(f"poste prepaid: call {_get('$ci')} refused: {_get('$var(limit)')} outside calls at once\n")
            _put("acct_class", REFUSED)
            _describe(PREPAID_REFUSALS["concurrent_limit"])
        return _run("outside call limit", refuse)

    def prepaid_end(self, msg) -> int:
        """event_route[dialog:end|failed]: settle a paid call (``$dlg_var(paid)``, its Call-ID) once
        its dialog ended: the debit of the billed duration, connected since ``$dlg(start_ts)``, and
        the release of the rest; a call that never connected (``$var(dlg_end)`` = ``failed``)
        releases it all. Settled once only (``tenants/prepaid.py``): the job that settles what
        Kamailio never saw end cannot charge it again."""
        call_id = _get("$dlg_var(paid)")
        if not call_id:
            return 1

        def settle():
            from tenants import prepaid

            started = int(_get("$dlg(start_ts)") or 0)
            connected = _get("$var(dlg_end)") != "failed" and started > 0
            seconds = max(0, round(time.time() - started)) if connected else 0
            done = prepaid.settle(call_id, seconds)
            KSR.info(f"poste prepaid: call {call_id} ended after {seconds} s: "
                     f"{'settled' if done else 'already settled'}\n")
        return _run("prepaid settlement", settle)

    def is_served(self, msg) -> int:
        """route[IS_SERVED]: ``$var(served)`` = 1 when ``$var(domain)`` is a tenant's domain
        (the route set it to 0 first: on any failure it is "not served", refused, never relayed)."""
        return _run("domain check", lambda: sip_accounts.is_served(_get("$var(domain)")) and KSR.pv.seti(
            "$var(served)", 1))

    def emergency(self, msg) -> int:
        """route[DOMAINS]: ``$var(served)`` = 1 when a phone of a tenant's domain, suspended or not,
        dials an emergency number (always allowed, C4)."""
        return _run("emergency check", lambda: KSR.pv.seti(
            "$var(served)", int(routing.emergency_allowed(_get("$fd"), _get("$rU")))))

    def source(self, msg) -> int:
        """route[REQINIT]: ``$var(from_trunk)`` = 1 when the request comes from one of the carrier
        trunk's addresses (any port), the only way the carrier is recognised."""
        KSR.pv.seti("$var(from_trunk)", 0)
        return _run("trunk check", lambda: KSR.pv.seti("$var(from_trunk)", int(trunk.is_from_trunk(_get("$si")))))


def mod_init() -> Router:
    return Router()
