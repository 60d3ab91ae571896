"""One module per desk-phone vendor, each defining ``VENDOR`` (``tenants.provisioning.Vendor``)."""
