"""The suggestion engine without a database: rules, similarity, mapping, type and kind."""

from __future__ import annotations

from appeals.choices import Channel, Kind, QuestionType
from classification.choices import SuggestionSource
from classification.engine import Engine, Vocabulary
from classification.heuristics import item_kind, question_type
from classification.learning.features import Record
from classification.rules import RuleSet, RuleSpec
from classification.similarity import SimilarityIndex, entry_description
from nlp.signals import SignalCode

CODES = {
    "0003.0009.0097.0690": "Уличное освещение",
    "0003.0009.0099.0742": "Ремонт и содержание дорог",
    "0005.0005.0056.1156": "Благоустройство и ремонт подъездных дорог, в том числе тротуаров",
}
LOCALS = {"17": "Неисправно освещение, опора освещения повреждена", "48": "Яма на дороге"}
VOCAB = Vocabulary(
    codes=CODES,
    locals=LOCALS,
    local_to_code={"48": "0003.0009.0099.0742"},
    qtypes=dict(QuestionType.choices),
    kinds=dict(Kind.choices),
)


def _similarity() -> SimilarityIndex:
    return SimilarityIndex(
        [
            ("0003.0009.0097.0690", entry_description("Уличное освещение", ["Градостроительство и архитектура"])),
            ("0003.0009.0099.0742", entry_description("Ремонт и содержание дорог", ["Транспорт"])),
            ("0005.0005.0056.1156", entry_description(CODES["0005.0005.0056.1156"], ["Жилище"])),
        ]
    )


def test_rules_match_any_word_form_phrases_and_patterns() -> None:
    rules = RuleSet(
        [
            RuleSpec(name="свет", code="0003.0009.0097.0690", keywords=("фонарь",), weight=1),
            RuleSpec(name="не горит", code="0003.0009.0097.0690", phrases=("не горит",), weight=2),
            RuleSpec(name="ЛЭП", code="0003.0009.0097.0690", patterns=(r"\bлэп\b",), weight=1),
            RuleSpec(name="ямы", local="48", qtype=QuestionType.COMPLAINT, keywords=("яма",)),
            RuleSpec(name="сломанный", code="x", patterns=("([",)),  # a broken pattern is skipped, not fatal
        ]
    )
    found = rules.match("Не горят фонари у ЛЭП")
    best = found["code"][0]
    assert best.value == "0003.0009.0097.0690" and best.score == 1 + 4 + 2
    assert set(best.evidence) == {"фонарь", "не горит", "ЛЭП"}
    assert round(best.confidence, 3) == 0.875
    pits = rules.match("Огромные ямы во дворе")
    assert pits["local"][0].value == "48" and pits["qtype"][0].value == QuestionType.COMPLAINT
    assert rules.match("Всё хорошо")["code"] == []


def test_cold_start_uses_rules_then_mapping_then_similarity() -> None:
    engine = Engine(
        vocabulary=VOCAB,
        rules=RuleSet([RuleSpec(name="ямы", local="48", keywords=("яма",), weight=3)]),
        code_index=_similarity(),
    )
    pit = engine.understand(Record(text="Яма на дороге у школы"))
    assert pit.local is not None and pit.local.value == "48" and pit.local.source == SuggestionSource.RULES
    assert pit.code is not None and pit.code.value == "0003.0009.0099.0742"
    assert pit.code.source == SuggestionSource.MAPPING
    light = engine.understand(Record(text="На улице нет освещения, темно"))
    assert light.code is not None and light.code.value == "0003.0009.0097.0690"
    assert light.code.source == SuggestionSource.SIMILARITY and light.code.confidence <= 0.6
    assert "освещение" in [w for w, _ in light.code.explanation]
    assert len(light.code.alternatives) <= 3 and light.code.alternatives[0].value == light.code.value
    assert engine.understand(Record(text="Благодарим за праздник")).code is None


def test_question_type_and_kind_readings() -> None:
    assert question_type("Предлагаю установить скамейки", set()).value == QuestionType.PROPOSAL
    assert question_type("Жалоба на бездействие управляющей компании", set()).value == QuestionType.COMPLAINT
    assert question_type("Прошу предоставить информацию о ремонте", set()).value == QuestionType.INFO_REQUEST
    assert question_type("Не горит фонарь", set()).value == QuestionType.STATEMENT
    assert question_type("Спасибо!", {SignalCode.THANKS}).value == QuestionType.NOT_APPEAL
    assert item_kind("Яма", Channel.VK, set()).value == Kind.MESSAGE
    assert item_kind("Яма на дороге", Channel.POST, set()).value == Kind.APPEAL
    assert item_kind("Яма на дороге", Channel.EPGU, set()).value == Kind.MESSAGE
    assert item_kind("Длинное письмо. " * 50, Channel.EMAIL, set()).value == Kind.APPEAL
