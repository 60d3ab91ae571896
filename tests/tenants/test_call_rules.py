"""Call rules (C7-C10) as pure decisions: validation in French, and the routing plan's steps."""
from __future__ import annotations

from tenants import call_rules
from tenants.call_rules import (
    ANONYMOUS_REJECTED,
    DO_NOT_DISTURB,
    FORWARD,
    REJECTED,
    SEQUENCE,
    VOICEMAIL,
    Called,
    Caller,
    CallRules,
    Cell,
    Context,
    check,
    check_services_pin,
    steps,
)
from tenants.dialing import DEFAULT_ALLOWED
from tenants.routing import (
    BUSY,
    FAILED,
    NO_ANSWER,
    OUTCOMES,
    OUTSIDE_RING_SECONDS,
    UNAVAILABLE,
    External,
    Phones,
    Plan,
    Ring,
    ToMedia,
)

DOMAIN = "acme.pbx.example"
CONTEXT = Context(own="2001", extensions={"2001", "2002", "2003"}, allowed=DEFAULT_ALLOWED)
CALLED = Called("2001", DOMAIN, has_mailbox=True, no_answer_seconds=24, allowed=DEFAULT_ALLOWED, outside=True)
DEPOSIT = ToMedia("deposit", DOMAIN, f"2001@{DOMAIN}")
ME = Phones("2001", DOMAIN)
MOBILE = "+33612345678"


def fields(problems) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for p in problems:
        found.setdefault(p.field, []).append(p.text())
    return found


# ------------------------------------------------------------------ validation

def test_the_defaults_are_the_guides_and_valid():
    rules = CallRules()
    assert (rules.do_not_disturb, rules.incoming, rules.no_answer, rules.busy, rules.unreachable) == (
        False, "ring", VOICEMAIL, VOICEMAIL, VOICEMAIL)
    assert check(rules, CONTEXT, 24) == []


def test_every_problem_at_once_each_on_its_field_in_french():
    rules = CallRules(incoming=FORWARD, forward_to="0049 1511 2345678",  # a German mobile: not included
                      busy=FORWARD, busy_to="", unreachable=FORWARD, unreachable_to="2999",
                      no_answer=FORWARD, no_answer_to="2001", selective_forward=True, selective_forward_to="112")
    found = fields(check(rules, CONTEXT, 400))
    assert found["forward_to"] == ["Votre plan de numérotation n'autorise pas les appels vers le 0049 1511 2345678."]
    assert found["busy_to"] == ["Indiquez le numéro de renvoi."]
    assert found["unreachable_to"] == ["Le poste 2999 n'existe pas."]
    assert found["no_answer_to"] == ["Les appels ne peuvent pas être renvoyés vers votre propre poste."]
    assert found["selective_forward_to"] == ["Les appels ne peuvent pas être renvoyés vers un numéro d'urgence."]
    assert found["forward_list"] == ["Ajoutez au moins un numéro à la liste de renvoi."]
    assert found["no_answer_seconds"] == ["Le délai doit être compris entre 5 et 120 secondes."]


def test_premium_rate_and_garbage_are_refused_as_forwarding_numbers():
    assert fields(check(CallRules(incoming=FORWARD, forward_to="0899 12 34 56"), CONTEXT, 24))["forward_to"] == [
        "Votre plan de numérotation n'autorise pas les appels vers le 0899 12 34 56."]
    assert fields(check(CallRules(incoming=FORWARD, forward_to="bonjour"), CONTEXT, 24))["forward_to"] == [
        "« bonjour » n'est pas un numéro de téléphone valide."]
    assert check(CallRules(incoming=FORWARD, forward_to="06 12 34 56 78"), CONTEXT, 24) == []
    assert check(CallRules(incoming=FORWARD, forward_to="2002"), CONTEXT, 24) == []


def test_the_universal_number_has_at_most_six_columns_and_delays_in_range():
    seven = tuple((Cell("2002", 10),) for _ in range(7))
    found = fields(check(CallRules(incoming=SEQUENCE, columns=seven), CONTEXT, 24))
    assert found["columns"] == ["Le numéro de contact universel compte au plus 6 colonnes."]
    bad = ((Cell("2001", 2), Cell("0612345678", 500)),)
    assert fields(check(CallRules(incoming=SEQUENCE, columns=bad), CONTEXT, 24))["columns"] == [
        "Le délai doit être compris entre 5 et 120 secondes."]  # once, however many cells
    ok = ((Cell("2001", 10),), (Cell("0612345678", 20), Cell("2002", 20)))
    assert check(CallRules(incoming=SEQUENCE, columns=ok), CONTEXT, 24) == []
    assert fields(check(CallRules(incoming=SEQUENCE), CONTEXT, 24))["columns"] == [
        "Indiquez au moins un numéro à faire sonner."]


