"""The built-in badge designer: a clean square SVG from a shape, two colours, an icon and one or
two short lines of text.

The icons are simple geometry drawn for this project in a 64 × 64 box. Text is escaped and
sized to fit the badge from an estimate of glyph widths (no font files are read: viewers
substitute their own sans-serif). The result goes through `openbadges.baking.sanitize_svg` like
any uploaded drawing, so the designer can never produce something an upload could not.
"""

import math
import re
from dataclasses import asdict, dataclass
from xml.sax.saxutils import escape, quoteattr

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import require_permission
from accounts.roles import DESIGN_BADGES
from openbadges.baking import sanitize_svg

from .models import BadgeClassDesign

SIZE = 256
MAX_LINE_LENGTH = 24
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")

SHAPES = {
    "circle": gettext_lazy("Circle"),
    "hexagon": gettext_lazy("Hexagon"),
    "shield": gettext_lazy("Shield"),
    "rounded": gettext_lazy("Rounded square"),
}
ICONS = {
    "star": gettext_lazy("Star"),
    "book": gettext_lazy("Book"),
    "tools": gettext_lazy("Tools"),
    "heart": gettext_lazy("Heart"),
    "globe": gettext_lazy("Globe"),
    "leaf": gettext_lazy("Leaf"),
    "code": gettext_lazy("Code"),
    "people": gettext_lazy("People"),
}


@dataclass(frozen=True)
class Design:
    shape: str = "circle"
    primary: str = "#0e2456"
    secondary: str = "#f2b705"
    icon: str = "star"
    line1: str = ""
    line2: str = ""


DEFAULT = Design()


def design_from(values) -> Design:
    """A Design from form or query values (missing ones take the defaults), or ValidationError
    naming each bad field."""
    errors: dict[str, str] = {}
    shape = values.get("shape") or DEFAULT.shape
    if shape not in SHAPES:
        errors["shape"] = _("Choose a shape from the list.")
    icon = values.get("icon") or DEFAULT.icon
    if icon not in ICONS:
        errors["icon"] = _("Choose an icon from the list.")
    colours = {}
    for name in ("primary", "secondary"):
        colour = (values.get(name) or getattr(DEFAULT, name)).strip()
        if not _COLOUR.match(colour):
            errors[name] = _("Give the colour as # and six hexadecimal digits, like #0e2456.")
        colours[name] = colour.lower()
    lines = {}
    for name in ("line1", "line2"):
        text = " ".join((values.get(name) or "").split())
        if len(text) > MAX_LINE_LENGTH:
            errors[name] = _("A line of text may have at most %(count)s characters.") % {
                "count": MAX_LINE_LENGTH
            }
        lines[name] = text
    if errors:
        raise ValidationError(errors)
    return Design(shape=shape, icon=icon, **colours, **lines)


# -- shapes (the outline, and the same outline inset for the inner ring) ------------------------


def _polygon(points) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def _shape(shape: str, inset: float, attributes: str) -> str:
    r = SIZE / 2 - 8 - inset
    c = SIZE / 2
    if shape == "circle":
        return f'<circle cx="{c:g}" cy="{c:g}" r="{r:g}" {attributes}/>'
    if shape == "hexagon":
        points = [
            (
                c + r * math.cos(math.radians(60 * k - 90)),
                c + r * math.sin(math.radians(60 * k - 90)),
            )
            for k in range(6)
        ]
        return f'<polygon points="{_polygon(points)}" {attributes}/>'
    if shape == "shield":
        top, left, right, bottom = 8 + inset, 20 + inset, SIZE - 20 - inset, SIZE - 6 - inset * 1.4
        shoulder = 44 + inset * 0.6
        path = (
            f"M{c:g} {top:g} L{right:g} {shoulder:g} V{120:g} "
            f"C{right:g} {184 - inset * 0.3:g} {c + 58 - inset * 0.5:g} {226 - inset:g} "
            f"{c:g} {bottom:g} "
            f"C{c - 58 + inset * 0.5:g} {226 - inset:g} {left:g} {184 - inset * 0.3:g} "
            f"{left:g} 120 V{shoulder:g} Z"
        )
        return f'<path d="{path}" {attributes}/>'
    side = 2 * r
    return (
        f'<rect x="{c - r:g}" y="{c - r:g}" width="{side:g}" height="{side:g}" '
        f'rx="{36 - inset / 2:g}" {attributes}/>'
    )


# -- icons, in a 64 × 64 box; `{c}` is the icon colour, `{b}` the background -------------------


def _star_points() -> str:
    points = []
    for k in range(10):
        radius = 30 if k % 2 == 0 else 12.5
        angle = math.radians(-90 + 36 * k)
        points.append((32 + radius * math.cos(angle), 33 + radius * math.sin(angle)))
    return _polygon(points)


