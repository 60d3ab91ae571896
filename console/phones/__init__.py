"""Live SIP state read from Kamailio (B2): phones registered and calls in progress."""
from console.phones.views import bp

__all__ = ["bp"]
