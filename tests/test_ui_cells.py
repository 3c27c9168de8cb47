"""``ui/cells.py`` measures and cuts text exactly as Rich measures it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from smstui.ui.cells import cells, pieces

#: one-cell runs, wide and narrow others, joiners, combining and control characters
ALPHABET = st.sampled_from(
    [
        "a",
        " ",
        "Z",
        "é",
        "→",
        "…",
        "●",
        "日",
        "本",
        "👩",
        "\u200d",
        "💻",
        "\ufe0f",
        "#",
        "e\u0301",
        "\u200b",
        "\x1b",
        "\t",
        "Ω",
        "─",
        "⠿",
        "\u00ad",
        "\x7f",
    ]
)


@settings(max_examples=500, deadline=None)
@given(text=st.lists(ALPHABET, max_size=40).map("".join))
def test_cells_is_richs_cell_len(text: str) -> None:
    assert cells(text) == cell_len(text)


@settings(max_examples=500, deadline=None)
@given(text=st.lists(ALPHABET, max_size=40).map("".join))
def test_pieces_rebuild_the_text_and_keep_its_width(text: str) -> None:
    parts = list(pieces(text))
    assert "".join(parts) == text
    assert sum(cell_len(p) for p in parts) == cell_len(text)


def test_a_history_row_is_cut_around_its_arrow_and_ellipsis() -> None:
    row = " → +447400123456 Your technician is on the way…"
    assert list(pieces(row)) == [" ", "→", " +447400123456 Your technician is on the way", "…"]
    assert cells(row) == cell_len(row) == len(row)


def test_plain_ascii_is_one_piece() -> None:
    assert list(pieces("12-03 04:50 Delivered")) == ["12-03 04:50 Delivered"]
