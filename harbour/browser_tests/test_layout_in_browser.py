"""The stylesheet keeps long words and wide tables within a phone's screen (375 px)."""

import pytest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PHONE = {"width": 375, "height": 800}


def page_with(live_server_url: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en-GB" class="govuk-template"><head>'
        f'<link rel="stylesheet" href="{live_server_url}/static/harbour/application.css">'
        '</head><body class="govuk-template__body govuk-frontend-supported">'
        f'<div class="govuk-width-container"><main class="govuk-main-wrapper">{body}</main>'
        "</div></body></html>"
    )


def table(columns: list[str]) -> str:
    cells = "".join(f'<td class="govuk-table__cell">{text}</td>' for text in columns)
    heads = "".join(f'<th class="govuk-table__header">Column {n}</th>' for n in range(len(columns)))
    return (
        f'<table class="govuk-table"><thead class="govuk-table__head"><tr class="govuk-table__row">'
        f'{heads}</tr></thead><tbody class="govuk-table__body"><tr class="govuk-table__row">'
        f"{cells}</tr></tbody></table>"
    )


def test_a_5000_character_word_does_not_widen_its_table_or_the_page(browser, live_server):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_content(page_with(live_server.url, table(["12 May 2026", "x" * 5000])))
    page.wait_for_load_state("networkidle")

    assert page.evaluate("document.querySelector('table').scrollWidth") <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()


def test_a_table_wider_than_a_phone_scrolls_inside_itself(browser, live_server):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    words = ["Placement", "Responsible", "Authority", "Coordinator", "Allocated", "Outcome"]
    page.set_content(page_with(live_server.url, table(words * 2)))
    page.wait_for_load_state("networkidle")

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    scrolls = "(t => t.scrollWidth > t.clientWidth)(document.querySelector('table'))"
    assert page.evaluate(scrolls)
    context.close()
