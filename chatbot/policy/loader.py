"""Load policy YAML files into a `Policy`, refusing anything malformed with file, line and field.

Files in the policy directory are read in name order and layered: the first one holds the base
policy; later files (an organisation's own) may add rules and terms, and change existing rules
through `overrides:` (turn one off, re-level it, reword its message) without editing the base.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache as cache_once
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chatbot.policy import cache
from chatbot.policy.gates import GatedPattern, GateIndex, Requirements, TermGroup, gated
from chatbot.policy.media import CLASS_ORDER, EXTRA_CLASSES, MediaVocabulary
from chatbot.policy.model import ACCOUNTS, LABELS, LEVELS, MediaDeclaration
from chatbot.policy.names import NameList, NameListError, load_name_list
from chatbot.policy.normalise import normalise_pattern_literal
from chatbot.policy.rules import Example, Examples, Match, Policy, Rule

if TYPE_CHECKING:
    import yaml

TOP_KEYS = {
    "policy", "labels", "terms", "names", "repost_markers", "media", "rules", "overrides"
}
POLICY_KEYS = {"name", "version", "source"}
LABEL_KEYS = {"level", "policy"}
RULE_KEYS = {
    "id", "label", "level", "message", "policy", "link", "accounts", "match", "enabled", "examples"
}
RULE_REQUIRED = ("id", "label", "level", "message", "policy", "match")
MATCH_KEYS = {
    "all",
    "any",
    "none",
    "unless",
    "requires",
    "within",
    "where",
    "reply",
    "reply_to",
    "media",
    "repost_of",
    "model",
}
OVERRIDE_KEYS = {"enabled", "level", "message", "link", "accounts"}
MEDIA_KEYS = {"credit", "classes"}
EXAMPLES_KEYS = {"fires", "passes"}
EXAMPLE_KEYS = {"text", "account", "media"}
EXAMPLE_MEDIA_KEYS = {"source", "license"}
RULE_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")

#: a head trained on the project's own drafts is named for its label with this prefix
DRAFT_HEADS = "drafts-"



class PolicyError(ValueError):
    """A policy file is malformed. The message reads `file:line: field: what is wrong`."""

    def __init__(self, file: str, line: int, field: str, problem: str) -> None:
        self.file, self.line, self.field, self.problem = file, line, field, problem
        super().__init__(f"{file}:{line}: {field}: {problem}")


def load_policy(path: str | Path) -> Policy:
    """Load one policy file, or every `*.yaml`/`*.yml` file of a directory in name order."""
    path = Path(path)
    if path.is_dir():
        files = sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
        if not files:
            raise PolicyError(str(path), 0, "files", "no *.yaml policy file in this directory")
    elif path.is_file():
        files = [path]
    else:
        raise PolicyError(
            str(path),
            0,
            "path",
            "no such policy file or directory (set CHECKPOST_POLICY_DIR or pass --policy)",
        )
    return load_files(files)


def load_files(files: Iterable[Path]) -> Policy:
    """The policy of `files`: from its snapshot when one was made from these very files (and
    name lists) by this very code, else built, and a snapshot kept for the next process."""
    files = [Path(f) for f in files]
    key = cache.key_of("policy", *(f"{f}\0{_file_digest(f)}" for f in files))
    known = cache.read_snapshot("policy", key)
    if isinstance(known, Policy):
        return known
    builder = _Builder([_read(f) for f in files])
    policy = builder.build()
    for each in builder.patterns.values():
        _ = each.pattern  # compiled now, so the snapshot holds every pattern's program
    from chatbot.policy import engine  # the rule plans too, so a warm start works out none

    engine.prepare(policy)
    cache.write_snapshot("policy", key, policy, builder.dependencies)
    return policy


def _file_digest(path: Path) -> str:
    """sha256 of the file's bytes; an unreadable file has none, and `_read` says why."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "unreadable"


# --- reading YAML with line numbers -------------------------------------------------------


@dataclass
class Node:
    """A YAML value with where it was written, so every error can name its line."""

    value: Any
    line: int
    file: str
    digest: str = ""

    def error(self, field: str, problem: str) -> PolicyError:
        return PolicyError(self.file, self.line, field, problem)


