"""The training pipeline of the learned layer, on made-up rows in tiny git repositories.

No dataset is needed: each test builds what it reads (a repository with a CSV of our own
sentences, a cache directory) in a temporary directory. scikit-learn and openpyxl belong to the
`train` extra, so the few tests that need them skip without it.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from chatbot.model import encoder
from chatbot.model.training import export, formats, gitread, manifest, splits, thresholds
from chatbot.model.training.cache import EmbeddingCache
from chatbot.model.training.fit import auc
from chatbot.model.training.manifest import Mapping, Source

HEADS_JSON = Path(manifest.MANIFEST).with_name("heads.json")

CSV_ROWS = [
    ("text", "label"),
    ("You are a useless idiot and everyone knows it", "1"),
    ("Thanks to everyone who came to the edit-a-thon today", "0"),
    ("Shut up, nobody asked a clown like you", "1"),
    ("The photo walk starts at nine near the library", "0"),
    ("Welcome to the new volunteers from Pune", "0"),
]


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, text=True,
                          check=True)
    return done.stdout.strip()


def _repo(where: Path, files: dict[str, str]) -> str:
    """A git repository at `where` with `files` committed; the commit's id."""
    where.mkdir(parents=True)
    _git(where, "init", "-q")
    for path, text in files.items():
        (where / path).parent.mkdir(parents=True, exist_ok=True)
        (where / path).write_text(text, encoding="utf-8")
        _git(where, "add", path)
    _git(where, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "x")
    return _git(where, "rev-parse", "HEAD")


def _csv(rows: list[tuple[str, str]]) -> str:
    return "".join(f'"{t}",{label}\n' for t, label in rows)


def _source(commit: str, **changes) -> Source:
    fields = dict(
        name="toy", title="toy", repository="someone/toy-set", commit=commit, licence="none",
        nc_or_research=True, read={"format": "csv", "header": True, "text": "text",
                                   "label": "label"},
        heads={"incivility": Mapping(frozenset({"1"}), frozenset({"0"}))},
        parts={"en": {"train+val+test": ["data/all.csv"]}},
        caps={"train": 100, "val": 100, "test": 100},
    )
    fields.update(changes)
    return Source(**fields)


def _plan(*sources: Source) -> manifest.Manifest:
    return manifest.Manifest(300, {"train": 100, "val": 100, "test": 100},
                             {"train": 0.7, "val": 0.15, "test": 0.15}, list(sources))


# -- reading local copies ------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["toy-set", "someone+toy-set", "someone+toy-set/repo"])
def test_reads_a_clone_in_any_of_the_layouts(tmp_path, layout):
    commit = _repo(tmp_path / layout, {"data/all.csv": _csv(CSV_ROWS)})
    source = _source(commit)
    rows = splits.head_rows(_plan(source), [source], "incivility",
                            splits.git_reader(tmp_path))
    assert sorted((r.text, r.y) for r in rows) == sorted((t, int(y)) for t, y in CSV_ROWS[1:])
    assert {r.split for r in rows} <= {"train", "val", "test"}


def test_reads_the_pinned_commit_even_when_the_file_is_gone_at_head(tmp_path):
    where = tmp_path / "toy-set"
    commit = _repo(where, {"data/all.csv": _csv(CSV_ROWS)})
    _git(where, "rm", "-q", "data/all.csv")
    _git(where, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "rm")
    assert b"useless idiot" in gitread.show(tmp_path, "someone/toy-set", commit, "data/all.csv")


def test_a_missing_copy_says_how_to_get_it(tmp_path):
    with pytest.raises(gitread.MissingCopy, match=r"git clone https://github\.com/someone/toy-set"):
        gitread.show(tmp_path, "someone/toy-set", "0" * 40, "data/all.csv")


def test_headerless_tab_separated_with_stray_quotes():
    data = b'a "quoted word here\tNot_offensive\t\nplain text\tnot-Kannada\n\n'
    read = {"format": "csv", "header": False, "delimiter": "\t", "quoting": "none",
            "text": 0, "label": 1}
    assert list(formats.rows(data, read)) == [
        ('a "quoted word here', frozenset({"Not_offensive"})),
        ("plain text", frozenset({"not-Kannada"})),
    ]


