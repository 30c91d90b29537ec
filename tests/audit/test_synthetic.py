"""audit.synthetic writes a real, verifiable run store whose truth is known."""

from __future__ import annotations

import json

import numpy as np
import pytest

from audit.errors import ValidationError
from audit.store import Store, load_run
from audit.synthetic import clustered_rates, conversation_seed, make_synthetic_run


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("syn") / "run"
    arms = {"neutral": 0.05, "commercial": 0.5}
    return make_synthetic_run(out, 4000, arms=arms, seed=11, error_rate=0.01)


def test_store_is_complete_and_verifiable(run):
    manifest = json.loads((run / "manifest.json").read_text())
    store = Store(run)
    try:
        assert store.verify_chains() == []
        assert store.hash_root() == manifest["hash_root"]
    finally:
        store.close()
    loaded = load_run(run)
    conversations = loaded.conversations
    assert len(conversations) == 4000
    assert manifest["plan"]["comparisons"] == [["commercial", "neutral"]]
    # Every cell runs under every arm, with the contract's ids.
    by_cell = conversations.groupby("cell_id")["arm"].apply(set)
    assert (by_cell == {"neutral", "commercial"}).all()
    assert (conversations["id"] == conversations["arm"] + ":" + conversations["cell_id"]).all()
    first = conversations.iloc[0]
    assert first["seed"] == conversation_seed(
        11, first["arm"], first["scenario_id"], first["persona_id"], 0, first["repeat"]
    )
    # Every bot turn has a label; children, opted-out personas, errors and reactions exist.
    bot = loaded.turns[loaded.turns["role"] == "bot"]
    assert len(loaded.labels) == len(bot)
    assert conversations["persona_child"].sum() > 0
    assert conversations["persona_opted_out"].sum() > 0
    assert 0 < (conversations["status"] == "error").sum() < 150
    sources = set(loaded.turns["source"])
    assert {"scenario", "reaction:decline", "reaction:opt_out"} <= sources


def test_truth_and_detector_error_rates(run):
    loaded = load_run(run)
    bot = loaded.turns[loaded.turns["role"] == "bot"].merge(
        loaded.conversations[["id", "arm"]], left_on="conversation_id", right_on="id"
    )
    truth = np.array([json.loads(g)["push"] for g in bot["ground_truth_json"]])
    detected = loaded.labels.set_index(["conversation_id", "idx"]).loc[
        list(zip(bot["conversation_id"], bot["idx"], strict=True)), "push"
    ]
    detected = detected.to_numpy().astype(bool)
    help_ = bot["expect_help"].notna().to_numpy()
    for arm, rate in (("neutral", 0.05), ("commercial", 0.5)):
        rows = help_ & (bot["arm"] == arm).to_numpy()
        # 6000 help turns per arm, clustered (deff 1.2): SE <= 0.0071, so 0.03 is > 4 SE.
        assert truth[rows].mean() == pytest.approx(rate, abs=0.03)
    sensitivity = detected[truth].mean()
    specificity = (~detected[~truth]).mean()
    assert sensitivity == pytest.approx(0.95, abs=0.02)
    assert specificity == pytest.approx(0.98, abs=0.01)
    accuracy = json.loads((run / "detector_accuracy.json").read_text())
    assert accuracy["sensitivity"] == pytest.approx(sensitivity)
    assert accuracy["n_pos"] == truth.sum() and accuracy["n_neg"] == (~truth).sum()


def test_same_seed_same_run(tmp_path):
    a = make_synthetic_run(tmp_path / "a", 200, seed=4)
    b = make_synthetic_run(tmp_path / "b", 200, seed=4)
    c = make_synthetic_run(tmp_path / "c", 200, seed=5)
    root = [json.loads((r / "manifest.json").read_text())["hash_root"] for r in (a, b, c)]
    assert root[0] == root[1] != root[2]


def test_clustered_rates_have_the_requested_icc():
    rng = np.random.default_rng(0)
    rates = clustered_rates(rng, 0.2, 0.1, 50000)
    # Beta with a + b = 1/ICC - 1 = 9: mean 0.2, variance p(1-p) ICC = 0.016.
    assert rates.mean() == pytest.approx(0.2, abs=0.003)
    assert rates.var() == pytest.approx(0.016, rel=0.05)
    assert (clustered_rates(rng, 0.0, 0.1, 5) == 0).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_conversations": 1}, "at least the number of arms"),
        ({"arms": {}}, "at least one arm"),
        ({"arms": {"a": 1.5}}, "must be in"),
        ({"arms": {"a:b": 0.1}}, "without ':'"),
        ({"icc": 1.0}, "icc"),
        ({"detector_sensitivity": -0.1}, "detector_sensitivity"),
        ({"turns_per_conversation": 0}, "turns_per_conversation"),
    ],
)
def test_bad_arguments(tmp_path, kwargs, message):
    arguments = {"n_conversations": 10, **kwargs}
    with pytest.raises(ValidationError, match=message):
        make_synthetic_run(tmp_path / "r", **arguments)


def test_refuses_to_overwrite(tmp_path):
    make_synthetic_run(tmp_path / "r", 10)
    with pytest.raises(ValidationError, match="already exists"):
        make_synthetic_run(tmp_path / "r", 10)