def _read(path: Path) -> Node:
    import yaml  # only when a policy is built: a snapshot needs no YAML parser

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(str(path), 0, "file", f"cannot read it: {exc}") from None
    try:
        # libyaml's composer when PyYAML was built with it: the same nodes and marks, 15× faster.
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        problem = getattr(exc, "problem", None) or str(exc)
        raise PolicyError(str(path), line, "yaml", f"not valid YAML: {problem}") from None
    if root is None:
        raise PolicyError(str(path), 1, "file", "the file is empty")
    node = _convert(root, str(path))
    node.digest = hashlib.sha256(text.encode()).hexdigest()
    return node


def _convert(node: yaml.Node, file: str) -> Node:
    import yaml

    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        mapping: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key in mapping:
                raise PolicyError(
                    file,
                    key_node.start_mark.line + 1,
                    str(key),
                    "this key appears twice in the same mapping",
                )
            mapping[str(key)] = _convert(value_node, file)
        return Node(mapping, line, file)
    if isinstance(node, yaml.SequenceNode):
        return Node([_convert(v, file) for v in node.value], line, file)
    return Node(_scalars().construct_object(node), line, file)


@cache_once
def _scalars() -> yaml.constructor.SafeConstructor:
    import yaml

    return yaml.constructor.SafeConstructor()


# --- building the policy --------------------------------------------------------------------