ICON_MARKUP = {
    "star": '<polygon points="' + _star_points() + '" fill="{c}"/>',
    "book": (
        '<path d="M4 14 C14 10 24 11 31 16 V54 C24 49 14 48 4 52 Z" fill="{c}"/>'
        '<path d="M60 14 C50 10 40 11 33 16 V54 C40 49 50 48 60 52 Z" fill="{c}"/>'
    ),
    "tools": (
        '<g transform="rotate(45 32 32)">'
        '<rect x="28" y="22" width="8" height="38" rx="3" fill="{c}"/>'
        '<path d="M20 4 H26 V14 H38 V4 H44 V16 C44 22 38 25 32 25 C26 25 20 22 20 16 Z" '
        'fill="{c}"/></g>'
        '<g transform="rotate(-45 32 32)">'
        '<rect x="29.5" y="4" width="5" height="30" fill="{c}"/>'
        '<rect x="25" y="34" width="14" height="26" rx="5" fill="{c}"/></g>'
    ),
    "heart": (
        '<path d="M32 58 L8 33 C0 24 2 10 14 7 C22 5 28 10 32 16 C36 10 42 5 50 7 '
        'C62 10 64 24 56 33 Z" fill="{c}"/>'
    ),
    "globe": (
        '<circle cx="32" cy="32" r="27" fill="none" stroke="{c}" stroke-width="5"/>'
        '<ellipse cx="32" cy="32" rx="11" ry="27" fill="none" stroke="{c}" stroke-width="4"/>'
        '<path d="M5 32 H59 M10 18 H54 M10 46 H54" stroke="{c}" stroke-width="4"/>'
    ),
    "leaf": (
        '<path d="M10 56 C6 30 22 8 58 6 C58 40 38 58 10 56 Z" fill="{c}"/>'
        '<path d="M12 54 C24 40 36 28 50 16" fill="none" stroke="{b}" stroke-width="3" '
        'stroke-linecap="round"/>'
    ),
    "code": (
        '<path d="M22 16 L6 32 L22 48 M42 16 L58 32 L42 48 M36 10 L28 54" fill="none" '
        'stroke="{c}" stroke-width="6" stroke-linecap="round" stroke-linejoin="round"/>'
    ),
    "people": (
        '<circle cx="21" cy="18" r="9" fill="{c}"/>'
        '<circle cx="44" cy="20" r="8" fill="{c}"/>'
        '<path d="M4 56 C4 38 12 31 21 31 C30 31 38 38 38 56 Z" fill="{c}"/>'
        '<path d="M40 56 C40 46 38 40 35 35 C38 33 41 32 44 32 C53 32 60 39 60 56 Z" '
        'fill="{c}"/>'
    ),
}


# -- text -----------------------------------------------------------------------------------

# Average advance of a bold sans-serif glyph, as a fraction of the font size.
_GLYPH_WIDTH = 0.62


def _font_size(text: str, width: float, largest: float) -> float:
    if not text:
        return largest
    return round(max(9.0, min(largest, width / (len(text) * _GLYPH_WIDTH))), 1)


def _luminance(colour: str) -> float:
    channels = []
    for start in (1, 3, 5):
        value = int(colour[start : start + 2], 16) / 255
        channels.append(value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def text_colour(background: str) -> str:
    """Near-black or white, whichever contrasts more with the background."""
    light = _luminance(background)
    return "#111111" if (light + 0.05) / 0.05 > 1.05 / (light + 0.05) else "#ffffff"


def render(design: Design) -> bytes:
    """The badge as sanitised SVG bytes."""
    lines = [line for line in (design.line1, design.line2) if line]
    ink = text_colour(design.primary)
    # With text, the icon moves up and shrinks to leave room below it.
    icon_size = {0: 120, 1: 92, 2: 80}[len(lines)]
    icon_top = {0: 68, 1: 46, 2: 40}[len(lines)]
    scale = icon_size / 64
    icon = ICON_MARKUP[design.icon].format(c=design.secondary, b=design.primary)
    text_width = {"circle": 168, "hexagon": 170, "shield": 150, "rounded": 190}[design.shape]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" '
        f'viewBox="0 0 {SIZE} {SIZE}" role="img">',
        _shape(design.shape, 0, f'fill="{design.primary}"'),
        _shape(
            design.shape,
            10,
            f'fill="none" stroke="{design.secondary}" stroke-width="5"',
        ),
        f'<g transform="translate({(SIZE - icon_size) / 2:g} {icon_top}) scale({scale:g})">'
        f"{icon}</g>",
    ]
    baseline = 172 if len(lines) == 2 else 180
    for number, line in enumerate(lines):
        size = _font_size(line, text_width - number * 16, 26 if number == 0 else 21)
        parts.append(
            f'<text x="{SIZE / 2:g}" y="{baseline + number * 28}" text-anchor="middle" '
            f'font-family="DejaVu Sans, Verdana, Arial, sans-serif" font-weight="700" '
            f'font-size="{size:g}" fill={quoteattr(ink)}>{escape(line)}</text>'
        )
    parts.append("</svg>")
    return sanitize_svg("".join(parts).encode("utf-8"))


# -- stored settings -----------------------------------------------------------------------------


def design_settings(design: Design) -> dict:
    return asdict(design)


def design_for(version) -> Design | None:
    """The designer settings stored with a version, or None when its image was uploaded."""
    stored = BadgeClassDesign.objects.filter(version=version).first()
    if stored is None:
        return None
    try:
        return design_from(stored.settings)
    except ValidationError:
        return None  # written by an older designer whose choices no longer exist


def design_store(*, actor, version, design: Design | None, kept_from=None) -> None:
    """Remember how `version`'s image was made: `design` when the designer drew it; when the
    image was kept from `kept_from` (an earlier version), that version's design; otherwise
    (an uploaded image) nothing."""
    require_permission(actor, version.badge_class.organisation, DESIGN_BADGES)
    if design is None and kept_from is not None and kept_from.pk != version.pk:
        design = design_for(kept_from)
    elif design is None and kept_from is not None:
        return  # the same version, image unchanged: its design (if any) stays
    if design is None:
        BadgeClassDesign.objects.filter(version=version).delete()
        return
    BadgeClassDesign.objects.update_or_create(
        version=version, defaults={"settings": design_settings(design)}
    )