def test_a_pin_of_letters_is_refused():
    assert [p.text() for p in check_services_pin("abcd")] == ["Le NIP ne doit contenir que des chiffres."]
    assert [p.text() for p in check_services_pin("12")] == ["Le NIP compte de 4 à 10 chiffres."]
    assert [p.text() for p in check_services_pin("١٢٣٤")] == ["Le NIP ne doit contenir que des chiffres."]
    assert check_services_pin("4821") == []


def test_lists_are_read_one_number_a_line_in_canonical_form():
    good, bad = call_rules.parse_list("06 12 34 56 78\n2002, +49 30 1234567\n\nmaman\n0612345678")
    assert good == [MOBILE, "2002", "+49301234567"]
    assert bad == ["maman"]
    assert call_rules.display(MOBILE) == "06 12 34 56 78"


def test_cleaning_keeps_only_what_the_choices_use_in_canonical_form():
    rules = call_rules.cleaned(CallRules(forward_to="0612345678", busy=FORWARD, busy_to="06 12 34 56 78",
                                         no_answer_to="2002"))
    assert (rules.forward_to, rules.busy_to, rules.no_answer_to) == ("", MOBILE, "")


def test_rules_survive_their_stored_form():
    rules = CallRules(incoming=SEQUENCE, columns=((Cell("2001", 10),), (Cell(MOBILE, 20),)),
                      reject_list=("+33142685300",), selective_reject=True)
    assert CallRules.from_data(rules.to_data()) == rules
    assert CallRules.from_data(None) == CallRules()
    assert CallRules.from_data({"do_not_disturb": True, "retired_key": 1}) == CallRules(do_not_disturb=True)


# ------------------------------------------------------------------ the plan's steps

def test_the_defaults_ring_the_phone_then_voicemail_on_every_outcome():
    assert steps(CallRules(), Caller("2002"), CALLED) == (Ring((ME,), 24, OUTCOMES), DEPOSIT)


def test_do_not_disturb_sends_every_call_to_voicemail():
    assert steps(CallRules(do_not_disturb=True), Caller("2002"), CALLED) == (
        ToMedia("deposit", DOMAIN, f"2001@{DOMAIN}", "unavailable"),)
    no_box = Called("2001", DOMAIN, has_mailbox=False)
    assert steps(CallRules(do_not_disturb=True), Caller("2002"), no_box) == (DO_NOT_DISTURB,)


def test_forward_all_rings_the_number_and_never_comes_back_to_voicemail():
    rules = CallRules(incoming=FORWARD, forward_to=MOBILE)
    assert steps(rules, Caller("2002"), CALLED) == (Ring((External(MOBILE),), OUTSIDE_RING_SECONDS),)
    assert steps(CallRules(incoming=FORWARD, forward_to="2003"), Caller("2002"), CALLED) == (
        Ring((Phones("2003", DOMAIN),), OUTSIDE_RING_SECONDS),)


def test_a_forward_that_cannot_go_out_now_falls_back_to_the_phone():
    # the allow-list changed since the rule was saved, or there is no trunk
    no_trunk = Called("2001", DOMAIN, True, 24, DEFAULT_ALLOWED, outside=False)
    assert steps(CallRules(incoming=FORWARD, forward_to=MOBILE), Caller("2002"), no_trunk) == (
        Ring((ME,), 24, OUTCOMES), DEPOSIT)
    german_mobile = CallRules(incoming=FORWARD, forward_to="+4915112345678")
    assert steps(german_mobile, Caller("2002"), CALLED) == (Ring((ME,), 24, OUTCOMES), DEPOSIT)


def test_busy_no_answer_and_unreachable_each_go_where_the_rules_say():
    rules = CallRules(no_answer=FORWARD, no_answer_to="2002", busy=VOICEMAIL, unreachable=FORWARD,
                      unreachable_to=MOBILE)
    got = steps(rules, Caller("2003"), CALLED)
    assert got == (
        Ring((ME,), 24, OUTCOMES, ((BUSY, 2), (UNAVAILABLE, 3))),
        Ring((Phones("2002", DOMAIN),), OUTSIDE_RING_SECONDS),
        DEPOSIT,
        Ring((External(MOBILE),), OUTSIDE_RING_SECONDS),
    )
    plan = Plan(got)
    assert [plan.after(0, o) for o in (NO_ANSWER, FAILED, BUSY, UNAVAILABLE)] == [1, 1, 2, 3]
    assert plan.after(1, NO_ANSWER) is None  # a forwarded call ends where it was forwarded
    assert Plan.from_json(plan.to_json()) == plan