class _Builder:
    def __init__(self, docs: list[Node]) -> None:
        self.docs = docs
        self.terms: dict[str, list[Node]] = {}
        self.label_levels: dict[str, str] = {}
        self.label_policy: dict[str, str] = {}
        self.meta: dict[str, str] = {}
        self.credit: list[Node] = []
        self.classes: dict[str, list[Node]] = {}
        self.repost_markers: list[Node] = []
        self.compiled: dict[str, TermGroup] = {}
        self.name_lists: dict[str, NameList] = {}
        self.name_digests: list[str] = []
        #: Each pattern's gate as worked out before for these very files (policy/cache.py),
        #: and those worked out now, to write back.
        self.cache_key = cache.key_of(*(d.digest for d in docs))
        self.known_gates = cache.read("gates", self.cache_key) or {}
        self.new_gates: dict[str, dict[str, Any]] = {}
        self.folded = cache.read("folded", cache.key_of()) or {}
        self.folded_before = len(self.folded)
        self.patterns: dict[str, GatedPattern] = {}
        #: The files read besides `docs` (name lists), with their sha256, for the snapshot.
        self.dependencies: list[tuple[str, str]] = []

    def build(self) -> Policy:
        for doc in self.docs:
            self._read_shared_sections(doc)
        if not self.meta:
            first = self.docs[0]
            raise first.error("policy", "no file has a `policy:` section with name and version")
        rules: dict[str, Rule] = {}
        for doc in self.docs:
            for rule in self._rules(doc):
                if rule.id in rules:
                    raise PolicyError(
                        rule.origin.rsplit(":", 1)[0],
                        int(rule.origin.rsplit(":", 1)[1]),
                        "id",
                        f"rule {rule.id!r} is already defined at "
                        f"{rules[rule.id].origin}; change it under `overrides:`",
                    )
                rules[rule.id] = rule
        for doc in self.docs:
            self._apply_overrides(doc, rules)
        digests = [d.digest for d in self.docs] + self.name_digests
        digest = hashlib.sha256("".join(digests).encode()).hexdigest()
        policy = Policy(
            name=self.meta.get("name", ""),
            version=f"{self.meta.get('version', '')}+{digest[:8]}",
            source=self.meta.get("source", ""),
            rules=tuple(rules.values()),
            label_levels=dict(self.label_levels),
            label_policy=dict(self.label_policy),
            media=MediaVocabulary(
                credit=self._compile(self.credit, "media.credit"),
                classes={
                    k: self._compile(v, f"media.classes.{k}") for k, v in self.classes.items()
                },
            ),
            repost_markers=tuple(self._compile([m], "repost_markers") for m in self.repost_markers),
            files=tuple(d.file for d in self.docs),
            name_lists=dict(self.name_lists),
            gates=GateIndex(g for group in self.compiled.values() for g in group.gates),
        )
        self._write_caches()
        return policy

    def _write_caches(self) -> None:
        if self.new_gates:
            cache.write("gates", self.cache_key, {**self.known_gates, **self.new_gates})
        if len(self.folded) != self.folded_before:
            cache.write("folded", cache.key_of(), self.folded)

    # shared sections: policy, labels, terms, media, repost_markers

    def _read_shared_sections(self, doc: Node) -> None:
        top = _mapping(doc, "file")
        _no_unknown(doc, top, TOP_KEYS, "")
        if "policy" in top:
            meta = _mapping(top["policy"], "policy")
            _no_unknown(top["policy"], meta, POLICY_KEYS, "policy.")
            for key in ("name", "version"):
                if key not in meta:
                    raise top["policy"].error(f"policy.{key}", "missing")
            self.meta.update({k: str(v.value) for k, v in meta.items()})
        if "labels" in top:
            for label, spec in _mapping(top["labels"], "labels").items():
                self._label(label, spec)
        if "terms" in top:
            for name, values in _mapping(top["terms"], "terms").items():
                self.terms.setdefault(name, []).extend(_strings(values, f"terms.{name}"))
        if "names" in top:
            for name, path_node in _mapping(top["names"], "names").items():
                self._name_list(name, path_node)
        if "repost_markers" in top:
            self.repost_markers.extend(_strings(top["repost_markers"], "repost_markers"))
        if "media" in top:
            media = _mapping(top["media"], "media")
            _no_unknown(top["media"], media, MEDIA_KEYS, "media.")
            if "credit" in media:
                self.credit.extend(_strings(media["credit"], "media.credit"))
            if "classes" in media:
                for klass, values in _mapping(media["classes"], "media.classes").items():
                    if klass not in CLASS_ORDER:
                        raise values.error(
                            f"media.classes.{klass}",
                            f"unknown class; use one of {', '.join(CLASS_ORDER)}",
                        )
                    self.classes.setdefault(klass, []).extend(
                        _strings(values, f"media.classes.{klass}")
                    )

    def _name_list(self, name: str, node: Node) -> None:
        """`names: {politicians: names/politicians.json}`: a list file beside the policy;
        `names/politicians.json#hashtags` is the same list's campaign hashtags alone."""
        relative = _string(node, f"names.{name}")
        if name in self.terms or name in self.name_lists:
            raise node.error(f"names.{name}", "this name is already a term list or name list")
        relative, _, part = relative.partition("#")
        if part not in ("", "hashtags"):
            raise node.error(f"names.{name}", f"#{part}: the only part of a list is #hashtags")
        path = Path(node.file).parent / relative
        try:
            self.name_lists[name] = load_name_list(
                path, name, only_hashtags=part == "hashtags", folded=self.folded
            )
        except NameListError as exc:
            raise node.error(f"names.{name}", str(exc)) from None
        self.name_digests.append(hashlib.sha256(path.read_bytes()).hexdigest())
        self.dependencies.append((str(path), self.name_digests[-1]))

    def _label(self, label: str, spec: Node) -> None:
        if label not in LABELS:
            raise spec.error(f"labels.{label}", f"unknown label; use one of {', '.join(LABELS)}")
        values = _mapping(spec, f"labels.{label}")
        _no_unknown(spec, values, LABEL_KEYS, f"labels.{label}.")
        if "level" in values:
            self.label_levels[label] = _level(values["level"], f"labels.{label}.level")
        if "policy" in values:
            self.label_policy[label] = _string(values["policy"], f"labels.{label}.policy")

    # rules

    def _rules(self, doc: Node) -> list[Rule]:
        top = doc.value
        if "rules" not in top:
            return []
        items = top["rules"]
        if not isinstance(items.value, list):
            raise items.error("rules", "must be a list of rules")
        return [self._rule(item, i) for i, item in enumerate(items.value)]

    def _rule(self, node: Node, index: int) -> Rule:
        spec = _mapping(node, f"rules[{index}]")
        rid = spec["id"].value if "id" in spec else f"rules[{index}]"
        where = f"rule {rid}"
        _no_unknown(node, spec, RULE_KEYS, f"{where}: ")
        for key in RULE_REQUIRED:
            if key not in spec:
                raise node.error(
                    f"{where}: {key}", "missing (every rule needs " + ", ".join(RULE_REQUIRED) + ")"
                )
        if not isinstance(rid, str) or not RULE_ID.match(rid):
            raise spec["id"].error("id", "use lower-case letters, digits and dashes")
        label = _string(spec["label"], f"{where}: label")
        if label not in LABELS:
            raise spec["label"].error(
                f"{where}: label", f"{label!r} is not a label; use one of {', '.join(LABELS)}"
            )
        return Rule(
            id=rid,
            label=label,
            level=_level(spec["level"], f"{where}: level"),
            message=_string(spec["message"], f"{where}: message"),
            policy=_string(spec["policy"], f"{where}: policy"),
            link=_string(spec["link"], f"{where}: link")
            if "link" in spec
            else self.meta.get("source", ""),
            accounts=_accounts(spec.get("accounts"), where),
            match=self._match(spec["match"], where),
            enabled=_bool(spec["enabled"], f"{where}: enabled") if "enabled" in spec else True,
            origin=f"{node.file}:{node.line}",
            examples=_examples(spec["examples"], where) if "examples" in spec else Examples(),
        )

    def _match(self, node: Node, where: str) -> Match:
        spec = _mapping(node, f"{where}: match")
        _no_unknown(node, spec, MATCH_KEYS, f"{where}: match.")
        groups: list[list[Node]] = []
        if "any" in spec:
            groups.append(_strings(spec["any"], f"{where}: match.any"))
        if "all" in spec:
            all_node = spec["all"]
            if not isinstance(all_node.value, list):
                raise all_node.error(f"{where}: match.all", "must be a list of pattern lists")
            for i, group in enumerate(all_node.value):
                groups.append(_strings(group, f"{where}: match.all[{i}]"))
        media = tuple(_strings(spec["media"], f"{where}: match.media")) if "media" in spec else ()
        for m in media:
            if m.value not in (*CLASS_ORDER, *EXTRA_CLASSES):
                raise m.error(
                    f"{where}: match.media",
                    f"unknown media class {m.value!r}; use "
                    f"one of {', '.join((*CLASS_ORDER, *EXTRA_CLASSES))}",
                )
        repost_of = (
            _bool(spec["repost_of"], f"{where}: match.repost_of") if "repost_of" in spec else False
        )
        model = _string(spec["model"], f"{where}: match.model") if "model" in spec else ""
        if model and model.removeprefix(DRAFT_HEADS) not in LABELS:
            raise spec["model"].error(
                f"{where}: match.model",
                f"{model!r} is not a head; heads are named for their label ({', '.join(LABELS)}),"
                f" or {DRAFT_HEADS}LABEL for a head trained on the project's own drafts",
            )
        if model and (groups or media or repost_of):
            raise spec["model"].error(
                f"{where}: match.model",
                "a model rule takes only `requires`, `unless` and `where` beside `model`",
            )
        if not groups and not media and not repost_of and not model:
            raise node.error(
                f"{where}: match", "needs `any`, `all`, `media`, `repost_of` or `model`"
            )
        return Match(
            all=tuple(self._compile(g, f"{where}: match") for g in groups),
            none=self._compiled_list(spec.get("none"), f"{where}: match.none"),
            unless=self._compiled_list(spec.get("unless"), f"{where}: match.unless"),
            requires=self._compiled_list(spec.get("requires"), f"{where}: match.requires"),
            within=_choice(
                spec.get("within"), ("sentence", "text"), "sentence", f"{where}: match.within"
            ),
            where=_choice(
                spec.get("where"), ("own", "quoted", "any"), "any", f"{where}: match.where"
            ),
            reply=_bool(spec["reply"], f"{where}: match.reply") if "reply" in spec else None,
            reply_to=self._compiled_list(spec.get("reply_to"), f"{where}: match.reply_to"),
            media=tuple(m.value for m in media),
            repost_of=repost_of,
            model=model,
        )

    def _compiled_list(self, node: Node | None, field: str) -> tuple[TermGroup, ...]:
        if node is None:
            return ()
        return (self._compile(_strings(node, field), field),)

    def _compile(self, patterns: list[Node], field: str) -> TermGroup:
        """One alternation for a group, with `$name` term lists expanded and folded like text.

        Patterns are compiled with the `regex` library, whose `\\b` and `\\w` know that Indic
        vowel signs and viramas belong to a word (the standard `re` splits ಕನ್ನಡ at each sign).
        Groups shared by several rules (a `$terms` list) are compiled once.
        """
        sources: list[tuple[str, Node]] = []
        names: list[NameList] = []
        for p in patterns:
            if p.value.startswith("$") and p.value[1:] in self.name_lists:
                names.append(self.name_lists[p.value[1:]])
            elif p.value.startswith("$"):
                name = p.value[1:]
                if name not in self.terms:
                    raise p.error(field, f"unknown term list {p.value!r}; define it under `terms:`")
                sources.extend(self._pattern(t) for t in self.terms[name])
            else:
                sources.append(self._pattern(p))
        key = "\n".join([*(s for s, _ in sources), *(f"${n.list_name}" for n in names)])
        if key not in self.compiled:
            patterns = []
            for source, node in sources:
                if source not in self.patterns:
                    self.patterns[source] = self._gated_once(source, node, field)
                patterns.append(self.patterns[source])
            self.compiled[key] = TermGroup(tuple(patterns), names=tuple(names))
        return self.compiled[key]

    def _gated_once(self, source: str, node: Node, field: str) -> GatedPattern:
        """A pattern known from the cache keeps its gate and is compiled on first use; a new
        one is compiled now, so a bad expression stops the load with its file and line."""
        known = _known_gates(self.known_gates.get(source))
        if known is not None:
            gate, clauses, starts, after = known
            return GatedPattern(source, gate, clauses=clauses, starts=starts, after=after)
        import regex

        try:
            pattern = gated(source)
        except regex.error as exc:
            raise node.error(field, f"bad regular expression {node.value!r}: {exc}") from None
        self.new_gates[source] = {
            "gate": sorted(pattern.gate) if pattern.gate is not None else None,
            "clauses": [sorted(c) for c in pattern.clauses],
            "starts": sorted(pattern.starts) if pattern.starts is not None else None,
            "after": sorted(pattern.after) if pattern.after is not None else None,
        }
        return pattern

    def _pattern(self, node: Node) -> tuple[str, Node]:
        folded = self.folded.get("pattern:" + node.value)
        if not isinstance(folded, str):
            folded = self.folded["pattern:" + node.value] = normalise_pattern_literal(node.value)
        return folded, node

    # overrides

    def _apply_overrides(self, doc: Node, rules: dict[str, Rule]) -> None:
        top = doc.value
        if "overrides" not in top:
            return
        for rid, node in _mapping(top["overrides"], "overrides").items():
            if rid not in rules:
                raise node.error(f"overrides.{rid}", "no rule has this id")
            spec = _mapping(node, f"overrides.{rid}")
            _no_unknown(node, spec, OVERRIDE_KEYS, f"overrides.{rid}.")
            changes: dict[str, Any] = {}
            if "enabled" in spec:
                changes["enabled"] = _bool(spec["enabled"], f"overrides.{rid}.enabled")
            if "level" in spec:
                changes["level"] = _level(spec["level"], f"overrides.{rid}.level")
            for key in ("message", "link"):
                if key in spec:
                    changes[key] = _string(spec[key], f"overrides.{rid}.{key}")
            if "accounts" in spec:
                changes["accounts"] = _accounts(spec["accounts"], f"overrides.{rid}")
            rules[rid] = rules[rid].with_changes(**changes)


