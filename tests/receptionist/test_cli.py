"""``flask --app wsgi receptionist show|set`` and ``did add --receptionist`` (issue 16): the names of
the issue, French errors, nothing stored on a bad input."""
from __future__ import annotations

import json

from tenants.models import AuditEntry, Did
from tenants.receptionist import service
from tests import factories as f
from tests.test_cli import cli  # noqa: F401  (the fixture)

DOMAIN = "recep.pbx.example"


def office():
    tenant = f.tenant(DOMAIN)
    for number, name in (("2000", "Accueil Standard"), ("2001", "Jean Dupont"), ("2005", "Émilie Moreau")):
        f.extension(tenant, number, name)
    f.extension(f.tenant("other.pbx.example"), "2999", "Autre Client")
    return tenant


def test_set_then_show(cli):  # noqa: F811
    tenant = office()
    done = cli("receptionist", "set", "--domain", DOMAIN, "--hours", "mon-fri 09:00-18:00", "--operator", "2000",
               "--key", "1=2005", "--key", "2=2000,2001", "--greeting-text", "Bienvenue chez Acme.", "--when", "open")
    assert done.exit_code == 0, done.output
    shown = json.loads(cli("receptionist", "show", "--domain", DOMAIN, "--json").output)
    assert shown["operator"] == "2000" and shown["keys"] == {"1": ["2005"], "2": ["2000", "2001"]}
    assert shown["open_text"] == "Bienvenue chez Acme." and shown["hours"] == "mon-fri 09:00-18:00"
    assert "operator\t2000" in cli("receptionist", "show", "--domain", DOMAIN).output
    assert AuditEntry.get(AuditEntry.action == "receptionist.update").actor_email.startswith("cli")
    assert service.current(tenant).operator == "2000"


def test_bad_input_is_refused_in_french_and_nothing_changes(cli):  # noqa: F811
    office()
    assert cli("receptionist", "set", "--domain", DOMAIN, "--operator", "2000", "--key", "1=2005").exit_code == 0
    for args, words in ((("--hours", "mon-fri 18:00-09:00"), "inversé"),
                        (("--hours", "mon 09:00-12:00, 11:00-13:00"), "chevauchent"),
                        (("--key", "1=2404"), "2404 n'existe pas"),
                        (("--operator", "2999"), "n'est pas un poste de ce client"),
                        (("--greeting-text", "Bonjour"), "--when"),
                        (("--greeting-text", "Bonjour", "--when", "later"), "--when")):
        result = cli("receptionist", "set", "--domain", DOMAIN, *args)
        assert result.exit_code != 0 and words in result.output, (args, result.output)
    shown = json.loads(cli("receptionist", "show", "--domain", DOMAIN, "--json").output)
    assert shown["operator"] == "2000" and shown["keys"] == {"1": ["2005"]} and shown["hours"] == "mon-fri 09:00-18:00"


def test_did_add_receptionist(cli):  # noqa: F811
    office()
    done = cli("did", "add", "--domain", DOMAIN, "--number", "+33184880100", "--receptionist")
    assert done.exit_code == 0 and "receptionist" in done.output, done.output
    assert Did.get(Did.number == "+33184880100").receptionist
    both = cli("did", "add", "--domain", DOMAIN, "--number", "+33184880101", "--receptionist", "--extension", "2001")
    assert both.exit_code != 0 and "pas aux deux" in both.output