def test_busy_forwarded_without_a_mailbox_the_rest_gets_the_phones_answer():
    no_box = Called("2001", DOMAIN, has_mailbox=False, no_answer_seconds=24, outside=True, allowed=DEFAULT_ALLOWED)
    got = steps(CallRules(busy=FORWARD, busy_to="2002"), Caller("2003"), no_box)
    assert got == (Ring((ME,), 24, frozenset({BUSY})), Ring((Phones("2002", DOMAIN),), OUTSIDE_RING_SECONDS))


def test_the_universal_number_rings_its_columns_one_after_the_other_then_the_no_answer_rule():
    rules = CallRules(incoming=SEQUENCE, columns=((Cell("2001", 10),), (Cell(MOBILE, 20), Cell("2002", 15))))
    got = steps(rules, Caller("2003"), CALLED)
    assert got == (Ring((ME,), 10, OUTCOMES),
                   Ring((External(MOBILE), Phones("2002", DOMAIN)), 20, OUTCOMES, delays=(20, 15)),
                   DEPOSIT)
    plan = Plan(got)
    assert plan.after(0, UNAVAILABLE) == 1  # the desk phone is off: straight to the next column
    assert plan.after(1, NO_ANSWER) == 2


def test_each_number_of_a_column_rings_for_its_own_delay():
    column = (Cell("2002", 15), Cell(MOBILE, 30), Cell("2003", 8), Cell("2002", 20))
    ring = steps(CallRules(incoming=SEQUENCE, columns=(column,)), Caller("2009"), CALLED)[0]
    assert isinstance(ring, Ring)
    # the column lasts its longest delay; 2002, twice in it, rings for the longer of its two
    assert ring.targets == (Phones("2002", DOMAIN), External(MOBILE), Phones("2003", DOMAIN))
    assert ring.seconds == 30
    assert [ring.delay_of(i) for i in range(3)] == [20, 30, 8]
    assert Plan.from_json(Plan((ring,)).to_json()).steps == (ring,)  # travels with the call
    same = steps(CallRules(incoming=SEQUENCE, columns=((Cell("2002", 15), Cell("2003", 15)),)), Caller("2009"),
                 CALLED)[0]
    assert isinstance(same, Ring) and same.delays == () and same.delay_of(1) == 15  # no own delay to keep


def test_rejection_wins_over_selective_forwarding_and_dnd_wins_over_forwarding():
    both = CallRules(selective_reject=True, reject_list=("+33142685300",), selective_forward=True,
                     forward_list=("+33142685300", "2002"), selective_forward_to=MOBILE)
    assert steps(both, Caller("+33142685300"), CALLED) == (REJECTED,)
    assert steps(both, Caller("2002"), CALLED) == (Ring((External(MOBILE),), OUTSIDE_RING_SECONDS),)
    assert steps(both, Caller("2003"), CALLED) == (Ring((ME,), 24, OUTCOMES), DEPOSIT)
    dnd = CallRules(do_not_disturb=True, selective_forward=True, forward_list=("2002",), selective_forward_to=MOBILE)
    assert steps(dnd, Caller("2002"), CALLED) == (ToMedia("deposit", DOMAIN, f"2001@{DOMAIN}", "unavailable"),)
    rejected_dnd = CallRules(do_not_disturb=True, selective_reject=True, reject_list=("2002",))
    assert steps(rejected_dnd, Caller("2002"), CALLED) == (REJECTED,)


def test_anonymous_callers_are_rejected_without_voicemail_when_asked():
    rules = CallRules(reject_anonymous=True)
    assert steps(rules, call_rules.outside_caller("anonymous"), CALLED) == (ANONYMOUS_REJECTED,)
    assert steps(rules, call_rules.outside_caller(""), CALLED) == (ANONYMOUS_REJECTED,)
    assert steps(rules, call_rules.outside_caller("+33142685300"), CALLED) == (Ring((ME,), 24, OUTCOMES), DEPOSIT)
    assert steps(CallRules(), call_rules.outside_caller("anonymous"), CALLED) == (Ring((ME,), 24, OUTCOMES), DEPOSIT)
    assert call_rules.outside_caller("0142685300") == Caller("+33142685300")


def test_forwarding_to_one_of_the_tenants_own_numbers_is_refused_it_would_loop():
    context = Context(own="2001", extensions={"2001", "2002"}, allowed=DEFAULT_ALLOWED, dids={"+33184880002"})
    found = fields(check(CallRules(incoming=FORWARD, forward_to="01 84 88 00 02"), context, 24))
    assert found["forward_to"] == ["Le 01 84 88 00 02 est un numéro de votre entreprise : indiquez plutôt le poste "
                                   "vers lequel renvoyer (par exemple 2002)."]


