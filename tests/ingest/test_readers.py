from __future__ import annotations

import json
import shutil
import tracemalloc
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ingest.raw import RawDocument, Refusal
from ingest.readers import read_path
from kb.errors import InvalidInput, NotFound

FIXTURES = Path(__file__).parents[1] / "fixtures" / "ingest"


def read(root: Path, **options: Any) -> tuple[dict[str, RawDocument], dict[str, str]]:
    """What a run read: documents by id, and refusal reasons by path."""
    documents: dict[str, RawDocument] = {}
    refusals: dict[str, str] = {}
    for item in read_path(root, **options):
        if isinstance(item, Refusal):
            refusals[item.path] = item.reason
        else:
            documents[item.doc_id] = item
    return documents, refusals


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, "utf-8")
    else:
        path.write_bytes(content)
    return path


# --- Markdown ----------------------------------------------------------------------------------


def test_markdown_front_matter_fills_every_field() -> None:
    documents, refusals = read(FIXTURES / "markdown")
    assert not refusals
    assert documents["password-reset"] == RawDocument(
        doc_id="password-reset",
        title="Reset your Fernhill password",
        body=documents["password-reset"].body,
        path="reset-your-password.md",
        format="markdown",
        source="public",
        approved=True,
        audience="customer",
        product="account",
        owner="marco.bellini",
        review_by=date(2027, 1, 15),
        language="en",
        url="https://help.fernhill.example/articles/password-reset",
        tags=("account", "sign-in", "password"),
    )


def test_front_matter_is_removed_from_the_markdown_body() -> None:
    documents, _ = read(FIXTURES / "markdown")
    body = documents["password-reset"].body
    assert body.startswith("# Reset your password\n\nIf you forgot your password")
    assert "review_by" not in body
    assert "---" not in body


def test_a_markdown_id_is_derived_from_its_path_under_the_root() -> None:
    documents, _ = read(FIXTURES / "markdown")
    assert set(documents) == {
        "password-reset",
        "billing-late-payment-reminders",
        "payroll-payroll-run-deadlines",
    }
    assert documents["payroll-payroll-run-deadlines"].path == "payroll/Payroll run deadlines.md"


def test_a_markdown_title_falls_back_to_the_first_heading_then_the_file_name() -> None:
    documents, _ = read(FIXTURES / "markdown")
    assert documents["billing-late-payment-reminders"].title == "Send late payment reminders"
    # That file's headings are all "## ", so its name is the best title there is.
    assert documents["payroll-payroll-run-deadlines"].title == "Payroll run deadlines"


def test_internal_markdown_keeps_its_audience() -> None:
    documents, _ = read(FIXTURES / "markdown")
    deadlines = documents["payroll-payroll-run-deadlines"]
    assert (deadlines.source, deadlines.approved, deadlines.audience) == ("internal", True, "agent")


def test_markdown_without_front_matter_has_no_provenance(tmp_path: Path) -> None:
    write(tmp_path, "Über uns.md", "Plain words, no heading.\n")
    documents, _ = read(tmp_path)
    document = documents["uber-uns"]
    assert (document.title, document.source, document.approved) == ("Über uns", None, None)
    assert document.body == "Plain words, no heading."


# --- HTML --------------------------------------------------------------------------------------


def test_html_is_converted_to_markdown_without_page_chrome() -> None:
    documents, _ = read(FIXTURES / "invoice-email-not-arriving.html")
    body = documents["invoice-email-not-arriving"].body
    assert body.startswith("# Your customer didn't receive an invoice email\n\nMost missing")
    assert "1. Open the invoice and check the Sent to address.\n2. Ask" in body
    assert "search their spam folder for `invoices@fernhill.example`." in body
    assert "## What the delivery log says" in body
    assert "| Status | Meaning |\n| --- | --- |\n| Delivered | The customer's mail server" in body
    assert "```sh\ncurl -X POST https://api.fernhill.example/v1/invoices/INV-1042/send\n```" in body
    for chrome in ("analytics", "font-family", "Help Center", "Billing", "DOCS-4411", "Privacy"):
        assert chrome not in body


def test_html_links_keep_only_web_addresses() -> None:
    documents, _ = read(FIXTURES / "invoice-email-not-arriving.html")
    body = documents["invoice-email-not-arriving"].body
    assert "SPF and DKIM (https://help.fernhill.example/articles/email-authentication)" in body
    assert "under Settings → Email." in body  # a relative link keeps its text only
    assert "or email us." in body  # and so does a mailto: link


