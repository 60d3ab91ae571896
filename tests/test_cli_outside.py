"""The CLI of calls to and from the outside (issue 14), with the names the issue gives: trunk set/show,
did add --extension, allowlist show/add/remove, tenant set --main-number/--emergency-caller-id.
Audit entries by cli, French errors, nothing stored on error."""
import json

from tenants import trunk
from tenants.credentials import decrypt_secret
from tenants.models import AllowedDestination, AuditEntry, Did, Tenant, Trunk
from tests import factories as f
from tests.test_cli import cli  # noqa: F401  (the fixture)

DOMAIN = "acme.pbx.example"


def test_trunk_set_and_show(cli):  # noqa: F811
    assert "Aucun opérateur" in cli("trunk", "show").output
    done = cli("trunk", "set", "--host", "127.0.0.2", "--port", "5080", "--transport", "tcp", "--username", "poste",
               "--password", "s3cret-trunk", "--from-domain", "sip.carrier.example")
    assert done.exit_code == 0, done.output
    row = trunk.current()
    assert (row.host, row.port, row.transport, row.addresses, row.username, row.from_domain) == (
        "127.0.0.2", 5080, "tcp", ["127.0.0.2"], "poste", "sip.carrier.example")
    assert decrypt_secret(row.password_enc) == "s3cret-trunk" and "s3cret" not in row.password_enc
    shown = json.loads(cli("trunk", "show", "--json").output)
    assert shown["host"] == "127.0.0.2" and shown["password"] == "***"
    assert "s3cret" not in cli("trunk", "show").output
    entry = AuditEntry.get(AuditEntry.action == "trunk.set")
    assert entry.actor_email.startswith("cli") and "s3cret" not in json.dumps(entry.after)
    # set again: the one trunk changes, the credentials go when not given
    assert cli("trunk", "set", "--host", "localhost", "--port", "5060").exit_code == 0
    assert Trunk.select().count() == 1 and trunk.current().username is None
    assert trunk.current().addresses == ["127.0.0.1"]


def test_trunk_set_refuses_bad_input_in_french_and_changes_nothing(cli):  # noqa: F811
    assert cli("trunk", "set", "--host", "127.0.0.2", "--port", "5080").exit_code == 0
    for args, words in ((("--host", "no-such-host.invalid", "--port", "5060"), "ne se résout"),
                        (("--host", "127.0.0.3", "--port", "99999"), "Le port"),
                        (("--host", "127.0.0.3", "--port", "5060", "--transport", "tls"), "udp ou tcp"),
                        (("--host", "127.0.0.3", "--port", "5060", "--username", "u"), "ensemble"),
                        (("--port", "5060",), "hôte"),
                        (("--host", "bad host!", "--port", "5060"), "nom d'hôte")):
        result = cli("trunk", "set", *args)
        assert result.exit_code != 0 and words in result.output, (args, result.output)
    assert trunk.current().host == "127.0.0.2" and AuditEntry.select().where(
        AuditEntry.action == "trunk.set").count() == 1


def test_did_add_points_a_number_at_an_extension(cli):  # noqa: F811
    tenant = f.tenant(DOMAIN)
    f.extension(tenant, "2001")
    done = cli("did", "add", "--domain", DOMAIN, "--number", "01 84 88 00 01", "--extension", "2001")
    assert done.exit_code == 0, done.output
    did = Did.get(Did.number == "+33184880001")
    assert did.extension.number == "2001"
    assert cli("did", "add", "--domain", DOMAIN, "--number", "01 84 88 00 02").exit_code == 0
    assert Did.get(Did.number == "+33184880002").extension is None


