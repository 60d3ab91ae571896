"""Contrast as Chromium draws the pages (issue 19): controls' borders and the focus ring at least 3:1
against what is around them, badges' text at least 4.5:1 against the badge (WCAG 1.4.11, 1.4.3)."""
import re

from tenants import jobs
from tests import factories as f
from tests.browser.signing import sign_in


def luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = (luminance(tuple(int(x) for x in re.findall(r"\d+", c)[:3])) for c in (a, b))
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


BACKGROUND = """element => {  // the first opaque background behind the element
  for (let e = element.parentElement; e; e = e.parentElement) {
    const bg = getComputedStyle(e).backgroundColor;
    if (bg !== 'rgba(0, 0, 0, 0)' && bg !== 'transparent') return bg;
  }
  return 'rgb(255, 255, 255)';
}"""


def test_borders_focus_ring_and_badges_are_contrasted_enough(page, live_server, db):
    acme = f.tenant("acme.pbx.example", "Acme")
    ext = f.extension(acme, "2001")
    f.extension(acme, "2002")
    jobs.run_due()  # failed deliveries: "En attente" badges
    f.account("admin", acme, email="boss@acme.example")
    f.account("operator", email="op@poste.example")
    sign_in(page, live_server, "boss@acme.example")
    page.goto(f"{live_server}/postes/nouveau")
    fields = page.locator("main input[type=text], main input[type=email], main select")
    assert fields.count() >= 3
    for i in range(fields.count()):
        field = fields.nth(i)
        border, around = field.evaluate("e => getComputedStyle(e).borderTopColor"), field.evaluate(BACKGROUND)
        assert contrast(border, around) >= 3, (field.get_attribute("name"), border, around)
    page.keyboard.press("Tab")
    number = page.get_by_label("Numéro de poste")
    number.focus()
    style = number.evaluate("e => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineWidth, s.outlineColor] }")
    assert style[0] != "none" and float(style[1].rstrip("px")) >= 2, style
    assert contrast(style[2], number.evaluate(BACKGROUND)) >= 3, style

    badges = []
    page.goto(f"{live_server}/postes/{ext.id}")
    badges += page.locator(".badge").all()
    page.get_by_role("button", name="Se déconnecter").click()
    sign_in(page, live_server, "op@poste.example")
    page.goto(f"{live_server}/operateur/clients")
    badges += page.locator(".badge").all()
    page.goto(f"{live_server}/operateur/taches")
    badges += page.locator(".badge").all()
    assert len(badges) >= 4
    for badge in badges:
        text, fill = badge.evaluate("e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]")
        assert contrast(text, fill) >= 4.5, (badge.inner_text(), text, fill)
