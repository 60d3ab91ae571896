"""kamailio/poste.cfg with the voicemail routing of rtp/README.md applied (until poste.cfg has it).

The snippets are read from the README itself, so the text the Kamailio engineer
copies is the text these tests run.
"""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "rtp" / "README.md"
POSTE_CFG = ROOT / "kamailio" / "poste.cfg"


class CannotPatchError(Exception):
    pass


def snippets() -> list[str]:
    text = README.read_text()
    section = text.split("### kamailio/poste.cfg changes", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```\n(.*?)```", section, re.S)
    if len(blocks) != 6:
        raise CannotPatchError(f"expected 6 snippets in rtp/README.md, found {len(blocks)}")
    return blocks


def routes_voicemail(cfg: str) -> bool:
    return "X-Poste-Mailbox" in cfg


def real_config_routes_to_media() -> bool:
    """poste.cfg itself routes to the media app, and the service renders the media app's address."""
    import dataclasses

    from kamailio import service

    fields = {f.name for f in dataclasses.fields(service.Options)}
    return routes_voicemail(POSTE_CFG.read_text()) and "media_port" in fields


def patched(media_port: int) -> str:
    cfg = POSTE_CFG.read_text()
    defines = f'#!define MEDIA_URI "sip:127.0.0.1:{media_port}"\n'
    if routes_voicemail(cfg):
        return defines + cfg
    defs, after_withindlg, after_registrar, decide, failure, routes = snippets()

    def insert_after(text: str, anchor: str, addition: str) -> str:
        if text.count(anchor) != 1:
            raise CannotPatchError(f"anchor not found once in poste.cfg: {anchor!r}")
        return text.replace(anchor, anchor + "\n" + addition)

    cfg = insert_after(cfg, "\troute(WITHINDLG);\n", after_withindlg)
    cfg = insert_after(cfg, "\troute(REGISTRAR);\n", after_registrar)
    anchor = '\tif (!lookup("location")) {\n\t\t$var(rc) = $rc;'
    if cfg.count(anchor) != 1:
        raise CannotPatchError("route[DECIDE] lookup anchor not found")
    cfg = cfg.replace(anchor, decide.rstrip("\n") + "\n\t\t$var(rc) = $rc;")
    fail_anchor = "failure_route[MANAGE_FAILURE] {\n\tif (t_is_canceled()) {\n\t\trtpengine_delete();\n\t\texit;\n\t}\n"
    cfg = insert_after(cfg, fail_anchor, failure)
    return defines + defs + cfg + "\n" + routes
