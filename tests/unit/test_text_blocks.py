"""Plain text from data files rendered as paragraphs and lists."""
from trainer.text_blocks import text_blocks


def test_paragraphs_numbered_and_bulleted_lists_are_recognised():
    text = "Intro line\ncontinues.\n\n1. First\n2) Second\n\n- one\n* two\n\nClosing."
    assert text_blocks(text) == [
        ("p", "Intro line continues."), ("ol", ["First", "Second"]), ("ul", ["one", "two"]),
        ("p", "Closing."),
    ]


def test_a_block_mixing_list_lines_and_prose_stays_a_paragraph():
    assert text_blocks("1. Step\nnot a step") == [("p", "1. Step not a step")]
    assert text_blocks("") == []
