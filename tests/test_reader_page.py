"""The managers' reader page (issue 23): the reader in force, the adoptions with the figures
they were adopted on, the shop readers learnt, and adopt / roll back as `evenhand reader
adopt VERSION|built-in` does (managers only, with the form's CSRF token). The shop reader
stored here is the built-in reader's own intent model saved as one (no training: the page
is about adoption, not about how well it reads)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from evenhand.actions.shop_reader import adoptions
from evenhand.settings import Settings, reader_folder
from evenhand.understand import artefact
from evenhand.understand.artefact import ReaderModels
from evenhand.understand.linear import LinearTextModel
from evenhand.understand.reader import EmbeddedReader
from evenhand.understand.shop_artefact import save_shop_reader
from tests.sites import AGENT, LEAD, Site, csrf_of, serve_site


def learnt_figures(**overrides: object) -> dict[str, object]:
    """What `reader learn` stores with a shop reader, with figures a test can name."""
    side = {"other_share": 0.05, "out_of_scope_to_remedy": 0, "intents": {}}
    figures: dict[str, object] = {
        "rows": 285,
        "source": "zendesk",
        "left_out": {"vip": 23},
        "unlabelled": 3,
        "ambiguous": 2,
        "corrections": {"added": 4, "replaced": 1},
        "scheme": {
            "relabelled": {"wrong_item": "damaged_item", "shipping_question": "where_is_my_order"}
        },
        "comparison": {
            "rows": 285,
            "folds": 5,
            "built_in": {**side, "macro_f1": 0.847},
            "shop": {**side, "macro_f1": 0.970},
            "too_few": {},
        },
    }
    figures.update(overrides)
    return figures


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A reader folder holding the built-in reader (linked) and nothing else yet."""
    built = artefact.artefact_path(reader_folder(Settings()))
    folder = tmp_path / "readers"
    folder.mkdir()
    (folder / built.name).symlink_to(built)
    return folder


@pytest.fixture
def site(sqlite_url: str, reader: EmbeddedReader, folder: Path) -> Iterator[Site]:
    yield from serve_site(sqlite_url, reader, reader_folder=folder)


def a_shop_reader(models: ReaderModels, folder: Path) -> str:
    classifier = models.intent.classifier
    assert isinstance(classifier, LinearTextModel)
    return save_shop_reader(classifier, learnt_figures(), folder)


def test_a_manager_adopts_a_learnt_reader_and_rolls_back(
    site: Site, models: ReaderModels, folder: Path
) -> None:
    # Given a shop reader learnt and stored, none adopted
    version = a_shop_reader(models, folder)
    lead = site.sign_in(LEAD)
    html = LexborHTMLParser(lead.get("/reader").text)
    in_force = html.css_first("#in-force")
    assert in_force is not None
    assert "the built-in reader" in in_force.text()
    table = html.css_first('table[aria-label="shop readers"]')
    assert table is not None
    learnt = table.text()
    assert version in learnt and "0.847 → 0.970" in learnt and "5 correction" in learnt
    assert "wrong_item as damaged_item" in learnt
    assert "shipping_question as where_is_my_order" in learnt
    # and the tickets left out are those with no label (3) or two (2): the tag 'vip', passed
    # over on 23 tickets that are rows, leaves none out
    cells = [cell.text().strip() for cell in table.css("tbody tr")[0].css("td")]
    assert cells[4] == "5"
    # When the manager adopts it from the page
    answer = lead.post("/reader/adopt", data={"csrf": csrf_of(lead, "/reader"), "version": version})
    # Then it is in force, its figures recorded with the adoption, and the history shows it
    assert answer.status_code == 303
    assert adoptions(site.engine)[0]["version"] == version
    assert adoptions(site.engine)[0]["figures"]["rows"] == 285
    assert adoptions(site.engine)[0]["adopted_by"] == LEAD
    html = LexborHTMLParser(lead.get("/reader").text)
    in_force = html.css_first("#in-force")
    assert in_force is not None
    assert f"shop reader {version}" in in_force.text()
    # When the manager goes back to the built-in reader, then the older adoption can be
    # rolled back to again
    lead.post("/reader/adopt", data={"csrf": csrf_of(lead, "/reader"), "version": "built-in"})
    html = LexborHTMLParser(lead.get("/reader").text)
    rows = html.css('table[aria-label="adoptions"] tbody tr')
    assert [row.css("td")[0].text() for row in rows] == ["built-in (in force)", version]
    assert f"Roll back to {version}" in rows[1].text()


def test_only_a_manager_adopts_and_a_stale_or_unknown_version_is_refused(
    site: Site, models: ReaderModels, folder: Path
) -> None:
    version = a_shop_reader(models, folder)
    # Given an agent: the page shows the figures but no button, and a post is refused
    agent = site.sign_in(AGENT)
    page = agent.get("/reader").text
    assert version in page and "Adopt " not in page
    refused = agent.post(
        "/reader/adopt", data={"csrf": csrf_of(agent, "/reader"), "version": version}
    )
    assert refused.status_code == 403
    # and a manager's stale form, or a version not stored, changes nothing
    lead = site.sign_in(LEAD)
    assert lead.post("/reader/adopt", data={"csrf": "x", "version": version}).status_code == 403
    unknown = lead.post(
        "/reader/adopt", data={"csrf": csrf_of(lead, "/reader"), "version": "0123456789abcdef"}
    )
    assert unknown.status_code == 422 and version in unknown.text
    assert adoptions(site.engine) == []
    # and the page is linked from the managers' navigation and from the guide page
    assert 'href="/reader"' in lead.get("/queue").text
    assert 'href="/reader"' in agent.get("/guide").text
