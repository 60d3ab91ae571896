"""Kamailio's own index on ``subscriber(username)``, which m0001 did not create."""


def up(db) -> None:
    db.execute_sql("CREATE INDEX IF NOT EXISTS subscriber_username ON subscriber (username)")
