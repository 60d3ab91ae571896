"""The prepaid CLI (issue 15) with the issue's names: prepaid enable/disable/topup/balance/ledger,
rates import/show. French errors; nothing stored on error; audit entries by cli."""
import json

from tenants import prepaid
from tenants.models import AuditEntry, Tenant
from tenants.prepaid import LedgerEntry, RateEntry
from tests import factories as f
from tests.test_cli import cli  # noqa: F401  (the fixture)

DOMAIN = "acme.pbx.example"
GOOD = ("prefix,description,cents_per_minute,increment_s,first_increment_s\n"
        "+1,\"Amérique du Nord, fixes\",60,60,\n"
        "+44,Royaume-Uni,5,1,30\n")


def _rates(tmp_path, text, name="rates.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_rates_import_and_show(cli, tmp_path):  # noqa: F811
    done = cli("rates", "import", _rates(tmp_path, GOOD))
    assert done.exit_code == 0, done.output
    assert "Ligne 2 : +1 correct." in done.output and "2 tarif(s) importé(s)." in done.output
    assert cli("rates", "show", "--prefix", "+44").output == "+44\tRoyaume-Uni\t5\t1\t30\n"
    exported = cli("rates", "show", "--csv").output
    assert exported.splitlines()[0] == "prefix,description,cents_per_minute,increment_s,first_increment_s"
    assert cli("rates", "import", _rates(tmp_path, exported, "again.csv")).exit_code == 0  # the same layout
    assert RateEntry.get(RateEntry.prefix == "+1").description == "Amérique du Nord, fixes"
    assert AuditEntry.get(AuditEntry.action == "rates.import").actor_email == "cli:rates import"


def test_a_bad_rate_file_names_its_lines_and_imports_nothing(cli, tmp_path):  # noqa: F811
    assert cli("rates", "import", _rates(tmp_path, GOOD)).exit_code == 0
    bad = GOOD + "+49,Allemagne,-1,60,\n+33,,1,60,60\n"
    done = cli("rates", "import", _rates(tmp_path, bad, "bad.csv"))
    assert done.exit_code == 1
    assert "Ligne 4 : le prix par minute « -1 »" in done.output and "Ligne 5 : la description" in done.output
    assert "rien n'est importé" in done.output
    assert RateEntry.select().count() == 2
    latin = tmp_path / "latin.csv"
    latin.write_bytes(GOOD.encode("latin-1"))
    done = cli("rates", "import", str(latin))
    assert done.exit_code == 1 and "UTF-8" in done.output
    assert RateEntry.get(RateEntry.prefix == "+1").description == "Amérique du Nord, fixes"


def test_prepaid_enable_topup_balance_ledger(cli, tmp_path):  # noqa: F811
    f.tenant(DOMAIN)
    refused = cli("prepaid", "enable", "--domain", DOMAIN)
    assert refused.exit_code == 1 and "grille tarifaire" in refused.output
    assert cli("rates", "import", _rates(tmp_path, GOOD)).exit_code == 0
    done = cli("prepaid", "enable", "--domain", DOMAIN, "--max-calls", "3", "--max-daily-cents", "5000")
    assert done.exit_code == 0, done.output
    account = prepaid.account_of(Tenant.get(Tenant.domain == DOMAIN))
    assert (account.enabled, account.max_calls, account.max_daily_cents) == (True, 3, 5000)
    assert cli("prepaid", "balance", "--domain", DOMAIN).output == "0\n"
    assert cli("prepaid", "topup", "--domain", DOMAIN, "--cents", "1250", "--note", "virement 42").exit_code == 0
    assert cli("prepaid", "balance", "--domain", DOMAIN).output == "1250\n"
    rows = json.loads(cli("prepaid", "ledger", "--domain", DOMAIN, "--json").output)
    assert [(r["kind"], r["cents"], r["note"]) for r in rows] == [("topup", 1250, "virement 42")]
    assert "topup\t1250" in cli("prepaid", "ledger", "--domain", DOMAIN).output
    assert cli("prepaid", "disable", "--domain", DOMAIN).exit_code == 0
    assert not prepaid.account_of(Tenant.get(Tenant.domain == DOMAIN)).enabled
    assert AuditEntry.select().where(AuditEntry.action == "prepaid.topup",
                                     AuditEntry.actor_email == "cli:prepaid topup").count() == 1


def test_bad_topups_and_limits_are_refused_in_french(cli, tmp_path):  # noqa: F811
    f.tenant(DOMAIN)
    assert cli("rates", "import", _rates(tmp_path, GOOD)).exit_code == 0
    for cents in ("0", "-100", "1000000000000", "12.50", "douze"):
        done = cli("prepaid", "topup", "--domain", DOMAIN, "--cents", cents)
        assert done.exit_code == 1 and ("centimes" in done.output or "nombre entier" in done.output), done.output
    for option, value in (("--max-calls", "0"), ("--max-daily-cents", "0"), ("--max-call-seconds", "0"),
                          ("--max-call-seconds", "3601"), ("--max-calls", "-2")):
        done = cli("prepaid", "enable", "--domain", DOMAIN, option, value)
        assert done.exit_code == 1 and "La limite" in done.output, done.output
    assert not prepaid.account_of(Tenant.get(Tenant.domain == DOMAIN)).enabled  # nothing stored
    assert cli("prepaid", "topup", "--domain", "nobody.example", "--cents", "5").exit_code == 1
    assert not LedgerEntry.select().exists()
    assert cli("prepaid", "balance", "--domain", DOMAIN).output == "0\n"
