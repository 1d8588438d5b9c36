"""The built-in designer: every shape and icon gives a clean square SVG the services accept."""

import itertools
import re

import pytest
from defusedxml.ElementTree import fromstring
from django.core.exceptions import ValidationError

from issuing import designer, images, images_design


@pytest.mark.parametrize(
    ("shape", "icon"), list(itertools.zip_longest(designer.SHAPES, designer.ICONS))
)
def test_every_shape_and_icon_renders_a_square_svg(shape, icon):
    design = designer.Design(shape=shape or "circle", icon=icon, line1="Hansa", line2="2026")
    svg = designer.render(design)
    root = fromstring(svg)
    assert root.get("viewBox") == "0 0 256 256"
    assert images_design.svg_proportions(svg) == (256.0, 256.0)
    assert images.clean_badge_image(svg) == (svg, "image/svg+xml")
    # Re-sanitising changes nothing: the designer output is already in its final form.
    assert images_design.prepare_badge_image(svg) == svg


def test_text_is_escaped():
    svg = designer.render(designer.Design(line1='<script>"&</script>'))
    assert b"<script" not in svg
    assert b"&lt;script&gt;" in svg


def font_sizes(svg: bytes) -> list[float]:
    return [float(size) for size in re.findall(rb'font-size="([0-9.]+)"', svg)]


def test_long_text_gets_a_smaller_font():
    short = font_sizes(designer.render(designer.Design(line1="Eco")))
    long = font_sizes(designer.render(designer.Design(line1="Sustainability mentor")))
    assert long[0] < short[0]
    # The estimated width of the long line stays inside the badge.
    assert len("Sustainability mentor") * long[0] * 0.62 <= 168


def test_text_colour_contrasts_with_the_background():
    assert designer.text_colour("#0e2456") == "#ffffff"
    assert designer.text_colour("#ffe680") == "#111111"


def test_design_from_values_validates_each_field():
    with pytest.raises(ValidationError) as error:
        designer.design_from(
            {"shape": "triangle", "icon": "rocket", "primary": "red", "line1": "x" * 25}
        )
    assert set(error.value.message_dict) == {"shape", "icon", "primary", "line1"}


def test_design_from_empty_values_gives_the_default():
    assert designer.design_from({}) == designer.DEFAULT
