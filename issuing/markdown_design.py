"""Markdown written by issuers (criteria), shown as HTML that cannot carry scripts.

markdown-it-py renders CommonMark with raw HTML switched off; nh3 then keeps only a short list
of text elements, so neither Markdown links with `javascript:` nor any HTML typed into the text
reach the page.
"""

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("strikethrough")
_TAGS = {
    "p", "br", "strong", "em", "s", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h3", "h4", "h5", "h6", "hr",
}  # fmt: skip


def _shift_headings(html: str) -> str:
    # The narrative sits under the page's own h2 headings: its headings start at h3.
    for level in (6, 5, 4, 3, 2, 1):
        target = min(level + 2, 6)
        html = html.replace(f"<h{level}>", f"<h{target}>").replace(f"</h{level}>", f"</h{target}>")
    return html


def render_markdown(text: str) -> SafeString:
    html = _shift_headings(_markdown.render(text or ""))
    clean = nh3.clean(
        html,
        tags=_TAGS,
        attributes={"a": {"href", "title"}, "ol": {"start"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
    # nh3 has just removed everything but the listed text elements.
    return mark_safe(clean)
