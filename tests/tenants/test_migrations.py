"""The schema is made and upgraded by the project's own command, idempotently."""
from tenants import migrations


def test_upgrade_is_idempotent(db):
    assert migrations.pending() == []
    assert migrations.upgrade() == []
    assert len(migrations.applied()) == len(migrations.available())


def test_migration_versions_are_unique_and_ordered():
    versions = [v for v, _name, _module in migrations.available()]
    assert versions == sorted(set(versions)) and versions[0] == 1