def test_html_provenance_comes_from_tandem_meta_tags() -> None:
    documents, _ = read(FIXTURES / "invoice-email-not-arriving.html")
    page = documents["invoice-email-not-arriving"]
    assert page.title == "Invoice emails not arriving – Fernhill Help Center"
    assert (page.source, page.approved, page.product) == ("public", True, "invoicing")
    assert page.review_by == date(2026, 12, 1)
    assert page.tags == ("invoicing", "email", "deliverability")
    assert page.language == "en"  # from <html lang="en-GB">
    assert page.url == "https://help.fernhill.example/articles/invoice-email-not-arriving"
    assert (page.path, page.format) == ("invoice-email-not-arriving.html", "html")


def test_html_without_meta_tags_has_no_provenance(tmp_path: Path) -> None:
    write(tmp_path, "faq.htm", "<h1>Frequently asked</h1><ul><li>Is it free?<ul><li>No.</li></ul>")
    documents, _ = read(tmp_path)
    faq = documents["faq"]
    assert (faq.title, faq.source, faq.approved) == ("Frequently asked", None, None)
    assert faq.body == "# Frequently asked\n\n- Is it free?\n  - No."


# --- plain text --------------------------------------------------------------------------------


def test_a_text_file_is_titled_by_its_first_line_and_has_no_provenance() -> None:
    documents, _ = read(FIXTURES / "payout-schedule.txt")
    schedule = documents["payout-schedule"]
    assert schedule.title == "Payout schedule"
    assert (schedule.source, schedule.approved, schedule.format) == (None, None, "text")
    assert "two business days after the payment is captured" in schedule.body


# --- Zendesk Guide -----------------------------------------------------------------------------


def test_a_public_zendesk_article_is_public_and_approved() -> None:
    documents, _ = read(FIXTURES / "zendesk_articles.json")
    article = documents["zendesk-360012345671"]
    assert article.title == "Connect your bank account"
    assert (article.source, article.approved, article.audience) == ("public", True, "customer")
    assert article.path == "zendesk_articles.json#360012345671"
    assert article.url.endswith("/hc/en-us/articles/360012345671-Connect-your-bank-account")
    assert (article.language, article.tags) == ("en", ("payouts", "bank account"))
    assert "1. Open Settings → Payouts.\n2. Choose Add bank account" in article.body


def test_a_zendesk_article_restricted_to_a_segment_is_internal_for_agents() -> None:
    documents, _ = read(FIXTURES / "zendesk_articles.json")
    article = documents["zendesk-360012345672"]
    assert (article.source, article.approved, article.audience) == ("internal", True, "agent")
    assert "- Escalate to Trust & Safety with the tag `ato-suspected`." in article.body


def test_a_zendesk_draft_is_refused() -> None:
    documents, refusals = read(FIXTURES / "zendesk_articles.json")
    assert "zendesk-360012345673" not in documents
    assert refusals == {"zendesk_articles.json#360012345673": "draft article"}


def test_a_bare_list_of_zendesk_articles_is_read(tmp_path: Path) -> None:
    articles = json.loads((FIXTURES / "zendesk_articles.json").read_text("utf-8"))["articles"]
    write(tmp_path, "guide.json", json.dumps(articles[:1]))
    documents, _ = read(tmp_path)
    assert list(documents) == ["zendesk-360012345671"]


# --- Intercom ----------------------------------------------------------------------------------


def test_published_intercom_articles_are_public_and_approved() -> None:
    documents, _ = read(FIXTURES / "intercom_articles.json")
    assert set(documents) == {"intercom-8120451", "intercom-8120452"}
    invoice = documents["intercom-8120451"]
    assert (invoice.source, invoice.approved, invoice.format) == ("public", True, "intercom")
    assert invoice.path == "intercom_articles.json#8120451"
    assert invoice.url.startswith("https://intercom.help/fernhill/en/articles/8120451")
    # The description customers see under the title opens the text.
    assert invoice.body.startswith("From a blank invoice to your customer's inbox")
    assert "## Send it" in invoice.body


def test_an_intercom_draft_is_refused() -> None:
    _, refusals = read(FIXTURES / "intercom_articles.json")
    assert refusals == {"intercom_articles.json#8120453": "draft article"}


def test_a_bare_list_of_intercom_articles_is_read(tmp_path: Path) -> None:
    articles = json.loads((FIXTURES / "intercom_articles.json").read_text("utf-8"))["data"]
    write(tmp_path, "help.json", json.dumps(articles))
    documents, refusals = read(tmp_path)
    assert set(documents) == {"intercom-8120451", "intercom-8120452"}
    assert refusals == {"help.json#8120453": "draft article"}


def test_one_bad_article_in_an_export_spoils_nothing_else(tmp_path: Path) -> None:
    fine = {
        "type": "article",
        "id": "1",
        "title": "Fine",
        "body": "<p>Hi</p>",
        "state": "published",
    }
    untitled = {**fine, "id": "2", "title": None}
    write(tmp_path, "help.json", json.dumps([fine, untitled, "not an object"]))
    documents, refusals = read(tmp_path)
    assert list(documents) == ["intercom-1"]
    assert refusals == {
        "help.json#2": "title is missing",
        "help.json#item-3": "not an article with an id",
    }


