"""The pure checks behind every form and CLI command."""
import pytest

from tenants import validation as v
from tenants.extensions import ExtensionInput, validate


@pytest.mark.parametrize("number", ["2000", "2001", "2500", "2999"])
def test_extension_numbers_in_range_pass(number):
    assert v.check_extension_number(number) == []


@pytest.mark.parametrize("number,fragment", [
    ("", "obligatoire"), ("1999", "entre 2000 et 2999"), ("3000", "entre 2000 et 2999"),
    ("200", "4 chiffres"), ("20001", "4 chiffres"), ("20a1", "4 chiffres"), ("-200", "4 chiffres"),
    ("２００１", "4 chiffres"),  # full-width digits are not ASCII digits
])
def test_extension_numbers_out_of_range_or_malformed(number, fragment):
    problems = v.check_extension_number(number)
    assert len(problems) == 1 and fragment in problems[0].text()


@pytest.mark.parametrize("email", ["alice@acme.example", "a.b+c@sub.acme.example"])
def test_valid_emails(email):
    assert v.check_email(email) == []


@pytest.mark.parametrize("email", ["", "alice", "alice@", "@acme.example", "alice@@acme.example", "a lice@acme.example",
                                   "x" * 250 + "@a.fr"])
def test_invalid_emails(email):
    assert v.check_email(email)


@pytest.mark.parametrize("pin,ok", [("1234", True), ("0000", True), ("4711", True), ("1234567890", True),
                                    ("123", False), ("12a4", False), ("", False), ("12 34", False),
                                    ("12345678901", False), ("-1234", False), ("١٢٣٤", False)])
def test_pin_rules_digits_only_at_least_four(pin, ok):
    assert (v.check_pin(pin) == []) is ok


@pytest.mark.parametrize("domain,ok", [("acme.pbx.example", True), ("a-b.example", True), ("acme", False),
                                       ("-acme.example", False), ("acme..example", False), ("ac me.example", False),
                                       ("acme.example.", False), ("x" * 300 + ".example", False),
                                       ("a" * 56 + ".example", True), ("a" * 57 + ".example", False)])
def test_sip_domains(domain, ok):
    assert (v.check_domain(domain) == []) is ok


def test_phone_numbers_in_french_habits():
    assert v.to_e164("01 23 45 67 89") == "+33123456789"
    assert v.to_e164("06 12 34 56 78") == "+33612345678"
    assert v.to_e164("0044 20 7946 0000") == "+442079460000"
    assert v.to_e164("+32 2 550 12 11") == "+3225501211"
    assert v.to_e164("12") is None
    assert v.to_e164("not a number") is None


def test_extension_validation_reports_every_field():
    problems = validate(ExtensionInput(number="1234", name="", email="bad", kind="virtual", forward_to="x"),
                        taken_numbers=set(), free_dids=set())
    assert {p.field for p in problems} == {"number", "name", "email", "forward_to"}


def test_extension_number_unique_within_tenant_only():
    data = ExtensionInput(number="2001", name="Alice", email="alice@acme.example")
    assert [p.field for p in validate(data, taken_numbers={"2001"}, free_dids=set())] == ["number"]
    assert validate(data, taken_numbers={"2002"}, free_dids=set()) == []


def test_extension_did_must_be_a_free_number_of_the_tenant():
    data = ExtensionInput(number="2001", name="Alice", email="alice@acme.example", did="01 23 45 67 89")
    assert validate(data, set(), free_dids={"+33123456789"}) == []
    assert [p.field for p in validate(data, set(), free_dids={"+33999999999"})] == ["did"]


def test_names_refuse_control_characters_and_overlong_values():
    assert v.check_name("Alice\x00") and v.check_name("x" * 101) and v.check_name("")
    assert v.check_name("Chloé Durand") == []
