"""The three-way merge behind `ygs update`: unit cases and properties."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ygs.core.merge3 import merge

BASE = "one\ntwo\nthree\nfour\nfive\nsix\n"


def test_disjoint_edits_merge_cleanly():
    theirs = BASE.replace("two", "TWO (mine)")
    ours = BASE.replace("five", "FIVE (new)")
    result = merge(BASE, theirs, ours)
    assert result.clean
    assert result.text == "one\nTWO (mine)\nthree\nfour\nFIVE (new)\nsix\n"


def test_same_edit_on_both_sides_is_taken_once():
    edited = BASE.replace("three", "3")
    assert merge(BASE, edited, edited).text == edited
    both = BASE.replace("three", "3").replace("six", "6")
    result = merge(BASE, BASE.replace("three", "3"), both)
    assert result.clean and result.text == both


def test_overlapping_edits_conflict_with_markers():
    result = merge(BASE, BASE.replace("three", "mine"), BASE.replace("three", "theirs"))
    assert not result.clean and result.conflicts == 1
    assert "<<<<<<< yours\nmine\n||||||| base\nthree\n=======\ntheirs\n>>>>>>> new\n" in (
        result.text
    )
    assert result.text.startswith("one\ntwo\n") and result.text.endswith("four\nfive\nsix\n")


def test_insertions_at_the_same_place_conflict_unless_equal():
    a = BASE.replace("two\n", "two\nmine\n")
    b = BASE.replace("two\n", "two\nnew\n")
    assert not merge(BASE, a, b).clean
    assert merge(BASE, a, a).text == a


def test_edit_against_delete_conflicts():
    assert not merge(BASE, BASE.replace("four", "FOUR"), BASE.replace("four\n", "")).clean


def test_insertions_at_both_ends_merge():
    result = merge(BASE, "top\n" + BASE, BASE + "bottom\n")
    assert result.clean and result.text == "top\n" + BASE + "bottom\n"


def test_missing_final_newline_is_a_change_like_any_other():
    result = merge("a\nb\nc", "a\nb\nc\n", "A\nb\nc")
    assert result.clean and result.text == "A\nb\nc\n"
    assert not merge("a\nb", "a\nb\n", "A\nb").clean  # adjacent changes conflict, as in diff3
    conflict = merge("x", "y", "")
    assert not conflict.clean and conflict.text.count("\n") >= 5


lines = st.lists(st.sampled_from(["a\n", "b\n", "c\n", "d\n", "e\n", "\n", "x"]), max_size=12)
texts = lines.map("".join)


@settings(max_examples=300, deadline=None)
@given(texts, texts)
def test_one_sided_changes_are_taken_whole(base, other):
    assert merge(base, base, other).text == other
    assert merge(base, other, base).text == other
    assert merge(base, other, other).text == other


@settings(max_examples=300, deadline=None)
@given(texts, texts, texts)
def test_merge_is_symmetric_and_marks_every_conflict(base, theirs, ours):
    one, other = merge(base, theirs, ours), merge(base, ours, theirs)
    assert one.conflicts == other.conflicts
    if one.clean:
        assert one.text == other.text
    else:
        assert one.text.count("<<<<<<< yours\n") == one.conflicts
        assert one.text.count(">>>>>>> new\n") == one.conflicts


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text("abc", min_size=1, max_size=3), min_size=6, max_size=12, unique=True),
    st.data(),
)
def test_edits_in_separate_regions_always_merge(words, data):
    base = [w + "\n" for w in words]
    cut = data.draw(st.integers(2, len(base) - 3))
    i = data.draw(st.integers(0, cut - 2))  # theirs edits before the cut
    j = data.draw(st.integers(cut + 1, len(base) - 1))  # ours edits after it, a line apart
    theirs = [*base[:i], "MINE\n", *base[i + 1 :]]
    ours = [*base[:j], "NEW\n", *base[j + 1 :]]
    expected = [*base[:i], "MINE\n", *base[i + 1 : j], "NEW\n", *base[j + 1 :]]
    result = merge("".join(base), "".join(theirs), "".join(ours))
    assert result.clean and result.text == "".join(expected)