# --- choosing readers --------------------------------------------------------------------------


def test_a_folder_is_read_recursively_in_path_order_skipping_hidden_files() -> None:
    paths = [item.path for item in read_path(FIXTURES) if isinstance(item, RawDocument)]
    assert paths == [
        "intercom_articles.json#8120451",
        "intercom_articles.json#8120452",
        "invoice-email-not-arriving.html",
        "markdown/billing/late-payment-reminders.md",
        "markdown/payroll/Payroll run deadlines.md",
        "markdown/reset-your-password.md",
        "payout-schedule.txt",
        "zendesk_articles.json#360012345671",
        "zendesk_articles.json#360012345672",
    ]


def test_hidden_files_and_folders_are_skipped(tmp_path: Path) -> None:
    write(tmp_path, ".draft.md", "# Secret")
    write(tmp_path, ".git/notes.md", "# Secret")
    write(tmp_path, "visible.md", "# Shown")
    documents, refusals = read(tmp_path)
    assert (list(documents), refusals) == (["visible"], {})


def test_an_explicit_format_applies_to_every_file(tmp_path: Path) -> None:
    write(tmp_path, "notes.md", "# Not a heading here\nJust text.")
    write(tmp_path, "export.json", '{"articles": []}')
    documents, refusals = read(tmp_path, format="text")
    assert documents["notes"].title == "# Not a heading here"
    assert documents["export"].format == "text"
    assert not refusals


def test_unsupported_file_types_are_refused_by_extension(tmp_path: Path) -> None:
    write(tmp_path, "diagram.png", b"\x89PNG\r\n")
    write(tmp_path, "Makefile", "all:")
    _, refusals = read(tmp_path)
    assert refusals["diagram.png"].startswith("unsupported file type .png (Tandem reads .md,")
    assert refusals["Makefile"].startswith("unsupported file type (no extension)")


@pytest.mark.parametrize(
    "content",
    [{"tickets": []}, [{"subject": "Refund?"}], [], "articles"],
)
def test_json_that_is_no_known_export_is_refused(tmp_path: Path, content: object) -> None:
    write(tmp_path, "tickets.json", json.dumps(content))
    _, refusals = read(tmp_path)
    assert refusals["tickets.json"].startswith("unrecognised JSON export")


def test_an_unknown_format_is_a_mistake_in_the_call(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="unknown format 'docx'"):
        read_path(tmp_path, format="docx")


def test_a_missing_root_is_a_mistake_in_the_call(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="does not exist"):
        read_path(tmp_path / "nowhere")


# --- refusals ----------------------------------------------------------------------------------

FRONT = "---\n{}\n---\n# Title\n\nBody text.\n"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("diagram.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file, not text"),
        (
            "latin1.txt",
            "Caf\xe9 hours".encode("latin-1"),
            "not valid UTF-8 (byte 0xe9 at offset 3)",
        ),
        ("empty.md", "---\ntitle: Nothing yet\n---\n", "no text"),
        ("blank.txt", "\n   \n", "no text"),
        ("empty.html", "<html><body><nav>Only chrome</nav></body></html>", "no text"),
        ("broken.json", '{"articles": [', "not valid JSON: Expecting value (line 1, column 15)"),
        ("none.json", '{"articles": []}', "the export holds no articles"),
    ],
)
def test_a_bad_file_is_refused_with_a_reason_a_person_can_act_on(
    tmp_path: Path, name: str, content: str | bytes, reason: str
) -> None:
    write(tmp_path, name, content)
    documents, refusals = read(tmp_path)
    assert (documents, refusals) == ({}, {name: reason})


@pytest.mark.parametrize(
    ("front_matter", "reason"),
    [
        ("title: [unclosed", "front matter is not valid YAML: "),
        ("- one\n- two", "front matter must be a mapping of keys to values, not a list"),
        ("approved: maybe", "front matter: approved must be true or false, not 'maybe'"),
        ("source: partner", "front matter: source must be public or internal, not 'partner'"),
        ("review_by: soon", "front matter: review_by must be a date like 2027-01-31, not 'soon'"),
        ("review_by: 2027-02-30", "front matter is not valid YAML: day is out of range for month"),
        ("tags: {a: 1}", "front matter: tags must be a list of words, not a mapping"),
        ("title: [a, b]", "front matter: title must be text, not a list"),
    ],
)
def test_bad_front_matter_is_refused_naming_the_problem(
    tmp_path: Path, front_matter: str, reason: str
) -> None:
    write(tmp_path, "article.md", FRONT.format(front_matter))
    documents, refusals = read(tmp_path)
    assert not documents
    assert refusals["article.md"].startswith(reason), refusals["article.md"]


