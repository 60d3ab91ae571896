"""gunicorn's settings for the provisioning server (``--config python:console.provisioning.gunicorn_conf``).

gunicorn builds a new TLS context for every connection by default (``ssl.create_default_context``
loads the system's CA store, then the certificate and key): with OpenSSL 3 that was most of
the cost of a phone's visit. Each worker builds one here, on first use, and keeps it
(a new certificate is taken at the server's next start).
"""
from __future__ import annotations

import ssl

_contexts: dict[tuple[str, str], ssl.SSLContext] = {}


def ssl_context(conf, default_ssl_context_factory) -> ssl.SSLContext:
    key = (conf.certfile, conf.keyfile)
    if key not in _contexts:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(certfile=conf.certfile, keyfile=conf.keyfile)
        _contexts[key] = context
    return _contexts[key]
