"""The public-surface import contract finds what it must, and only that."""

from __future__ import annotations

import grimp

from tests.contracts.public_surface import breaches, is_public


def _graph(*imports: tuple[str, str]) -> grimp.ImportGraph:
    graph = grimp.ImportGraph()
    for importer, imported in imports:
        graph.add_import(importer=importer, imported=imported, line_number=3, line_contents="x")
    return graph


def test_public_modules_of_an_app():
    assert is_public("capitalis.jury.services", "capitalis")
    assert is_public("capitalis.jury.queries", "capitalis")
    assert is_public("capitalis.reporting.queries_surveys", "capitalis")
    assert is_public("capitalis.reporting.surveys.queries", "capitalis")
    assert is_public("capitalis.admissions.jury.services", "capitalis")
    assert is_public("capitalis.admissions.jury.queries", "capitalis")
    assert is_public("capitalis.admissions.services.transitions", "capitalis")
    assert is_public("capitalis.reporting.surveys.services", "capitalis")
    assert is_public("capitalis.reporting.surveys.rules", "capitalis")
    assert not is_public("capitalis.reporting.surveys.views", "capitalis")
    assert not is_public("capitalis.reporting.declarations.register", "capitalis")
    assert is_public("capitalis.jury", "capitalis")
    assert not is_public("capitalis.jury.views", "capitalis")
    assert not is_public("capitalis.jury.api_urls", "capitalis")
    assert not is_public("capitalis.jury.forms", "capitalis")
    assert not is_public("capitalis.admissions.jury.views", "capitalis")
    assert not is_public("capitalis.admissions.jury.letters", "capitalis")
    assert not is_public("capitalis.credentials.tasks", "capitalis")


def test_an_import_of_another_apps_view_breaks_the_contract():
    graph = _graph(
        ("capitalis.credentials.services", "capitalis.jury.views"),
        ("capitalis.credentials.services", "capitalis.jury.services"),
        ("capitalis.credentials.views", "capitalis.credentials.forms"),  # its own: fine
        ("capitalis.jury.demo", "capitalis.accounts.demo"),  # demo builds on demo: fine
        ("capitalis.jury.views", "capitalis.core.downloads"),  # the kernel: fine
        ("capitalis.urls", "capitalis.web.views_api_docs"),  # the root URLconf: fine
    )
    found = breaches(graph, "capitalis", frozenset({"core"}))
    assert [(b.importer, b.imported, b.line_numbers) for b in found] == [
        ("capitalis.credentials.services", "capitalis.jury.views", (3,))
    ]


def test_a_page_may_not_import_another_apps_demo():
    graph = _graph(("capitalis.web.views", "capitalis.accounts.demo"))
    assert [b.imported for b in breaches(graph, "capitalis", frozenset())] == [
        "capitalis.accounts.demo"
    ]
