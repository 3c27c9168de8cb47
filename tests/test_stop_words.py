"""Opt-out keywords: a reply whose whole body is a stop word, case and punctuation ignored."""

from __future__ import annotations

from pathlib import Path

import pytest

from smstui.core.config import load_settings
from smstui.core.errors import ConfigError
from smstui.core.stop_words import (
    DEFAULT_START_WORDS,
    DEFAULT_STOP_WORDS,
    MAX_KEYWORD_BODY,
    classify,
    normalise,
    word_set,
)


@pytest.mark.parametrize("word", ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"])
@pytest.mark.parametrize("shape", ["{}", "{} ", "  {}\n", "{}.", "{}!!", '"{}"', "¡{}!"])
def test_each_stop_word_in_any_case_with_surrounding_punctuation(word: str, shape: str) -> None:
    for spelled in (word, word.lower(), word.capitalize()):
        assert classify(shape.format(spelled)) == "stop", shape.format(spelled)


@pytest.mark.parametrize("word", ["START", "UNSTOP", "start", " Unstop. "])
def test_start_words(word: str) -> None:
    assert classify(word) == "start"


@pytest.mark.parametrize(
    "body",
    [
        "Stop by at 5?",
        "please stop",
        "STOP STOP",
        "S T O P",
        "stopped",
        "don't stop",
        "",
        "   ",
        "?!",
        "END-OF-DAY",
    ],
)
def test_a_keyword_inside_a_sentence_is_not_an_opt_out(body: str) -> None:
    assert classify(body) is None


def test_full_width_letters_read_as_the_letters_they_show() -> None:
    assert classify("ＳＴＯＰ") == "stop"


def test_long_bodies_are_never_keywords() -> None:
    assert classify("STOP" + " " * MAX_KEYWORD_BODY) is None


def test_a_word_in_both_lists_is_read_as_stop() -> None:
    both = word_set(["STOP"])
    assert classify("stop", stop=both, start=both) == "stop"


def test_normalise_and_word_set() -> None:
    assert normalise("  «Quit»  ") == "QUIT"
    assert word_set([" arret ", "", "  "]) == frozenset({"ARRET"})


def test_words_are_configurable_in_config_toml(isolated_dirs: Path) -> None:
    assert load_settings(env={}).stop_words == DEFAULT_STOP_WORDS
    assert load_settings(env={}).start_words == DEFAULT_START_WORDS
    assert load_settings(env={}).bell is False
    path = isolated_dirs / "xdg_config_home" / "smstui" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('stop_words = ["STOP", "ARRET"]\nstart_words = []\nbell = true\n')
    settings = load_settings(env={})
    assert settings.stop_words == ("STOP", "ARRET")
    assert settings.start_words == ()
    assert settings.bell is True
    stop, start = word_set(settings.stop_words), word_set(settings.start_words)
    assert classify("arrêt".replace("ê", "e"), stop, start) == "stop"
    assert classify("start", stop, start) is None  # no start words configured


def test_bad_word_lists_are_refused_clearly(isolated_dirs: Path) -> None:
    path = isolated_dirs / "xdg_config_home" / "smstui" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("stop_words = [1, 2]\n")
    with pytest.raises(ConfigError, match="stop_words"):
        load_settings(env={})
    path.write_text('bell = "loud"\n')
    with pytest.raises(ConfigError, match="bell"):
        load_settings(env={})
