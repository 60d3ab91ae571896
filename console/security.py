"""Security headers on every answer, and the two settings of a console served over HTTPS (issue 11).

``POSTE_SECURE_COOKIES=1`` marks the session (and remember) cookies ``Secure``.
``POSTE_PROXY_FIX=N`` trusts the ``X-Forwarded-*`` headers of N reverse proxies in front
(werkzeug's ProxyFix): the client's address (which the login rate limit counts by), scheme,
host, port and prefix. By default they are ignored, so a client cannot forge them.
"""
from __future__ import annotations

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from tenants.config import Settings

# Pages load only the app's own script and stylesheet: no inline script, style or handler (htmx
# is told not to inject its indicator style and not to evaluate attributes, see base.html).
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    "Referrer-Policy": "same-origin",
}
HSTS = "max-age=31536000"  # one year; sent only over HTTPS, as browsers ignore it otherwise


def init_app(app: Flask, settings: Settings) -> None:
    """Apply the cookie and proxy settings and add the headers to every answer."""
    secure = settings.secure_cookies
    app.config.update(SESSION_COOKIE_SECURE=secure, REMEMBER_COOKIE_SECURE=secure,
                      REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax")
    proxies = settings.proxy_fix
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies,
                                x_port=proxies, x_prefix=proxies)

    @app.after_request
    def _security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response
