"""Final replies as knowledge, and side-by-side diffs: pure functions over text."""

from __future__ import annotations

from review.diffs import side_by_side
from review.replies import clean_reply, slugify, split_reply, title_from_subject


def test_a_reply_loses_its_greeting_sign_off_and_feedback_request() -> None:
    reply = (
        "Hi Pia,\n\nYes, you can print a QR code.\n\n1. Open your template.\n2. Turn it on.\n\n"
        "How did we do? Reply with a 1–5 rating.\n\n— Omar, Fernhill Support"
    )

    cleaned = clean_reply(reply)

    assert cleaned == "Yes, you can print a QR code.\n\n1. Open your template.\n2. Turn it on."
    parts = split_reply(cleaned)
    assert parts.sentences == ["Yes, you can print a QR code."]
    assert parts.steps == ["Open your template.", "Turn it on."]


def test_a_chat_greeting_in_front_of_the_answer_is_cut_and_the_answer_kept() -> None:
    assert clean_reply("Hi <PERSON_1>! It works on every plan.") == "It works on every plan."
    assert clean_reply("Thanks for asking. It works on every plan.") == (
        "Thanks for asking. It works on every plan."
    )


def test_titles_and_ids_come_from_subjects() -> None:
    assert title_from_subject("Re: QR code on invoices - starter plan?") == (
        "QR code on invoices - starter plan"
    )
    assert (
        slugify('Print a "Scan to pay" QR code — on PDFs') == "print-a-scan-to-pay-qr-code-on-pdfs"
    )


def test_a_diff_pairs_changed_lines_and_numbers_both_sides() -> None:
    rows = side_by_side("# Title\nold line\nkept\n", "# Title\nnew line\nkept\nadded\n")

    assert [(r.kind, r.left_number, r.right_number) for r in rows] == [
        ("equal", 1, 1),
        ("replace", 2, 2),
        ("equal", 3, 3),
        ("insert", None, 4),
    ]
    assert (rows[1].left, rows[1].right) == ("old line", "new line")
    assert [r.kind for r in side_by_side("a\nb\n", "a\n")] == ["equal", "delete"]
