"""The admin's "Compte prépayé" (issue 15): the balance, the ledger, what each paid call cost, the
enabling (refused in French without a rate table, nothing stored) and the low-balance threshold."""
from tenants import prepaid
from tenants.audit import Actor
from tenants.models import AuditEntry
from tests import factories as f

RATES = "prefix,description,cents_per_minute,increment_s,first_increment_s\n+1,Amérique du Nord,60,60,\n"


def test_the_admin_sees_the_balance_the_ledger_and_the_calls(admin, acme):
    prepaid.import_rates(Actor.cli(), RATES)
    prepaid.enable(Actor.cli(), acme)
    prepaid.topup(Actor.cli(), acme, 1250, note="virement 42")
    prepaid.reserve(acme, "call-abc", "2001", "+12125550100", max_seconds=300)
    prepaid.settle("call-abc", 61)
    page = admin.get("/compte-prepaye")
    assert page.status_code == 200
    assert 'href="/compte-prepaye"' in page.text  # in the navigation
    assert "11,30\u00a0€" in page.text  # 12,50 - 1,20
    assert "virement 42" in page.text and "+12125550100" in page.text
    for kind in ("rechargement", "réservation", "débit", "libération"):
        assert kind in page.text
    assert "1,20\u00a0€" in page.text and "facturé" in page.text
    english = admin.get("/compte-prepaye?lang=en").text
    assert "Prepaid account" in english and "€11.30" in english


def test_enabling_without_rates_is_refused_and_nothing_changes(admin, acme):
    token = f.token_for(admin)
    answer = admin.post("/compte-prepaye", data={"csrf_token": token, "enabled": "y", "low_balance": "5"})
    assert answer.status_code == 422 and "grille tarifaire" in answer.text
    assert not prepaid.account_of(acme).enabled and prepaid.account_of(acme).low_balance_cents is None
    answer = admin.post("/compte-prepaye", data={"csrf_token": token, "low_balance": "douze"})
    assert answer.status_code == 422 and "pas un montant en euros" in answer.text
    assert prepaid.account_of(acme).low_balance_cents is None


def test_the_admin_enables_it_and_sets_the_threshold(admin, acme):
    prepaid.import_rates(Actor.cli(), RATES)
    token = f.token_for(admin)
    answer = admin.post("/compte-prepaye", data={"csrf_token": token, "enabled": "y", "low_balance": "12,50"})
    assert answer.status_code == 302
    account = prepaid.account_of(acme)
    assert (account.enabled, account.low_balance_cents) == (True, 1250)
    assert 'value="12,50"' in admin.get("/compte-prepaye").text
    assert AuditEntry.get(AuditEntry.action == "prepaid.settings").actor_email == "boss@acme.example"
    assert admin.post("/compte-prepaye", data={"csrf_token": token, "low_balance": ""}).status_code == 302
    assert not prepaid.account_of(acme).enabled and prepaid.account_of(acme).low_balance_cents is None


def test_only_an_admin_sees_it_and_only_their_tenant(app, acme):
    other = f.tenant("globex.pbx.example")
    prepaid.topup(Actor.cli(), other, 4321)
    f.account("user", acme, email="alice@acme.example")
    user = f.login(app.test_client(), "alice@acme.example")
    assert user.get("/compte-prepaye").status_code == 403
    f.account("admin", acme, email="boss@acme.example")
    boss = f.login(app.test_client(), "boss@acme.example")
    assert "43,21" not in boss.get("/compte-prepaye").text


def test_the_admin_sees_the_toll_fraud_limits_the_operator_set_and_cannot_change_them(admin, acme):
    import re

    def limits(page: str) -> list[str]:
        section = page[page.index('id="limits"'):]
        section = section[:section.index("</section>")]
        return [re.sub(r"[ \t\n]+", " ", v).strip(" \t\n") for v in re.findall(r"<dd>(.*?)</dd>", section, re.S)]

    prepaid.import_rates(Actor.cli(), RATES)
    prepaid.enable(Actor.cli(), acme)
    assert limits(admin.get("/compte-prepaye").text) == ["sans limite", "sans limite", "60 min"]
    prepaid.enable(Actor.cli(), acme, max_calls=3, max_daily_cents=2500, max_call_seconds=90)
    page = admin.get("/compte-prepaye").text
    assert limits(page) == ["3", "25,00\u00a0€", "90 s"]
    assert "Fixées par votre opérateur" in page
    assert 'name="max_calls"' not in page and 'name="max_daily_cents"' not in page  # read only
    # a form that tries anyway changes none of them
    token = f.token_for(admin)
    answer = admin.post("/compte-prepaye", data={"csrf_token": token, "enabled": "y", "max_calls": "999",
                                                  "max_daily_cents": "0", "max_call_seconds": "99999"})
    assert answer.status_code == 302
    account = prepaid.account_of(acme)
    assert (account.max_calls, account.max_daily_cents, account.max_call_seconds) == (3, 2500, 90)
    english = limits(admin.get("/compte-prepaye?lang=en").text)
    assert english == ["3", "€25.00", "90 s"]
    prepaid.enable(Actor.cli(), acme, max_call_seconds=120)
    assert limits(admin.get("/compte-prepaye?lang=en").text)[2] == "2 min"