# ---- C6's toll-fraud limit on the calls the rules send out (issue 17 with C6)

def _tenant(rules: CallRules, max_calls: int | None = 2):
    from tenants.routing import ExtensionEntry, TenantDirectory

    return TenantDirectory(DOMAIN, True, {
        "2001": ExtensionEntry("2001", has_mailbox=True, did="+33184880001", rules=rules),
        "2002": ExtensionEntry("2002"),
        "2050": ExtensionEntry("2050", kind="virtual", forward_to=MOBILE),
    }, main_number="+33184880001", allowed=DEFAULT_ALLOWED, max_outside_calls=max_calls)


def test_every_call_the_rules_send_out_passes_the_limit_first_whoever_calls():
    from tenants.routing import CallData, Limit, TrunkInfo, build_phone_plan, build_transfer_plan, build_trunk_plan

    forward_all = _tenant(CallRules(incoming=FORWARD, forward_to=MOBILE))
    data = CallData(forward_all, TrunkInfo())
    limited = (Limit(2), Ring((External(MOBILE),), OUTSIDE_RING_SECONDS))
    assert build_phone_plan("2002", DOMAIN, "2001", DOMAIN, data).steps == limited
    assert build_trunk_plan("+33184880001", "+33698765432", "2001", data).steps == limited  # back out
    assert build_transfer_plan(("2001",), "+33698765432", data).steps == limited
    # a virtual extension's forward (C2), from a phone and from the carrier
    virtual = (Limit(2), Ring((External(MOBILE),), 24))  # its own no-answer delay
    assert build_phone_plan("2002", DOMAIN, "2050", DOMAIN, data).steps == virtual
    assert build_trunk_plan("+33184880050", "+33698765432", "2050", data).steps == virtual
    # no limit set, or a forward to a phone: no Limit step
    assert build_phone_plan("2002", DOMAIN, "2001", DOMAIN, CallData(
        _tenant(CallRules(incoming=FORWARD, forward_to=MOBILE), None), TrunkInfo())).steps == limited[1:]
    assert build_phone_plan("2002", DOMAIN, "2001", DOMAIN, CallData(
        _tenant(CallRules(incoming=FORWARD, forward_to="2002")), TrunkInfo())).steps == (
        Ring((Phones("2002", DOMAIN),), OUTSIDE_RING_SECONDS),)


def test_a_forward_after_the_phone_rang_passes_the_limit_and_the_jumps_land_on_it():
    from tenants.routing import CallData, Limit, TrunkInfo, build_phone_plan

    rules = CallRules(no_answer=FORWARD, no_answer_to=MOBILE, busy=VOICEMAIL, unreachable=FORWARD,
                      unreachable_to=MOBILE)
    plan = build_phone_plan("2003", DOMAIN, "2001", DOMAIN, CallData(_tenant(rules), TrunkInfo()))
    mobile = Ring((External(MOBILE),), OUTSIDE_RING_SECONDS)
    assert plan.steps == (Ring((ME,), 24, OUTCOMES, ((BUSY, 3),)), Limit(2), mobile, DEPOSIT)
    assert [plan.after(0, o) for o in (NO_ANSWER, FAILED, UNAVAILABLE, BUSY)] == [1, 1, 1, 3]
    assert plan.after(1, "passed") == 2
    assert plan.after(2, NO_ANSWER) is None
    assert Plan.from_json(plan.to_json()) == plan


def test_a_universal_number_column_with_an_outside_number_is_limited_once():
    from tenants.routing import CallData, Limit, TrunkInfo, build_phone_plan, limit_outside_calls

    rules = CallRules(incoming=SEQUENCE, columns=((Cell("2001", 10),), (Cell(MOBILE, 20), Cell("2002", 15))))
    plan = build_phone_plan("2003", DOMAIN, "2001", DOMAIN, CallData(_tenant(rules), TrunkInfo()))
    assert plan.steps == (Ring((ME,), 10, OUTCOMES), Limit(2),
                          Ring((External(MOBILE), Phones("2002", DOMAIN)), 20, OUTCOMES, delays=(20, 15)), DEPOSIT)
    assert plan.after(0, NO_ANSWER) == 1 and plan.after(2, NO_ANSWER) == 3
    assert limit_outside_calls(plan, 2) == plan  # applied twice: still one Limit per ring


def test_emergency_calls_are_never_limited():
    from tenants.routing import Plan as RoutingPlan
    from tenants.routing import limit_outside_calls

    emergency = RoutingPlan((Ring((External("112"),), OUTSIDE_RING_SECONDS),))
    assert limit_outside_calls(emergency, 1) == emergency
