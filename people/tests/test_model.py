"""The scoring model, the decision rules, the in-memory index and the evaluation of a labelled file."""

from pathlib import Path

import pytest

from people.choices import MatchDecision
from people.matching.engine import decide, select_candidates
from people.matching.evaluation import LabelledFileError, LabelledRecord, evaluate, read_labelled
from people.matching.keys import key_hash, probe_keys, stored_keys
from people.matching.memory import MemoryIndex
from people.matching.model import Score, prior_weight, score
from people.matching.record import MatchQuery, record_from_query


class Registry:
    """Name frequencies counted over `population` cards (none counted: the model's defaults)."""

    def __init__(self, population: int = 0, counts: dict[str, int] | None = None) -> None:
        self.population = population
        self.counts = counts or {}

    def count(self, key: str) -> int:
        return self.counts.get(key, 0)


def rec(name: str = "", **kwargs):  # type: ignore[no-untyped-def]
    return record_from_query(MatchQuery(full_name=name, **kwargs))


def levels(s: Score) -> dict[str, str]:
    return {e.field: e.level for e in s.evidence}


N = 100_000


def test_a_shared_mobile_and_the_same_name_are_a_confident_match() -> None:
    s = score(
        rec("Иванов Пётр Сергеевич", phones=["8 912 345-67-89"]),
        rec("ИВАНОВ ПЕТР СЕРГЕЕВИЧ", phones=["+79123456789"]),
        Registry(),
        N,
    )
    assert levels(s) == {"phone": "exact", "surname": "exact", "first": "exact", "patronymic": "exact"}
    assert s.weight > 10 and s.probability > 0.999 and s.identified and not s.conflict


def test_typos_initials_and_missing_parts_weigh_less_but_still_agree() -> None:
    card = rec("Кузнецова Ольга Ивановна", postal_addresses=["ул. Ленина, 5-12"])
    typo = score(rec("Кузнецова Ольга Иваоовна", postal_addresses=["Ленина ул, д 5, кв 12"]), card, Registry(), N)
    assert levels(typo)["patronymic"] == "fuzzy" and not typo.conflict
    initials = score(rec("Кузнецова О. И."), card, Registry(), N)
    assert levels(initials) == {"surname": "exact", "first": "initial", "patronymic": "initial"}
    missing = score(rec("Кузнецова Ольга"), card, Registry(), N)
    assert "patronymic" not in levels(missing)
    exact = score(rec("Кузнецова Ольга Ивановна"), card, Registry(), N)
    assert exact.weight > max(missing.weight, initials.weight)


def test_a_rare_surname_says_more_than_a_common_one() -> None:
    registry = Registry(N, {"s|иванов": 1500, "s|яцученко": 1})
    common = score(rec("Иванов Пётр"), rec("Иванов Пётр"), registry, N)
    rare = score(rec("Яцученко Пётр"), rec("Яцученко Пётр"), registry, N)
    assert rare.weight - common.weight > 8


def test_a_relative_at_the_same_address_is_not_the_same_person() -> None:
    """Surname and home agree for a whole family: that evidence is capped, the names decide."""
    husband = rec("Никольский Дмитрий Тимофеевич", phones=["(4712) 78-09-54"], postal_addresses=["ул. Мира, 3-5"])
    wife = rec("Никольская Елизавета Дмитриевна", phones=["8 4712 780954"], postal_addresses=["Мира ул., д. 3, кв. 5"])
    s = score(wife, husband, Registry(), N)
    assert {"household", "gender"} <= set(levels(s)) and s.conflict
    assert s.weight < -10
    same = score(rec("Никольский Дмитрий Тимофеевич", postal_addresses=["Мира 3-5"]), husband, Registry(), N)
    assert same.weight > 6 and not same.conflict


def test_two_real_names_a_letter_apart_are_not_a_typo() -> None:
    s = score(rec("Волкова Инна Андреевна"), rec("Волкова Анна Андреевна"), Registry(), N)
    assert levels(s)["first"] == "similar" and s.conflict
    typo = score(rec("Волкова Анная Андреевна"), rec("Волкова Анна Андреевна"), Registry(), N)
    assert levels(typo)["first"] == "fuzzy" and not typo.conflict


def test_swapped_words_and_mistyped_first_name_are_still_read() -> None:
    s = score(
        rec("Иля Громов", phones=["89452552271"]), rec("Громов Илья Евгеньевич", phones=["89452552271"]), Registry(), N
    )
    assert levels(s)["surname"] == "exact" and levels(s)["first"] == "fuzzy"


def test_different_gosuslugi_ids_are_a_conflict() -> None:
    s = score(rec("Иванов Пётр", gosuslugi_id="100"), rec("Иванов Пётр", gosuslugi_id="200"), Registry(), N)
    assert levels(s)["gosuslugi"] == "different" and s.conflict


def test_the_prior_shrinks_as_the_registry_grows() -> None:
    assert prior_weight(1_000_000) < prior_weight(100_000) < prior_weight(10)


def _score(weight: float, *, conflict: bool = False, identified: bool = True) -> Score:
    return Score(weight=weight, evidence=(), conflict=conflict, identified=identified)