def _known_gates(entry: object) -> Requirements | None:
    """A pattern's gates as the cache wrote them (`_gated_once`), or None when the entry is
    absent or not of that shape (then the pattern is compiled and its gates worked out)."""
    if not isinstance(entry, dict):
        return None
    gate, clauses, starts = entry.get("gate"), entry.get("clauses"), entry.get("starts")
    after = entry.get("after")

    def literals(value: object) -> bool:
        return isinstance(value, list) and all(isinstance(x, str) and x for x in value)

    if gate is None:
        return (None, (), None, None) if clauses == [] and starts is None is after else None
    if not (literals(gate) and gate and isinstance(clauses, list)
            and all(literals(c) and c for c in clauses)
            and (starts is None or (literals(starts) and starts))
            and (after is None or (isinstance(after, list) and after
                                   and all(isinstance(x, str) and len(x) <= 1 for x in after)))):
        return None
    return (frozenset(gate), tuple(frozenset(c) for c in clauses),
            frozenset(starts) if starts is not None else None,
            frozenset(after) if after is not None else None)


# --- field readers ------------------------------------------------------------------------


def _mapping(node: Node, field: str) -> dict[str, Node]:
    if not isinstance(node.value, dict):
        raise node.error(field, "must be a mapping (key: value)")
    return node.value