def test_front_matter_must_be_closed(tmp_path: Path) -> None:
    write(tmp_path, "open.md", "---\ntitle: Never closed\n\n# Title\n")
    _, refusals = read(tmp_path)
    assert refusals == {
        "open.md": "front matter is not closed: add a line holding only --- after it"
    }


def test_a_bad_meta_tag_is_refused_naming_the_tag(tmp_path: Path) -> None:
    write(tmp_path, "page.html", '<meta name="tandem:approved" content="soon"><p>Text</p>')
    _, refusals = read(tmp_path)
    assert refusals == {
        "page.html": "<meta name=\"tandem:approved\">: must be true or false, not 'soon'"
    }


def test_a_yaml_error_names_the_line_in_the_file(tmp_path: Path) -> None:
    write(tmp_path, "bad.md", "---\nid: ok\ntitle: [unclosed\nsource: public\n---\nBody")
    _, refusals = read(tmp_path)
    assert "(line 4)" in refusals["bad.md"]


def test_one_bad_file_does_not_stop_the_batch(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "markdown", tmp_path, dirs_exist_ok=True)
    write(tmp_path, "billing/broken.md", FRONT.format("approved: maybe"))
    write(tmp_path, "billing/diagram.png", b"\x89PNG")
    documents, refusals = read(tmp_path)
    assert len(documents) == 3
    assert set(refusals) == {"billing/broken.md", "billing/diagram.png"}


def test_an_oversized_file_is_refused_without_being_loaded(tmp_path: Path) -> None:
    huge = tmp_path / "dump.txt"
    with huge.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: 50 MB on paper, nothing on disk
    tracemalloc.start()
    try:
        _, refusals = read(tmp_path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refusals == {"dump.txt": "larger than the 10 MB limit (50.0 MB)"}
    assert peak < 1024 * 1024


def test_the_size_limit_can_be_lowered(tmp_path: Path) -> None:
    write(tmp_path, "notes.txt", "x" * 2048)
    _, refusals = read(tmp_path, max_bytes=1024)
    assert refusals == {"notes.txt": "larger than the 1 KB limit (2.0 KB)"}


def test_a_second_document_with_the_same_id_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "a.md", FRONT.format("id: refunds"))
    write(tmp_path, "b/refunds.md", "# Refunds, again\n\nSame id, derived from the path.")
    write(tmp_path, "c.md", FRONT.format("id: b-refunds"))
    documents, refusals = read(tmp_path)
    assert documents["refunds"].path == "a.md"
    assert documents["b-refunds"].path == "b/refunds.md"
    assert refusals == {"c.md": "duplicate id b-refunds, also in b/refunds.md"}


def test_a_link_pointing_outside_the_root_is_refused(tmp_path: Path) -> None:
    outside = write(tmp_path, "private/passwords.txt", "hunter2")
    root = tmp_path / "docs"
    write(root, "guide.txt", "A guide")
    (root / "passwords.txt").symlink_to(outside)
    (root / "elsewhere").symlink_to(outside.parent, target_is_directory=True)
    documents, refusals = read(root)
    assert list(documents) == ["guide"]
    assert set(refusals) == {"passwords.txt", "elsewhere"}
    assert all("outside the ingest folder" in reason for reason in refusals.values())


def test_a_link_to_a_file_inside_the_root_is_read(tmp_path: Path) -> None:
    write(tmp_path, "guide.txt", "A guide")
    (tmp_path / "alias.txt").symlink_to(tmp_path / "guide.txt")
    documents, refusals = read(tmp_path)
    assert set(documents) == {"alias", "guide"}
    assert not refusals


def test_a_link_to_a_folder_inside_the_root_is_not_followed(tmp_path: Path) -> None:
    write(tmp_path, "guides/setup.txt", "Set up")
    (tmp_path / "shortcut").symlink_to(tmp_path / "guides", target_is_directory=True)
    documents, refusals = read(tmp_path)
    assert list(documents) == ["guides-setup"]  # read once, where it is
    assert refusals == {
        "shortcut": "symbolic link to a folder inside the ingest folder, not followed"
    }


def test_a_file_name_without_letters_needs_an_id_in_its_front_matter(tmp_path: Path) -> None:
    write(tmp_path, "!!!.md", "# Exclamations\n\nLoud.")
    write(tmp_path, "---.md", FRONT.format("id: dashes"))
    documents, refusals = read(tmp_path)
    assert list(documents) == ["dashes"]
    assert refusals["!!!.md"] == (
        "front matter: id is missing and cannot be derived from the file name; add one"
    )
