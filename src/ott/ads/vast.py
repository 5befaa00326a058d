"""VAST 4.2 documents (IAB, namespace http://www.iab.com/VAST), built with lxml in the order
the 4.2 XML schema requires.

An answer to one break is an ad pod: one `Ad` per chosen campaign, with `sequence` when there
is more than one. An InLine ad carries everything the player needs (media files, tracking,
clicks, the skip offset); a Wrapper ad points at a third-party ad server's VAST
(`VASTAdTagURI`) with our own impression, error and event tracking, which the player merges
with what the chain ends in. No eligible ad gives the no-ad answer: a document with only an
`Error` URL (the player replaces [ERRORCODE], 303 for "no ad").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from lxml import etree

VAST_NAMESPACE = "http://www.iab.com/VAST"
VAST_VERSION = "4.2"
MEDIA_TYPE = "application/xml"
AD_SYSTEM = "OTT Ad Server"
AD_SYSTEM_VERSION = "1.0"
UNIVERSAL_AD_ID_REGISTRY = "ott-ads"
ERROR_CODE_MACRO = "[ERRORCODE]"
NO_AD_ERROR_CODE = 303  # VAST 4.2 §2.3.6.3: no ad; the player reports it to the Error URL

# The linear tracking events every InLine and Wrapper ad reports, in document order.
LINEAR_EVENTS = (
    "start",
    "firstQuartile",
    "midpoint",
    "thirdQuartile",
    "complete",
    "pause",
    "resume",
    "skip",
)

_NSMAP = {None: VAST_NAMESPACE}


@dataclass(frozen=True)
class MediaFile:
    url: str
    width: int
    height: int
    bitrate: int  # kb/s
    type: str  # MIME type
    delivery: str  # "streaming" or "progressive"
    codec: str | None = None


@dataclass(frozen=True)
class Tracking:
    """The tracking URLs of one ad: impression, error (with the [ERRORCODE] macro), click, and
    one per linear event."""

    impression: str
    error: str
    click: str
    events: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class InlineAd:
    ad_id: str
    serving_id: str
    title: str
    advertiser: str | None
    creative_id: str
    duration_seconds: float
    media_files: Sequence[MediaFile]
    tracking: Tracking
    click_through: str | None = None
    skip_offset_seconds: int | None = None


@dataclass(frozen=True)
class WrapperAd:
    ad_id: str
    tag_uri: str
    tracking: Tracking


Ad = InlineAd | WrapperAd


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{VAST_NAMESPACE}}}{tag}", attrs)
    if text is not None:
        element.text = etree.CDATA(text) if "://" in text or text.startswith("/") else text
    return element


def clock(seconds: float) -> str:
    """HH:MM:SS.mmm, the form of Duration and skipoffset (xs:time)."""
    millis = max(0, round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def _root() -> etree._Element:
    return etree.Element(f"{{{VAST_NAMESPACE}}}VAST", {"version": VAST_VERSION}, nsmap=_NSMAP)


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _head(parent: etree._Element, tracking: Tracking) -> None:
    """AdSystem, Error, Impression: the start every InLine and Wrapper shares."""
    _el(parent, "AdSystem", AD_SYSTEM, version=AD_SYSTEM_VERSION)
    _el(parent, "Error", tracking.error)
    _el(parent, "Impression", tracking.impression)


def _tracking_events(linear: etree._Element, tracking: Tracking) -> None:
    events = _el(linear, "TrackingEvents")
    for event in LINEAR_EVENTS:
        url = tracking.events.get(event)
        if url is not None:
            _el(events, "Tracking", url, event=event)


def _inline(ad: etree._Element, spec: InlineAd) -> None:
    inline = _el(ad, "InLine")
    _head(inline, spec.tracking)
    _el(inline, "AdServingId", spec.serving_id)
    _el(inline, "AdTitle", spec.title)
    if spec.advertiser:
        _el(inline, "Advertiser", spec.advertiser)
    creatives = _el(inline, "Creatives")
    creative = _el(creatives, "Creative", id=spec.creative_id, adId=spec.ad_id)
    attrs = {}
    if spec.skip_offset_seconds is not None:
        attrs["skipoffset"] = clock(spec.skip_offset_seconds)
    linear = _el(creative, "Linear", **attrs)
    _tracking_events(linear, spec.tracking)
    _el(linear, "Duration", clock(spec.duration_seconds))
    media_files = _el(linear, "MediaFiles")
    for media in spec.media_files:
        attrs = {
            "delivery": media.delivery,
            "type": media.type,
            "width": str(media.width),
            "height": str(media.height),
            "bitrate": str(media.bitrate),
        }
        if media.codec:
            attrs["codec"] = media.codec
        _el(media_files, "MediaFile", media.url, **attrs)
    clicks = _el(linear, "VideoClicks")
    _el(clicks, "ClickTracking", spec.tracking.click)
    if spec.click_through:
        _el(clicks, "ClickThrough", spec.click_through)
    _el(creative, "UniversalAdId", spec.creative_id, idRegistry=UNIVERSAL_AD_ID_REGISTRY)


def _wrapper(ad: etree._Element, spec: WrapperAd) -> None:
    wrapper = _el(ad, "Wrapper", followAdditionalWrappers="true", allowMultipleAds="false")
    _head(wrapper, spec.tracking)
    creatives = _el(wrapper, "Creatives")
    linear = _el(_el(creatives, "Creative"), "Linear")
    _tracking_events(linear, spec.tracking)
    _el(_el(linear, "VideoClicks"), "ClickTracking", spec.tracking.click)
    _el(wrapper, "VASTAdTagURI", spec.tag_uri)


def vast_document(ads: Sequence[Ad]) -> bytes:
    """The VAST of one break: its ads in order (a pod when more than one)."""
    if not ads:
        raise ValueError("an answer without ads is the no-ad document (no_ad_document)")
    root = _root()
    for sequence, spec in enumerate(ads, start=1):
        attrs = {"id": spec.ad_id}
        if len(ads) > 1:
            attrs["sequence"] = str(sequence)
        ad = _el(root, "Ad", **attrs)
        if isinstance(spec, InlineAd):
            _inline(ad, spec)
        else:
            _wrapper(ad, spec)
    return _serialise(root)


def no_ad_document(error_url: str) -> bytes:
    """The answer when nothing is eligible: only the Error URL, which the player calls with
    [ERRORCODE] replaced (303)."""
    root = _root()
    _el(root, "Error", error_url)
    return _serialise(root)