def _no_unknown(node: Node, mapping: dict[str, Node], allowed: set[str], prefix: str) -> None:
    for key, value in mapping.items():
        if key not in allowed:
            raise value.error(
                f"{prefix}{key}", "unknown key; allowed here: " + ", ".join(sorted(allowed))
            )


def _strings(node: Node, field: str) -> list[Node]:
    if not isinstance(node.value, list):
        raise node.error(field, "must be a list of strings")
    for item in node.value:
        if not isinstance(item.value, str) or not item.value:
            raise item.error(field, f"must be a non-empty string, got {item.value!r}")
    return node.value


def _string(node: Node, field: str) -> str:
    if not isinstance(node.value, str) or not node.value.strip():
        raise node.error(field, "must be a non-empty string")
    return node.value.strip()


def _bool(node: Node, field: str) -> bool:
    if not isinstance(node.value, bool):
        raise node.error(field, "must be true or false")
    return node.value


def _level(node: Node, field: str) -> str:
    if node.value not in LEVELS:
        raise node.error(field, f"{node.value!r} is not a level; use one of {', '.join(LEVELS)}")
    return node.value


def _accounts(node: Node | None, where: str) -> tuple[str, ...]:
    if node is None:
        return ("official",)
    values = tuple(n.value for n in _strings(node, f"{where}: accounts"))
    for n in node.value:
        if n.value not in ACCOUNTS:
            raise n.error(
                f"{where}: accounts", f"{n.value!r} is not an account; use " + " or ".join(ACCOUNTS)
            )
    return values