def test_multi_label_cells_and_whole_float_labels():
    data = b'Post,Labels Set,hate\n"x",hate,offensive\n"y","defamation,fake",1.0\n'
    assert [labels for _, labels in formats.rows(data, {"text": "Post", "label": "Labels Set",
                                                        "label_sep": ","})] == [
        frozenset({"hate"}), frozenset({"defamation", "fake"})]
    assert [labels for _, labels in formats.rows(data, {"text": "Post", "label": "hate"})] == [
        frozenset({"offensive"}), frozenset({"1"})]


def test_words_that_give_the_label_away_are_removed():
    data = b"Wah kya baat hai #Sarcasm #irony2\tYES\n"
    read = {"header": False, "delimiter": "\t", "quoting": "none", "text": 0, "label": 1,
            "remove": r"(?i)#(sarcasm|irony)\w*"}
    assert list(formats.rows(data, read)) == [("Wah kya baat hai", frozenset({"YES"}))]


def test_xlsx_sheet():
    openpyxl = pytest.importorskip("openpyxl")
    import io

    book = openpyxl.Workbook()
    sheet = book.active
    for row in [("comments", "label"), ("nuvvu waste ra", "abusive"), (None, None),
                ("chala bagundi", "nonabusive")]:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    read = {"format": "xlsx", "header": True, "text": "comments", "label": "label"}
    assert list(formats.rows(buffer.getvalue(), read)) == [
        ("nuvvu waste ra", frozenset({"abusive"})), ("chala bagundi", frozenset({"nonabusive"}))]


# -- label mapping, as the shipped manifest writes it --------------------------------------


@pytest.fixture(scope="module")
def shipped() -> dict[str, Source]:
    return {s.name: s for s in manifest.load().sources}


def test_macd_labels_are_inverted(shipped):
    macd = shipped["macd"].heads["incivility"]
    assert macd.label(frozenset({"0"})) == 1  # 0 = abusive
    assert macd.label(frozenset({"1"})) == 0


def test_trac_covert_aggression_is_dropped_for_incivility_and_is_snark(shipped):
    for name in ("trac1", "trac2"):
        heads = shipped[name].heads
        assert [heads["incivility"].label(frozenset({x})) for x in ("OAG", "NAG", "CAG")] == [
            1, 0, None]
        assert heads["snark"].label(frozenset({"CAG"})) == 1


def test_dravidian_other_language_rows_and_untargeted_offence_drop(shipped):
    mapping = shipped["dravidian"].heads["incivility"]
    assert mapping.label(frozenset({"not-Kannada"})) is None
    assert mapping.label(frozenset({"Offensive_Untargetede"})) is None
    assert mapping.label(frozenset({"Offensive_Targeted_Insult_Group"})) == 1
    assert mapping.label(frozenset({"Not_offensive"})) == 0


def test_bengali_hate_is_positives_only(shipped):
    mapping = shipped["bengali_hate"].heads["incivility"]
    assert {mapping.label(frozenset({x})) for x in ("Personal", "Political", "Geopolitical")} == {1}


def test_constraint_fake_news_alone_is_not_incivility(shipped):
    mapping = shipped["constraint"].heads["incivility"]
    assert mapping.label(frozenset({"fake"})) is None
    assert mapping.label(frozenset({"defamation", "fake"})) is None
    assert mapping.label(frozenset({"defamation", "offensive"})) == 1
    assert mapping.label(frozenset({"non-hostile"})) == 0


def test_no_nc_keeps_only_open_sources(shipped):
    open_ones = manifest.load().for_head("incivility", no_nc=True)
    assert open_ones and all(not s.nc_or_research for s in open_ones)
    assert {s.name for s in open_ones} < {s.name for s in shipped.values()}


def test_the_manifest_never_reads_a_reserved_set(shipped):
    paths = [p.lower() for s in shipped.values() for p in s.paths]
    repos = [s.repository.lower() for s in shipped.values()]
    assert not [p for p in paths if "olid" in p or "hasoc" in p or "semeval" in p]
    assert "cardiffnlp/tweeteval" not in repos


