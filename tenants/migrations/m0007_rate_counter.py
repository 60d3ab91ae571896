"""Issue 11: the login rate limit's counts in the database, so every worker and host shares them."""
from tenants.throttle import RateCounter


def up(db) -> None:
    db.create_tables([RateCounter], safe=True)