def _examples(node: Node, where: str) -> Examples:
    """`examples: {fires: [...], passes: [...]}`: each item a draft's text (on the official
    account), or `{text: …, account: personal, media: [{source: …, license: …}]}`."""
    spec = _mapping(node, f"{where}: examples")
    _no_unknown(node, spec, EXAMPLES_KEYS, f"{where}: examples.")
    if not spec:
        raise node.error(f"{where}: examples", "give `fires:`, `passes:` or both")
    kinds: dict[str, tuple[Example, ...]] = {}
    for kind, items in spec.items():
        field = f"{where}: examples.{kind}"
        if not isinstance(items.value, list) or not items.value:
            raise items.error(field, "must be a non-empty list of drafts")
        kinds[kind] = tuple(_example(item, f"{field}[{i}]") for i, item in enumerate(items.value))
    return Examples(**kinds)


def _example(node: Node, field: str) -> Example:
    origin = f"{node.file}:{node.line}"
    if isinstance(node.value, str):
        return Example(text=_string(node, field), origin=origin)
    if not isinstance(node.value, dict):
        raise node.error(field, "must be a draft's text or a mapping with `text:`")
    spec = node.value
    _no_unknown(node, spec, EXAMPLE_KEYS, f"{field}.")
    if "text" not in spec:
        raise node.error(f"{field}.text", "missing (an example needs the draft's text)")
    account = _choice(spec.get("account"), ACCOUNTS, "official", f"{field}.account")
    media: list[MediaDeclaration] = []
    if "media" in spec:
        items = spec["media"]
        if not isinstance(items.value, list) or not items.value:
            raise items.error(f"{field}.media", "must be a non-empty list of {source, license}")
        for i, item in enumerate(items.value):
            where = f"{field}.media[{i}]"
            values = _mapping(item, where)
            _no_unknown(item, values, EXAMPLE_MEDIA_KEYS, f"{where}.")
            if "source" not in values:
                raise item.error(f"{where}.source", "missing (what the medium is, who made it)")
            licence = values.get("license")
            media.append(
                MediaDeclaration(
                    source=_string(values["source"], f"{where}.source"),
                    license=_string(licence, f"{where}.license") if licence else "",
                )
            )
    return Example(
        text=_string(spec["text"], f"{field}.text"),
        account=account,
        media=tuple(media),
        origin=origin,
    )


def _choice(node: Node | None, choices: tuple[str, ...], default: str, field: str) -> Any:
    if node is None:
        return default
    if node.value not in choices:
        raise node.error(field, f"{node.value!r} is not one of {', '.join(choices)}")
    return node.value
