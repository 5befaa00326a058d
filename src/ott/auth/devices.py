"""A short name for what signed in ("Chrome on Android"), from its User-Agent header, for the
account's list of sessions. A guess for people to recognise their devices by, never a rule."""

from __future__ import annotations

import re

MAX_USER_AGENT = 400
UNKNOWN_DEVICE = "Unknown device"

# First match wins: Edge and Opera also say Chrome, Chrome also says Safari.
_BROWSERS = [
    (re.compile(r"\bEdg(e|A|iOS)?/"), "Edge"),
    (re.compile(r"\b(OPR|Opera)/"), "Opera"),
    (re.compile(r"\bSamsungBrowser/"), "Samsung Internet"),
    (re.compile(r"\b(Firefox|FxiOS)/"), "Firefox"),
    (re.compile(r"\bChromium/"), "Chromium"),
    (re.compile(r"\b(Chrome|HeadlessChrome|CriOS)/"), "Chrome"),
    (re.compile(r"\bVersion/[\d.]+.*\bSafari/"), "Safari"),
]
_SYSTEMS = [
    (re.compile(r"\biPhone\b"), "iPhone"),
    (re.compile(r"\biPad\b"), "iPad"),
    (re.compile(r"\b(SMART-TV|SmartTV|Tizen|Web0S|webOS|BRAVIA|AFT\w*)\b"), "TV"),
    (re.compile(r"\bAndroid\b"), "Android"),
    (re.compile(r"\bCrOS\b"), "ChromeOS"),
    (re.compile(r"\bWindows\b"), "Windows"),
    (re.compile(r"\b(Macintosh|Mac OS X)\b"), "macOS"),
    (re.compile(r"\bLinux\b"), "Linux"),
]
_PRODUCT = re.compile(r"^([A-Za-z][\w.-]{0,40})/")
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f]")


def clean_user_agent(value: str | None) -> str | None:
    """The header as kept: control characters removed, at most MAX_USER_AGENT characters."""
    if not value:
        return None
    cleaned = _UNPRINTABLE.sub("", value).strip()[:MAX_USER_AGENT]
    return cleaned or None


def describe_device(user_agent: str | None) -> str:
    if not user_agent:
        return UNKNOWN_DEVICE
    browser = next((name for pattern, name in _BROWSERS if pattern.search(user_agent)), None)
    system = next((name for pattern, name in _SYSTEMS if pattern.search(user_agent)), None)
    if browser and system:
        return f"{browser} on {system}"
    if browser or system:
        return str(browser or system)
    # A program rather than a browser (an app's HTTP library, curl): its product name.
    product = _PRODUCT.match(user_agent)
    return product[1] if product else UNKNOWN_DEVICE
