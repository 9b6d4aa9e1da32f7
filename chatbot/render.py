"""Plain-text rendering of a verdict for a person: what is wrong, the policy line, how to fix.

The chat adapters render the same Verdict as Block Kit or Matrix HTML; this is the terminal's
version, and the plain fallback they can reuse.
"""

from __future__ import annotations

from chatbot.policy.model import Draft, Finding, Verdict

ICONS = {"error": "✗ error", "warning": "! warning", "suggestion": "· suggestion"}


def render_verdict(draft: Draft, verdict: Verdict) -> str:
    lines = [headline(verdict)]
    for number, finding in enumerate(verdict.findings, start=1):
        lines.append("")
        lines.extend(render_finding(number, finding, draft.text))
    lines.append("")
    lines.append(model_line(verdict))
    lines.append(llm_line(verdict))
    if verdict.llm.rewrite:
        lines.append(f"  Suggested rewrite: {verdict.llm.rewrite}")
    lines.append(f"Policy version: {verdict.policy_version}")
    return "\n".join(lines)


def render_finding(number: int, finding: Finding, text: str) -> list[str]:
    lines = [
        f"{number}. {ICONS.get(finding.level, finding.level)} [{finding.label}] {finding.message}"
    ]
    if finding.span:
        start, end = finding.span
        lines.append(f"   In the draft: “{_excerpt(text, start, end)}”")
    elif finding.source == "llm" and not finding.located:
        lines.append("   (the reviewer's quote was not found in the draft)")
    if finding.suggestion:
        lines.append(f"   Suggestion: {finding.suggestion}")
    lines.append(f"   Policy: “{finding.policy}”")
    if finding.link:
        lines.append(f"   See: {finding.link}")
    lines.append(f"   Rule: {finding.rule} ({finding.source})")
    return lines


def headline(verdict: Verdict) -> str:
    """One line: pass or not, and how many findings of each level (every platform shows it)."""
    if not verdict.findings:
        return "PASS: no findings. The draft follows the policy as far as the checks can tell."
    counts = {
        level: sum(f.level == level for f in verdict.findings)
        for level in ("error", "warning", "suggestion")
    }
    summary = ", ".join(f"{n} {level}{'s' if n != 1 else ''}" for level, n in counts.items() if n)
    if verdict.passed:
        return f"PASS with notes ({summary}): worth a look before posting."
    return f"NEEDS CHANGES ({summary}): fix the errors before posting."


def judges_line(verdict: Verdict) -> str:
    """Which judges ran, in one line for the chat adapters: the learned layer and the LLM."""
    return f"{model_line(verdict)} {llm_line(verdict)}"


def model_line(verdict: Verdict) -> str:
    """Whether the learned layer ran, was off or failed, and what it can judge."""
    model = verdict.model
    if model.status == "ok":
        heads = ", ".join(model.heads) or "no head reaches this draft"
        return f"Learned layer: ran ({heads})."
    if model.status == "off":
        return f"Learned layer: off ({model.reason})."
    return f"Learned layer: FAILED ({model.reason}). The rules' verdict stands."


def llm_line(verdict: Verdict) -> str:
    """Whether the LLM review ran, was skipped or failed, and what that means for the verdict."""
    llm = verdict.llm
    if llm.status == "ok":
        return f"LLM tone review: ran ({llm.model})."
    if llm.status == "skipped":
        return f"LLM tone review: did not run ({llm.reason}). Only the rules were checked."
    return f"LLM tone review: FAILED ({llm.reason}). The rules' verdict stands."


def _excerpt(text: str, start: int, end: int, limit: int = 160) -> str:
    snippet = " ".join(text[start:end].split())
    return snippet if len(snippet) <= limit else snippet[: limit - 1] + "…"
