"""The shared pagination include: links keep the other query parameters, one page shows no
navigation, and the text follows the visitor's language."""

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation


def render(query: str, number: int, count: int = 45) -> str:
    request = RequestFactory().get("/list/?" + query)
    page = Paginator(range(count), 20).page(number)
    return render_to_string(
        "includes/pagination.html",
        {"page": page, "label": "Pages of the list"},
        request=request,
    )


def test_middle_page_links_both_ways_and_keeps_the_filters():
    html = render("status=valid&q=anna&page=2", 2)
    assert 'aria-label="Pages of the list"' in html
    assert 'href="?status=valid&amp;q=anna&amp;page=1" rel="prev">Previous</a>' in html
    assert 'href="?status=valid&amp;q=anna&amp;page=3" rel="next">Next</a>' in html
    assert "Page 2 of 3" in html


def test_first_and_last_pages_have_one_link():
    first, last = render("", 1), render("page=3", 3)
    assert 'rel="next"' in first and 'rel="prev"' not in first
    assert 'rel="prev"' in last and 'rel="next"' not in last


def test_a_single_page_has_no_navigation():
    assert render("", 1, count=20).strip() == ""


def test_text_in_the_visitors_language():
    with translation.override("de"):
        html = render("page=2", 2)
    assert "Seite 2 von 3" in html
    assert ">Zurück</a>" in html and ">Weiter</a>" in html