# -- splits --------------------------------------------------------------------------------


def test_split_is_fixed_by_the_text_and_test_texts_never_train(tmp_path):
    many = [("text", "label")] + [(f"made-up sentence number {i}", str(i % 2)) for i in range(300)]
    repeated = [*many, ("made-up sentence number 7", "1")]
    commit = _repo(tmp_path / "toy-set", {"data/all.csv": _csv(repeated),
                                          "data/test.csv": _csv([many[0], many[5]])})
    source = _source(commit, parts={"en": {"train+val+test": ["data/all.csv"],
                                           "test": ["data/test.csv"]}})
    read = splits.git_reader(tmp_path)
    first = splits.head_rows(_plan(source), [source], "incivility", read)
    again = splits.head_rows(_plan(source), [source], "incivility", read)
    assert [(r.text, r.split) for r in first] == [(r.text, r.split) for r in again]
    by_split = {s: {r.text for r in first if r.split == s} for s in ("train", "val", "test")}
    assert "made-up sentence number 4" in by_split["test"]  # many[5] is number 4
    assert not (by_split["test"] & by_split["train"]) and not (by_split["val"] & by_split["train"])
    assert len(by_split["train"]) == 100  # about 210 of 300 fall in train: capped at 100
    assert 25 < len(by_split["val"]) < 70 and 25 < len(by_split["test"]) < 75


def test_cut_keeps_whole_words():
    assert splits.cut("one  two\nthree", 100) == "one two three"
    assert splits.cut("alpha beta gamma delta", 12) == "alpha beta"


# -- the embedding cache -------------------------------------------------------------------


class CountingEmbed:
    def __init__(self):
        self.seen: list[str] = []

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.seen.extend(texts)
        return np.stack([_fake_vector(t) for t in texts])


def _fake_vector(text: str) -> np.ndarray:
    rng = np.random.default_rng(abs(hash(text)) % 2**32)
    v = rng.standard_normal(encoder.DIM).astype(np.float32)
    return v / np.linalg.norm(v)


def test_cache_survives_a_rerun(tmp_path):
    texts = [f"sentence {i}" for i in range(30)]
    embed = CountingEmbed()
    first = EmbeddingCache(tmp_path, "enc", encoder.DIM)
    assert first.fill(texts, embed, batch=4, shard_size=8) == 30
    vectors = first.get(texts)
    embed.seen.clear()
    second = EmbeddingCache(tmp_path, "enc", encoder.DIM)
    assert second.fill(texts, embed) == 0 and embed.seen == []
    np.testing.assert_array_equal(second.get(texts), vectors)
    assert EmbeddingCache(tmp_path, "another encoder", encoder.DIM).fill(texts[:3], embed) == 3


