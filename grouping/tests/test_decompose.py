"""Sentences and the proposed split (pure functions, a plain classifier)."""

from __future__ import annotations

import pytest

from grouping.decompose import assignment_of, propose, segments_from, sentences


def tokens(text: str) -> frozenset[str]:
    return frozenset(w.strip(".,!?").lower() for w in text.split() if len(w.strip(".,!?")) > 2)


def classify(text: str) -> tuple[str, float]:
    low = text.lower()
    if "яма" in low or "дорог" in low or "асфальт" in low:
        return "roads", 0.8
    if "отоплени" in low or "батаре" in low:
        return "heating", 0.8
    return "", 0.0


def test_sentences_keep_abbreviations_and_initials_together() -> None:
    text = "Здравствуйте. Во дворе дома по ул. Ленина, д. 7, кв. 3 яма! Пишет А. С. Пушкин. Прошу помочь?"
    assert [s.text for s in sentences(text)] == [
        "Здравствуйте.",
        "Во дворе дома по ул. Ленина, д. 7, кв. 3 яма!",
        "Пишет А. С. Пушкин.",
        "Прошу помочь?",
    ]


def test_sentences_split_list_items_and_blank_lines() -> None:
    text = "Вопросы:\n1) нет света в подъезде\n2) течёт крыша\n\nС уважением"
    assert [s.text for s in sentences(text)] == ["Вопросы:", "1) нет света в подъезде", "2) течёт крыша", "С уважением"]


def test_sentence_positions_point_into_the_text() -> None:
    text = "Первое предложение тут.  Второе предложение там."
    for s in sentences(text):
        assert text[s.start : s.end] == s.text


def test_two_topics_become_two_questions_and_neutral_sentences_stay_with_neighbours() -> None:
    text = (
        "Добрый день. Во дворе дома огромная яма на дороге, машины ломают колёса. Яму не засыпают месяц. "
        "В квартире нет отопления с первого ноября, батареи холодные. Прошу разобраться."
    )
    items = sentences(text)
    segments = propose(items, classify, tokens)
    assert [s.indices for s in segments] == [(0, 1, 2), (3, 4)]
    assert [s.topic for s in segments] == ["roads", "heating"]
    assert assignment_of(segments, len(items)) == [1, 1, 1, 2, 2]


def test_one_topic_stays_one_question() -> None:
    text = "На дороге яма глубокая. Асфальт на дороге разбит полностью. Машины объезжают яму по тротуару."
    assert len(propose(sentences(text), classify, tokens)) == 1


def test_writer_marker_starts_a_new_question_even_without_a_topic() -> None:
    text = "На дороге яма глубокая у школы. Также просим установить скамейки возле детской площадки."
    segments = propose(sentences(text), classify, tokens)
    assert len(segments) == 2


def test_segments_from_assignment_and_bad_input() -> None:
    items = sentences("Раз два три. Четыре пять шесть. Семь восемь девять.")
    assert segments_from([2, 1, 2], items) == [(0, 2), (1,)]
    with pytest.raises(ValueError):
        segments_from([1, 1], items)
    with pytest.raises(ValueError):
        segments_from([0, 1, 1], items)


def test_empty_text_proposes_nothing() -> None:
    assert propose(sentences("   "), classify, tokens) == []
