"""VMAP 1.0 documents (IAB, namespace http://www.iab.net/vmap-1.0): the breaks of one playback.

Each AdBreak names its place (`start`, `end`, or a time into the content as HH:MM:SS.mmm), its
id, and an AdSource whose AdTagURI is the break's VAST request (a signed break token in its
query, see tokens.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from ott.ads.vast import clock

VMAP_NAMESPACE = "http://www.iab.net/vmap-1.0"
VMAP_VERSION = "1.0"
PRE_ROLL = "start"
POST_ROLL = "end"
TEMPLATE_TYPE = "vast4"

_NSMAP = {"vmap": VMAP_NAMESPACE}


@dataclass(frozen=True)
class Break:
    id: str  # "preroll", "midroll-1"..., "postroll"
    offset_seconds: float | None  # None: start or end, by `position`
    position: str  # "pre", "mid", "post"
    tag_uri: str = ""

    @property
    def time_offset(self) -> str:
        if self.position == "pre":
            return PRE_ROLL
        if self.position == "post":
            return POST_ROLL
        assert self.offset_seconds is not None
        return clock(self.offset_seconds)


def _el(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{VMAP_NAMESPACE}}}{tag}", attrs)


def vmap_document(breaks: Sequence[Break]) -> bytes:
    root = etree.Element(f"{{{VMAP_NAMESPACE}}}VMAP", {"version": VMAP_VERSION}, nsmap=_NSMAP)
    for item in breaks:
        ad_break = _el(root, "AdBreak", timeOffset=item.time_offset, breakType="linear")
        ad_break.set("breakId", item.id)
        source = _el(ad_break, "AdSource", id=item.id, allowMultipleAds="true")
        source.set("followRedirects", "true")
        uri = _el(source, "AdTagURI", templateType=TEMPLATE_TYPE)
        uri.text = etree.CDATA(item.tag_uri)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
