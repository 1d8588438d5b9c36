from django import template

from issuing.forms_design import language_choices
from issuing.markdown_design import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown(text: str):
    """Issuer-written Markdown as sanitised HTML."""
    return render_markdown(text)


@register.filter(name="language_name")
def language_name(code: str) -> str:
    """The name of a badge content language in that language (the code when unknown)."""
    return dict(language_choices()).get(code, code)
