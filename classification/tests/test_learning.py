"""The learner on real data: features, training, calibration, explanations, storage without pickle."""

from __future__ import annotations

import numpy as np
import pytest

from classification.learning import bundle
from classification.learning.classifier import ROUTE, TOPIC, train_classifier
from classification.learning.datasets import Dataset, load
from classification.learning.evaluate import baseline_predict, evaluate, scores
from classification.learning.features import FeatureConfig, Record, readable, record_tokens
from classification.tests.conftest import DATA, need

SAMPLE_TRAIN = 3000
SAMPLE_TEST = 800


@pytest.fixture(scope="module")
def spb_category() -> tuple[Dataset, Dataset]:
    """A small time split of the SPb reports: the last weeks of December against January."""
    data = load(need(DATA / "spb" / "appeals_2020-10_2021-02.csv.gz"), fmt="spb", target="category")
    train_idx = [i for i, t in enumerate(data.times) if t < "2021-01-01"][-SAMPLE_TRAIN:]
    test_idx = [i for i, t in enumerate(data.times) if t >= "2021-01-01"][:SAMPLE_TEST]

    def pick(idx: list[int]) -> Dataset:
        return Dataset([data.records[i] for i in idx], [data.labels[i] for i in idx], 0)

    return pick(train_idx), pick(test_idx)


def test_tokens_carry_lemmas_negation_object_and_place() -> None:
    record = Record(
        text="Не горят фонари во дворе",
        fields={"object": "Двор", "district": "Невский"},
        address="г.Санкт-Петербург, улица Седова, дом 140",
        lat=59.86,
        lon=30.44,
    )
    tokens = record_tokens(record, FeatureConfig(cross_fields=("object",)))
    assert "w:не_гореть" in tokens and "w:фонарь" in tokens
    assert "x:object=Двор|фонарь" in tokens and "f:district=Невский" in tokens
    assert "h:седова|140" in tokens and any(t.startswith("g3:") for t in tokens)
    assert readable("x:object=Двор|не_гореть") == "не гореть (Двор)"


def test_model_beats_the_baseline_on_a_real_time_split(spb_category) -> None:
    train, test = spb_category
    result = evaluate(train, test, routing=False)
    assert result.model.accuracy > result.baseline.accuracy
    assert result.model.macro_f1 > result.baseline.macro_f1
    assert result.model.accuracy > 0.85


def test_confidence_is_calibrated_and_words_explain(spb_category) -> None:
    train, test = spb_category
    model = train_classifier(train.records, train.labels, preset=TOPIC)
    predictions = model.predict(test.records, explain=5)
    confident = [p for p, y in zip(predictions, test.labels, strict=True) if p.confidence >= 0.9]
    unsure = [p for p, y in zip(predictions, test.labels, strict=True) if p.confidence < 0.6]
    right = dict(
        zip(map(id, predictions), (p.label == y for p, y in zip(predictions, test.labels, strict=True)), strict=True)
    )
    # Sure answers are right far more often than unsure ones.
    assert confident and unsure
    assert np.mean([right[id(p)] for p in confident]) > 0.93
    assert np.mean([right[id(p)] for p in confident]) > np.mean([right[id(p)] for p in unsure]) + 0.2
    first = predictions[0]
    assert len(first.alternatives) == 3 and first.alternatives[0][0] == first.label
    assert abs(sum(c for _, c in first.alternatives) - 1) < 0.5 and first.explanation
    graffiti = model.predict([Record(text="Надписи на стене дома", fields={"object": "Дом"})], explain=5)[0]
    assert any("надпись" in word for word, _ in graffiti.explanation)


def test_bundle_round_trip_predicts_the_same_and_refuses_garbage(spb_category) -> None:
    train, test = spb_category
    models = {
        "code": train_classifier(train.records, train.labels, preset=TOPIC),
        "department": train_classifier(train.records, [r.fields["district"] for r in train.records], preset=ROUTE),
    }
    blob = bundle.dumps(models)
    assert b"pickle" not in blob[:100]
    loaded = bundle.loads(blob)
    for target, model in models.items():
        again = loaded[target].predict(test.records[:50])
        first = model.predict(test.records[:50])
        assert [p.label for p in again] == [p.label for p in first]
        assert np.allclose([p.confidence for p in again], [p.confidence for p in first])
    with pytest.raises(bundle.BundleError):
        bundle.loads(b"not a model")


def test_baseline_is_plain_tfidf_logistic_regression() -> None:
    texts = ["яма на дороге", "яма во дворе на дороге", "не горит фонарь", "фонарь не горит во дворе"]
    labels = ["дороги", "дороги", "свет", "свет"]
    assert baseline_predict(texts, labels, ["большая яма", "фонарь"]) == ["дороги", "свет"]
    assert scores(["a", "b"], ["a", "a"]).accuracy == 0.5