def test_did_add_refuses_bad_input_in_french(cli):  # noqa: F811
    tenant = f.tenant(DOMAIN)
    other = f.tenant("globex.pbx.example")
    f.extension(tenant, "2001")
    cli("did", "add", "--domain", "globex.pbx.example", "--number", "01 84 88 00 09")
    for args, words in ((("--number", "01 84 88 00 01", "--extension", "2999"), "pas de poste 2999"),
                        (("--number", "12345"), "n'est pas un numéro"),
                        (("--number", "01 84 88 00 09"), "déjà attribué")):
        result = cli("did", "add", "--domain", DOMAIN, *args)
        assert result.exit_code != 0 and words in result.output, (args, result.output)
    assert cli("did", "add", "--domain", DOMAIN, "--number", "0184880001", "--extension", "2001").exit_code == 0
    taken = cli("did", "add", "--domain", DOMAIN, "--number", "0184880003", "--extension", "2001")
    assert taken.exit_code != 0 and "a déjà le numéro" in taken.output
    assert Did.select().where(Did.tenant == tenant).count() == 1 and Did.select().where(Did.tenant == other).count() == 1


def test_allowlist_starts_with_the_guides_list_and_the_operator_edits_it(cli):  # noqa: F811
    f.tenant(DOMAIN)
    shown = json.loads(cli("allowlist", "show", "--domain", DOMAIN, "--json").output)
    assert {"country": "FR", "kind": "mobile"} in shown and {"country": "DE", "kind": "fixed"} in shown
    assert {"country": "DE", "kind": "mobile"} not in shown and len(shown) == 14
    assert cli("allowlist", "add", "--domain", DOMAIN, "--country", "de", "--kind", "mobile").exit_code == 0
    assert cli("allowlist", "remove", "--domain", DOMAIN, "--country", "GB", "--kind", "fixed").exit_code == 0
    text = cli("allowlist", "show", "--domain", DOMAIN).output
    assert "DE\tmobile" in text and "GB\tfixed" not in text
    assert AuditEntry.select().where(AuditEntry.action.startswith("allowlist.")).count() == 2


def test_allowlist_refuses_bad_input_in_french_and_changes_nothing(cli):  # noqa: F811
    tenant = f.tenant(DOMAIN)
    before = AllowedDestination.select().where(AllowedDestination.tenant == tenant).count()
    for args, words in ((("--kind", "fixed"), "Indiquez un pays"),
                        (("--country", "XX", "--kind", "fixed"), "n'est pas un code de pays"),
                        (("--country", "Germany", "--kind", "fixed"), "n'est pas un code de pays"),
                        (("--country", "DE", "--kind", "premium"), "fixed (fixes) ou mobile"),
                        (("--country", "DE", "--kind", "fixed"), "déjà dans la liste")):
        result = cli("allowlist", "add", "--domain", DOMAIN, *args)
        assert result.exit_code != 0 and words in result.output, (args, result.output)
    absent = cli("allowlist", "remove", "--domain", DOMAIN, "--country", "US", "--kind", "fixed")
    assert absent.exit_code != 0 and "n'est pas dans la liste" in absent.output
    assert AllowedDestination.select().where(AllowedDestination.tenant == tenant).count() == before


def test_tenant_set_main_number_and_emergency_caller_id(cli):  # noqa: F811
    tenant = f.tenant(DOMAIN)
    cli("did", "add", "--domain", DOMAIN, "--number", "01 84 88 00 01")
    done = cli("tenant", "set", "--domain", DOMAIN, "--main-number", "01 84 88 00 01",
               "--emergency-caller-id", "01 84 88 00 99")
    assert done.exit_code == 0, done.output
    tenant = Tenant.get(Tenant.id == tenant.id)
    assert (tenant.main_number, tenant.emergency_caller_id) == ("+33184880001", "+33184880099")
    not_ours = cli("tenant", "set", "--domain", DOMAIN, "--main-number", "01 84 88 00 05")
    assert not_ours.exit_code != 0 and "un des numéros de ce client" in not_ours.output
    bad = cli("tenant", "set", "--domain", DOMAIN, "--emergency-caller-id", "123")
    assert bad.exit_code != 0 and "n'est pas un numéro de téléphone valide" in bad.output
    assert Tenant.get(Tenant.id == tenant.id).main_number == "+33184880001"
    # removing the DID takes it off the caller ID
    assert cli("did", "remove", "--number", "01 84 88 00 01").exit_code == 0
    assert Tenant.get(Tenant.id == tenant.id).main_number is None