def test_decision_rules() -> None:
    kw = {"autolink_weight": 6, "propose_weight": -2}
    assert decide([(1, _score(12))], **kw).outcome == MatchDecision.AUTO_LINK
    assert decide([(1, _score(12, conflict=True))], **kw).outcome == MatchDecision.PROPOSE
    assert decide([(1, _score(12, identified=False))], **kw).outcome == MatchDecision.PROPOSE
    rivals = decide([(1, _score(12)), (2, _score(10))], **kw)
    assert rivals.outcome == MatchDecision.PROPOSE and [i for i, _ in rivals.proposals] == [1, 2]
    assert decide([(1, _score(3))], **kw).outcome == MatchDecision.PROPOSE
    new = decide([(1, _score(-5))], **kw)
    assert new.outcome == MatchDecision.NEW and new.proposals == () and new.ranked[0][0] == 1


def test_common_name_blocks_are_dropped_but_identifiers_never() -> None:
    probes = {1: "ni|иванов|а|а", 2: "p|+79120000000"}
    hits = [(1, i) for i in range(1000)] + [(2, 5000)]
    assert select_candidates(hits, probes) == [5000]
    assert set(select_candidates([(1, 7), (1, 8)], probes)) == {7, 8}


def test_a_probe_meets_every_card_shape_of_the_same_person() -> None:
    full = rec("Иванов Пётр Сергеевич")
    for written in ("Иванов П. С.", "Иванов Пётр", "Иванов Петр Сергеевич", "Иванова Пётр Сергеевич"):
        assert probe_keys(full) & stored_keys(rec(written)), written
        assert probe_keys(rec(written)) & stored_keys(full), written


def test_memory_index_links_proposes_and_creates() -> None:
    index = MemoryIndex()
    card = index.add(rec("Смирнова Анна Петровна", phones=["89120000001"], postal_addresses=["ул. Мира, 1-1"]))
    kw = {"autolink_weight": 6, "propose_weight": -2}
    linked = index.lookup(rec("СМИРНОВА АННА", phones=["+7 912 000-00-01"]), **kw)
    assert linked.outcome == MatchDecision.AUTO_LINK and linked.best[0] == card
    assert index.lookup(rec("Козлов Олег Ильич", emails=["k@ya.ru"]), **kw).outcome == MatchDecision.NEW
    index.enrich(card, rec("Смирнова Анна Петровна", emails=["anna@mail.ru"]))
    assert "anna@mail.ru" in index.cards[card].emails
    assert index.cards[card].name.patronymic == "петрович"
    assert key_hash("e|anna@mail.ru") in {key_hash(k) for k in stored_keys(index.cards[card])}


def _records(rows: list[tuple[str, str, dict]]) -> list[LabelledRecord]:
    return [
        LabelledRecord(f"r{i}", cluster, MatchQuery(full_name=name, **kw)) for i, (cluster, name, kw) in enumerate(rows)
    ]


def test_evaluation_counts_links_proposals_and_misses() -> None:
    records = _records(
        [
            ("a", "Смирнова Анна Петровна", {"phones": ["89120000001"]}),
            ("b", "Козлов Олег Ильич", {"emails": ["kozlov@ya.ru"]}),
            ("a", "Смирнова Анна", {"phones": ["+79120000001"]}),  # known: linked
            ("c", "Орлова Вера Павловна", {"postal_addresses": ["ул. Мира, 1-1"]}),
            ("b", "Козлов О. И.", {"postal_addresses": ["ул. Садовая, 9"]}),  # known, little evidence
            ("d", "Петров Иван Иванович", {"phones": ["89990000000"]}),
        ]
    )
    out = evaluate(records, autolink_weight=6, propose_weight=-2)
    assert (out.records, out.known, out.auto, out.auto_correct) == (6, 2, 1, 1)
    assert out.auto + out.proposed + out.new == 6
    assert out.known == out.auto_correct + out.proposed_correct + out.new_but_known + (
        out.proposed - out.proposed_correct - out.proposed_unknown
    )
    assert out.autolink()[0] == 1.0
    assert out.summary().startswith("f1=") and "autolink_precision=1.000" in out.summary()


def test_reading_a_labelled_file(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(
        "record_id,cluster_id,full_name,phone,email\n1,a,Иванов Иван,8 912 000 00 01;8 912 000 00 02,i@ya.ru\n",
        encoding="utf-8",
    )
    [item] = read_labelled(good)
    assert item.cluster == "a" and item.query.phones == ("8 912 000 00 01", "8 912 000 00 02")
    for text, message in [
        ("id,full_name\n1,x\n", "обязательных столбцов"),
        ("record_id,cluster_id,age\n1,a,3\n", "Неизвестные столбцы"),
        ("record_id,cluster_id\n1,a\n1,b\n", "повторяется"),
        ("record_id,cluster_id\n", "нет записей"),
        ("record_id,cluster_id,kind\n1,a,robot\n", "kind"),
    ]:
        bad = tmp_path / "bad.csv"
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(LabelledFileError, match=message):
            read_labelled(bad)
    with pytest.raises(LabelledFileError, match="открыть"):
        read_labelled(tmp_path / "absent.csv")
