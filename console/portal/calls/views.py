"""Appels (E6, seed 001 "Appels manqués et appels reçus"): the tabs Manqués and Reçus, from
Kamailio's accounting, each exported as CSV."""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, render_template
from flask_babel import get_timezone, gettext

from console.portal import current_mailbox
from tenants import extension_calls
from tenants.voicemail import access

bp = Blueprint("calls", __name__, url_prefix="/appels")
TABS = {"manques": extension_calls.MISSED, "recus": extension_calls.RECEIVED}


def _calls(tab: str):
    if tab not in TABS:
        abort(404)
    ext = current_mailbox().extension
    return extension_calls.calls_of(ext.tenant.domain, ext.number, TABS[tab])


@bp.get("/", defaults={"tab": "manques"})
@bp.get("/<tab>")
def index(tab: str):
    return render_template("portal/calls/index.html", calls=_calls(tab), tab=tab)


@bp.get("/<tab>.csv")
def export(tab: str):
    calls = _calls(tab)
    zone = str(get_timezone())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([gettext("Date"), gettext("Appelant"), gettext("Durée (s)"), gettext("Réponse")])
    for call in calls:
        local = access.local_time(call.at, zone).strftime("%Y-%m-%d %H:%M:%S") if call.at else ""
        caller = call.caller
        if caller[:1] in "=+-@":  # a spreadsheet would read it as a formula
            caller = "'" + caller
        writer.writerow([local, caller, "" if call.duration is None else call.duration, call.answer])
    number = current_mailbox().extension.number
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="appels-{tab}-{number}.csv"',
        "Cache-Control": "private, no-store"})
