"""B1: the tenant admin's desk phones ("Téléphones" > "Appareils"): add one by MAC address, give
it its extensions, read its provisioning address and credentials, see when it last fetched its
file, ask it to fetch again (SIP NOTIFY check-sync), give it new credentials, remove it.

A device is reached only through the signed-in admin's tenant (404 otherwise). The page that
shows a device's credentials is sent ``Cache-Control: no-store``.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from console.devices.forms import DeviceEditForm, DeviceForm
from console.forms import ConfirmForm, apply_form, confirm_first, problem_text
from console.provisioning.tls import fingerprint
from console.scoping import actor, current_tenant, roles_required
from tenants import devices
from tenants.devices import Device
from tenants.models import Account, Extension
from tenants.problems import DomainError
from tenants.provisioning import VENDORS

bp = Blueprint("devices", __name__, url_prefix="/telephones/appareils")
admin_only = roles_required(Account.ADMIN)


def _device(device_id: int) -> Device:
    device = Device.get_or_none((Device.id == device_id) & (Device.tenant == current_tenant()))
    if device is None:
        abort(404)
    return device


def _settings():
    return current_app.config["POSTE_SETTINGS"]


def _context_lists() -> dict:
    tenant = current_tenant()
    numbers = [e.number for e in Extension.select(Extension.number).where(Extension.tenant == tenant)
               .order_by(Extension.number)]
    return {"vendors": VENDORS, "tenant_numbers": numbers}


@bp.get("/")
@admin_only
def index():
    rows = [{"device": d, "numbers": devices.numbers_of(d)} for d in devices.listing(current_tenant())]
    return render_template("devices/index.html", rows=rows, vendors=VENDORS, base_url=_settings().prov_url)


@bp.route("/nouveau", methods=["GET", "POST"])
@admin_only
def create():
    tenant = current_tenant()
    form = DeviceForm()
    made, created = apply_form(form, lambda: devices.add_device(actor(), tenant, form.to_input(form.mac.data or "")))
    if made:
        device, _password = created
        flash(gettext("Téléphone %(mac)s ajouté. Donnez-lui l'adresse et les identifiants ci-dessous.",
                      mac=devices.mac_colons(device.mac)), "success")
        return redirect(url_for("devices.detail", device_id=device.id))
    return render_template("devices/new.html", form=form, **_context_lists()), 422 if form.errors else 200


def _detail_page(device: Device, form: DeviceEditForm | None = None, status: int = 200):
    settings = _settings()
    vendor = VENDORS.get(device.vendor)
    numbers = devices.numbers_of(device)
    files = vendor.files(device.mac, device.model, bool(numbers)) if vendor else {}
    if form is None:
        form = DeviceEditForm(data={"vendor": device.vendor, "model": device.model, "extensions": " ".join(numbers)})
    response = current_app.make_response((render_template(
        "devices/detail.html", device=device, vendor=vendor, numbers=numbers, files=files, form=form,
        mac=devices.mac_colons(device.mac), password=devices.password_of(device), base_url=settings.prov_url,
        fingerprint=fingerprint(settings), confirm=ConfirmForm(), **_context_lists()), status))
    response.headers["Cache-Control"] = "no-store"  # it shows the device's credentials
    return response


@bp.get("/<int:device_id>")
@admin_only
def detail(device_id: int):
    return _detail_page(_device(device_id))


@bp.post("/<int:device_id>/modifier")
@admin_only
def edit(device_id: int):
    device = _device(device_id)
    form = DeviceEditForm()
    made, _ = apply_form(form, lambda: devices.update_device(actor(), device, form.to_input(device.mac)))
    if made:
        flash(gettext("Téléphone %(mac)s modifié : il le prendra à sa prochaine récupération de configuration.",
                      mac=devices.mac_colons(device.mac)), "success")
        return redirect(url_for("devices.detail", device_id=device.id))
    return _detail_page(device, form, 422)


@bp.post("/<int:device_id>/resynchroniser")
@admin_only
def resync(device_id: int):
    device = _device(device_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        sent = devices.resync(actor(), device)
    except DomainError as error:
        flash(" ".join(problem_text(p) for p in error.problems), "error")
    else:
        if sent:
            flash(gettext("Demande de mise à jour envoyée à %(count)d téléphone(s) enregistré(s).", count=sent),
                  "success")
        else:
            flash(gettext("Aucun téléphone enregistré sur ces postes : rien à prévenir. Le téléphone prendra sa "
                          "configuration à son prochain démarrage."), "error")
    return redirect(url_for("devices.detail", device_id=device.id))


@bp.post("/<int:device_id>/identifiants")
@admin_only
def credentials(device_id: int):
    device = _device(device_id)
    page = confirm_first("devices/confirm_credentials.html", device=device, mac=devices.mac_colons(device.mac))
    if page is not None:
        return page
    devices.new_credentials(actor(), device)
    flash(gettext("Nouveaux identifiants de provisionnement : saisissez-les dans le téléphone."), "success")
    return redirect(url_for("devices.detail", device_id=device.id))


@bp.route("/<int:device_id>/supprimer", methods=["GET", "POST"])
@admin_only
def delete(device_id: int):
    device = _device(device_id)
    mac = devices.mac_colons(device.mac)
    if request.method == "GET":
        return render_template("devices/delete.html", device=device, mac=mac, form=ConfirmForm())
    page = confirm_first("devices/delete.html", device=device, mac=mac)
    if page is not None:
        return page
    devices.remove_device(actor(), device)
    flash(gettext("Téléphone %(mac)s supprimé : sa configuration n'est plus servie.", mac=mac), "success")
    return redirect(url_for("devices.index"))