def test_cache_ignores_a_truncated_shard(tmp_path):
    texts = [f"sentence {i}" for i in range(10)]
    cache = EmbeddingCache(tmp_path, "enc", encoder.DIM)
    cache.fill(texts, CountingEmbed(), shard_size=5)
    shards = sorted(cache.dir.glob("*.npy"), key=lambda p: p.stat().st_mtime_ns)
    broken = shards[0]
    broken.write_bytes(broken.read_bytes()[: broken.stat().st_size // 2])
    (cache.dir / "orphan.npy").write_bytes(b"\x93NUMPY")  # killed before its keys were written
    reopened = EmbeddingCache(tmp_path, "enc", encoder.DIM)
    assert len(reopened) == 5
    embed = CountingEmbed()
    assert reopened.fill(texts, embed) == 5
    assert len(EmbeddingCache(tmp_path, "enc", encoder.DIM)) == 10


# -- cuts and scores -----------------------------------------------------------------------


def test_cuts_bound_each_scripts_clean_pool_and_default_is_strictest():
    rng = np.random.default_rng(1)
    latin, tamil = rng.uniform(0, 0.5, 500), rng.uniform(0.3, 0.9, 400)
    scores = np.concatenate([latin, tamil, [0.99] * 10])
    scripts = ["latin"] * 500 + ["tamil"] * 400 + ["gurmukhi"] * 10
    cuts = thresholds.per_script(scores, scripts)
    assert set(cuts.warning) == {"latin", "tamil", "default"}  # gurmukhi's pool is too small
    assert cuts.warning["default"] == max(cuts.warning["latin"], cuts.warning["tamil"])
    for script, pool in (("latin", latin), ("tamil", tamil)):
        assert np.mean(pool >= cuts.warning[script]) <= thresholds.WARN_RATE - 0.01
        assert np.mean(pool >= cuts.confident[script]) <= thresholds.CONFIDENT_RATE - 0.005
        assert cuts.warning[script] >= np.quantile(pool, 0.90)
    assert cuts.warn_at("gurmukhi") == cuts.warning["default"]


def test_cuts_are_rounded_up():
    assert thresholds.round_up(0.1234561, 6) == 0.123457
    assert thresholds.round_up(0.123456, 6) == 0.123456
    scores = np.linspace(0, 1, 1001) + 1e-8
    cuts = thresholds.per_script(scores, ["latin"] * len(scores))
    assert cuts.warning["latin"] == round(cuts.warning["latin"], 6)
    assert cuts.pool["latin"]["flagged"] == round(float(np.mean(scores >= cuts.warning["latin"])), 4)


def test_a_smaller_pool_gets_a_wider_margin():
    assert thresholds.with_margin(0.08, 76) < thresholds.with_margin(0.08, 3000) < 0.08
    assert thresholds.with_margin(0.03, 10) == 0.0


def test_union_cuts_count_what_the_rules_already_flag():
    rng = np.random.default_rng(4)
    scores = rng.uniform(0, 1, 2000)
    already = rng.uniform(0, 1, 2000) < 0.05  # the rules flag 5% of the pool
    cuts = thresholds.per_script(scores, ["latin"] * 2000, already=already)
    union = already | (scores >= cuts.warning["latin"])
    allowed = thresholds.with_margin(thresholds.UNION_RATE, 2000)
    assert allowed - 0.002 <= union.mean() <= allowed
    assert cuts.pool["latin"]["rules"] == round(float(already.mean()), 4)
    assert cuts.pool["latin"]["rules_or_head"] == round(float(union.mean()), 4)
    # where the rules alone use up the budget, the head flags nothing more on the pool
    noisy = rng.uniform(0, 1, 2000) < 0.12
    cuts = thresholds.per_script(scores, ["latin"] * 2000, already=noisy)
    assert not ((scores >= cuts.warning["latin"]) & ~noisy).any()
    assert 0 < cuts.warning["latin"] < 1


def test_auc_counts_ties_half():
    assert auc(np.array([1, 1, 0, 0]), np.array([0.9, 0.8, 0.2, 0.1])) == 1.0
    assert auc(np.array([1, 0]), np.array([0.5, 0.5])) == 0.5
    assert auc(np.array([1, 1, 0]), np.array([0.1, 0.7, 0.5])) == 0.5
    assert auc(np.array([0, 0]), np.array([0.1, 0.2])) is None


def test_train_head_end_to_end_on_made_up_rows(tmp_path):
    pytest.importorskip("sklearn")
    from chatbot.model.training import pipeline

    rude = ["idiot", "clown", "fool", "loser", "moron"]
    rows = [("text", "label")] + [
        (f"you {rude[i % 5]} number {i}" if i % 3 == 0 else f"thank you friend number {i}",
         "1" if i % 3 == 0 else "0")
        for i in range(1500)  # enough clean validation rows for a cut (100)
    ]
    commit = _repo(tmp_path / "toy-set", {"data/all.csv": _csv(rows)})
    source = _source(commit, caps={"train": 400, "val": 200, "test": 200})

    def embed(texts):  # a made-up encoder: rude words push one dimension up
        out = np.stack([_fake_vector(t) * 0.3 for t in texts])
        out[:, 0] += [1.0 if any(w in t for w in rude) else -1.0 for t in texts]
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    trained = pipeline.train_head(_plan(source), [source], "incivility",
                                  splits.git_reader(tmp_path),
                                  EmbeddingCache(tmp_path / "cache", "enc", encoder.DIM), embed)
    entry = trained.entry
    assert len(entry["weights"]) == encoder.DIM
    assert entry["scores"]["heldout"]["toy/en"]["auc"] > 0.95
    assert entry["scores"]["clean_pool"]["latin"]["flagged"] <= thresholds.WARN_RATE
    assert entry["sources"][0]["rows"]["train"] > 0
    assert "lexical" not in entry and not trained.files

    # with the lexical channel (trained past the embedding caps) and cuts for rules ∪ head
    def rules_flag(texts):
        return np.array([int(t.split()[-1]) % 40 == 0 for t in texts])  # 1 in 40

    # the toy's caps are the manifest's defaults here, so the n-grams may go past them
    plan = manifest.Manifest(300, dict(source.caps), {"train": 0.7, "val": 0.15, "test": 0.15},
                             [source])
    trained = pipeline.train_head(plan, [source], "incivility", splits.git_reader(tmp_path),
                                  EmbeddingCache(tmp_path / "cache", "enc", encoder.DIM), embed,
                                  lexical_file="toy.ngrams.npy", rules_flag=rules_flag)
    entry = trained.entry
    lexical_entry = entry["lexical"]
    assert set(trained.files) == {"toy.ngrams.npy"} and lexical_entry["file"] == "toy.ngrams.npy"
    assert lexical_entry["train_rows"] > entry["sources"][0]["rows"]["train"]  # no cap
    assert set(entry["stack"]) == {"embedding", "lexical", "bias"}
    assert entry["scores"]["heldout"]["toy/en"]["auc"] > 0.95
    pool = entry["scores"]["clean_pool"]["latin"]
    assert pool["rules_or_head"] <= thresholds.UNION_RATE and pool["rules"] > 0
    # the file and its record are numbers only: no n-gram of the training text is stored
    data = trained.files["toy.ngrams.npy"]
    assert b"idiot" not in data and b"thank" not in data
    assert "idiot" not in json.dumps(lexical_entry)


# -- the lexical channel: hashed n-grams, the same in training and at run time ------------


def test_uncapped_lifts_only_the_default_training_cap():
    default = _source("0" * 40, caps={"train": 100, "val": 100, "test": 100})
    own = _source("0" * 40, name="positives", caps={"train": 50, "val": 100, "test": 100})
    lifted, kept = splits.uncapped(_plan(default, own), [default, own])
    assert lifted.caps["train"] > 10**6 and lifted.caps["val"] == 100
    assert kept.caps == own.caps  # a source's own cap is for balance: it stays


def test_ngram_buckets_are_a_stable_hash_of_each_padded_word():
    import zlib

    from chatbot.model import ngrams

    assert ngrams.words("Tu GHATIYAAAA hai!! @someone https://x.org/a #BanThis") == [
        "tu", "ghatiyaa", "hai", "banthis"]
    assert ngrams.words("நீ முட்டாள்") == ["நீ", "முட்டாள்"]  # vowel signs and virama stay
    expected = {zlib.crc32(g.encode()) & (2**20 - 1) for g in (
        " h", "hi", "i ", " hi", "hi ", " hi ")}
    assert ngrams.buckets("HI", 20) == sorted(expected)
    assert ngrams.buckets("hi hi, HI!", 20) == sorted(expected)  # a set, case folded
    assert ngrams.buckets("loooool", 20) == ngrams.buckets("LOOOL", 20)


def test_training_features_score_as_the_run_time_does():
    pytest.importorskip("scipy")
    import io

    from chatbot.model.heads import Lexical
    from chatbot.model.training import lexical

    rng = np.random.default_rng(5)
    channel = Lexical(rng.normal(0, 1, 2**12).astype(np.float16), -0.25, 12)
    texts = ["tu ek number ka bewakoof hai", "நீ ஒரு முட்டாள்", "", "Thanks, all!"]
    trained = lexical.matrix(texts, 12) @ channel.weights.astype(np.float64) + channel.bias
    assert np.allclose(trained, channel.logits(texts), atol=1e-9)
    data = lexical.file_bytes(channel)
    assert np.array_equal(np.load(io.BytesIO(data)), channel.weights)


# -- the shipped heads.json ----------------------------------------------------------------


@pytest.fixture(scope="module")
def heads() -> dict:
    return json.loads(HEADS_JSON.read_text(encoding="utf-8"))


def test_shipped_heads_sha256_matches(heads):
    assert heads["sha256"] == export.seal(heads)
    tampered = json.loads(json.dumps(heads))
    tampered["heads"]["incivility"]["bias"] += 1e-6
    assert export.seal(tampered) != heads["sha256"]


def test_shipped_heads_shape(heads):
    assert heads["format"] == 1 and heads["trained_by"].startswith("python -m chatbot.model.training")
    assert heads["encoder"] | {"version": ""} == {
        "name": encoder.ENCODER_NAME, "version": "", "prefix": encoder.PREFIX, "dim": encoder.DIM}
    head = heads["heads"]["incivility"]
    assert head["label"] == "incivility"
    if head.get("kind", "linear") == "linear":
        assert len(head["weights"]) == encoder.DIM
    else:
        hidden = head["hidden"]
        assert len(hidden["weights"]) == encoder.DIM and len(head["weights"]) == len(hidden["bias"])
        assert all(round(w, 6) == w for row in hidden["weights"] for w in row)
    assert all(round(w, 6) == w for w in head["weights"])
    cuts, confident = head["thresholds"], head["confident"]
    assert cuts["default"] == max(v for k, v in cuts.items() if k != "default")
    assert set(confident) == set(cuts) and all(confident[k] >= cuts[k] for k in cuts)
    assert set(head["scores"]["clean_pool"]) == set(cuts) - {"default"}
    assert all(p["flagged"] <= 0.10 for p in head["scores"]["clean_pool"].values())


def test_shipped_sources_match_the_manifest(heads, shipped):
    for entry in heads["heads"]["incivility"]["sources"]:
        source = shipped[entry["name"]]
        assert (entry["repository"], entry["commit"], entry["licence"], entry["paths"]) == (
            source.repository, source.commit, source.licence, source.paths)
        assert entry["nc_or_research"] is source.nc_or_research
        assert entry["rows"] == source.rows, entry["name"]


def test_own_drafts_are_read_from_the_package_and_only_on_request(shipped):
    plan = manifest.load()
    own = shipped["own_drafts"]
    assert own.read.get("local") and not own.nc_or_research
    enabled = {s.name for s in plan.for_head("incivility")}
    tried = {s.name for s in plan.for_head("incivility", extra=True)}
    assert ("own_drafts" in enabled) is own.enabled and "own_drafts" in tried
    rows = splits.head_rows(plan, [own], "incivility", splits.git_reader(Path("/nonexistent")))
    assert {r.y for r in rows} == {0, 1} and len(rows) >= 100


def test_recording_rows_keeps_the_manifests_comments(tmp_path):
    from chatbot.model.training.record import record_rows

    path = tmp_path / "manifest.yaml"
    path.write_text("sources:\n  - name: a\n    # why a\n    nc_or_research: true\n"
                    "    rows: {train: 1, val: 1, test: 1}\n  - name: b\n"
                    "    nc_or_research: false\n", encoding="utf-8")
    record_rows(path, {"a": {"train": 5, "val": 2, "test": 3}, "b": {"train": 7, "val": 0,
                                                                    "test": 1}})
    assert path.read_text(encoding="utf-8") == (
        "sources:\n  - name: a\n    # why a\n    nc_or_research: true\n"
        "    rows: {train: 5, val: 2, test: 3}\n  - name: b\n    nc_or_research: false\n"
        "    rows: {train: 7, val: 0, test: 1}\n")


def _rows(rng, n: int, rule) -> tuple[np.ndarray, np.ndarray]:
    x = rng.normal(0, 1, (n, 8))
    return x, rule(x).astype(int)


@pytest.mark.parametrize(("rule", "kind"), [
    (lambda x: x[:, 0] + x[:, 1] > 0, "linear"),  # a line separates them: no MLP needed
    (lambda x: x[:, 0] * x[:, 1] > 0, "mlp"),  # opposite quadrants: no line does
])
def test_the_mlp_is_kept_only_when_it_beats_the_linear_head_on_validation(rule, kind):
    pytest.importorskip("sklearn")
    from chatbot.model.training import fit

    rng = np.random.default_rng(3)
    (x_train, y_train), (x_val, y_val) = _rows(rng, 1500, rule), _rows(rng, 400, rule)
    groups = ["a"] * 200 + ["b"] * 200
    head = fit.choose(x_train, y_train, x_val, y_val, groups, mlp_grid=((32, 1e-4),))
    assert head.kind == kind
    rounded = head.rounded(6)
    assert np.allclose(rounded.score(x_val), head.score(x_val), atol=1e-4)
    if kind == "mlp":
        assert head.hidden[0].shape == (8, 32) and head.val_auc > 0.9


# -- heads trained on our own drafts ------------------------------------------------------


def test_a_draft_head_is_cut_on_held_out_waves_and_on_each_scripts_clean_pool():
    from chatbot.model.training import drafts

    rng = np.random.default_rng(3)
    direction = rng.normal(0, 1, encoder.DIM)

    def vectors(n: int, shift: float) -> np.ndarray:
        return rng.normal(0, 1, (n, encoder.DIM)) + shift * direction

    # three writers' waves of drafts: 40 positives, 80 fine, 20 other labels each
    xd = np.vstack([np.vstack([vectors(40, 0.4), vectors(100, 0.0)]) for _ in range(3)])
    y = np.tile(np.r_[np.ones(40, int), np.zeros(100, int)], 3)
    fine = np.tile(np.r_[np.zeros(40, bool), np.ones(80, bool), np.zeros(20, bool)], 3)
    waves = [w for w in ("a", "b", "c") for _ in range(140)]
    xt = vectors(300, 0.0)
    # real clean posts: Latin ones like fine drafts, Tamil ones leaning towards the label
    xv = np.vstack([vectors(200, 0.0), vectors(200, 0.25), vectors(20, 0.4)])
    scripts = ["latin"] * 200 + ["tamil"] * 200 + ["oriya"] * 20
    entry = drafts.train_one("sarcasm", xd, y, fine, waves, xt, xv, scripts)

    cuts = entry["thresholds"]
    assert set(cuts) == {"latin", "tamil", "default"}  # oriya's 20 posts take the default
    assert cuts["default"] == max(cuts["latin"], cuts["tamil"])
    assert cuts["tamil"] >= cuts["latin"]  # the pool that leans to the label is cut higher
    assert all(rate <= drafts.POOL_RATE + 0.01 for rate in entry["scores"]["clean_flagged"].values())
    assert entry["scores"]["fine_flagged"] <= 1 and entry["scores"]["recall"] > 0.3
    assert entry["sentences"] is False and len(entry["weights"]) == encoder.DIM


def test_a_wave_with_no_positives_elsewhere_scores_as_a_miss():
    from chatbot.model.training import drafts

    rng = np.random.default_rng(4)
    xd = rng.normal(0, 1, (60, encoder.DIM))
    y = np.r_[np.ones(10, int), np.zeros(50, int)]
    waves = ["only"] * 20 + ["other"] * 40  # every positive is in wave "only"
    oof = drafts.out_of_fold(xd, y, waves, rng.normal(0, 1, (30, encoder.DIM)))
    assert (oof[:20] == 0).all() and (oof[20:] > 0).all()


def test_the_draft_heads_read_official_drafts_only(tmp_path):
    from chatbot.model.training import drafts

    path = tmp_path / "w.jsonl"
    path.write_text("\n".join(json.dumps(d) for d in (
        {"id": "w-1", "text": "a", "labels": [], "account": "official"},
        {"id": "w-2", "text": "b", "labels": ["sarcasm"], "account": "personal"},
        {"id": "w-3", "text": "c", "labels": ["snark"]},
    )) + "\n", encoding="utf-8")
    assert [d["id"] for d in drafts.official_drafts([path])] == ["w-1", "w-3"]
    assert drafts.wave_of("wave4en-0012") == "wave4en"
