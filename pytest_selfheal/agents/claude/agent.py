"""The repair loop: call the model, run the tools it asks for, validate its edits, stop on any limit."""

from __future__ import annotations

import os
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...config import API_KEY_ENV
from ...errors import AgentError
from ...output.rundir import TRANSCRIPT
from ...redaction import Redactor
from ..base import Agent, Workbench
from . import prompts
from .budget import Budget, SpendLimits
from .context import first_message
from .pricing import ModelInfo, model_info
from .scope import SCOPE_TEXT
from .tools import TOOLS, Toolbox
from .transcript import Transcript

if TYPE_CHECKING:
    import anthropic

    from ...config import Settings

MAX_OUTPUT_TOKENS = 4_096
MAX_REJECTIONS = 3  # consecutive rejected tool calls (or turns without one) end the loop
LOOP_LIMIT = 3  # the same call (or the same edit) this many times ends the loop
MAX_RETRIES = 2  # the SDK retries 429, 5xx, connection errors and timeouts this often
MAX_REQUEST_SECONDS = 120.0
NUDGE = ("Use the tools: read or search the code, propose_edit a fix, or call finish with your "
         "rationale.")


@dataclass
class Stop(Exception):
    """Why the loop ends: a category for reports and a sentence for people."""

    kind: str  # healed | finished | budget | loop | rejected | api-error | time
    message: str


@dataclass
class ClaudeAgent:
    model: str
    limits: SpendLimits
    prices: ModelInfo
    api_key: str
    name: str = "claude"
    report: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings) -> ClaudeAgent:
        api_key = os.environ.get(API_KEY_ENV, "")
        if not api_key:
            raise AgentError(f"the claude agent needs {API_KEY_ENV}: export it, or use "
                             "--selfheal-agent=builtin")
        return cls(
            model=settings.model,
            limits=SpendLimits(settings.max_calls, settings.max_tokens, settings.max_dollars,
                          settings.max_seconds),
            prices=model_info(settings.model, settings.model_price),
            api_key=api_key,
        )

    def agent_report(self) -> dict[str, Any]:
        return self.report

    def repair(self, bench: Workbench) -> str:
        import anthropic

        client = anthropic.Anthropic(api_key=self.api_key, max_retries=MAX_RETRIES)
        session = _Session(self, bench, client)
        try:
            stop = session.run()
        finally:
            client.close()
        self.report = session.agent_report(stop)
        return stop.message


class _Session:
    def __init__(self, agent: ClaudeAgent, bench: Workbench, client: anthropic.Anthropic) -> None:
        self.agent = agent
        self.bench = bench
        self.client = client
        self.budget = Budget(agent.limits, agent.prices)
        self.redactor = Redactor.from_environment(extra=(agent.api_key,))
        self.toolbox = Toolbox(bench, agent.name)
        self.system = prompts.render("system", scope=SCOPE_TEXT)
        self.rejections = 0
        self.repeats: Counter[str] = Counter()
        self.rationale = ""
        self.warnings: set[str] = set()
        self.transcript = Transcript(
            bench.run_dir / TRANSCRIPT if bench.run_dir else None,
            self.redactor.hide_tree({"model": agent.model, "system": self.system, "tools": TOOLS}),
        )

    def run(self) -> Stop:
        self.transcript.messages.append(self._user(first_message(self.bench)))
        self.transcript.save()
        try:
            while True:
                self._check_before_call()
                reply = self._call()
                self._act_on(reply)
        except Stop as stop:
            self.transcript.end = {"stop": stop.kind, "message": stop.message}
            self.transcript.save()
            return stop

    def agent_report(self, stop: Stop) -> dict[str, Any]:
        return {
            "model": self.agent.model,
            "stop": stop.kind,
            "stop_message": stop.message,
            "rationale": self.rationale,
            "spent": self.budget.describe(),
            "spend": self.budget.as_dict(),
            "transcript": TRANSCRIPT if self.transcript.path else None,
            "warnings": sorted(self.warnings),
        }

    def _check_before_call(self) -> None:
        reason = self.bench.stop_reason()
        if self.bench.healed or reason == "healed":  # a model never searches for alternatives
            raise Stop("healed", "healed")
        if reason:
            raise Stop("time" if "time" in reason else "budget", reason)
        exhausted = self.budget.exhausted()
        if exhausted:
            raise Stop("budget", exhausted)

    def _request(self) -> dict[str, Any]:
        tools = [dict(tool) for tool in TOOLS]
        tools[-1]["cache_control"] = {"type": "ephemeral"}  # caches the tool definitions
        request: dict[str, Any] = {
            "model": self.agent.model,
            "max_tokens": min(MAX_OUTPUT_TOKENS, self.budget.remaining_tokens()),
            "system": [{"type": "text", "text": self.system, "cache_control": {"type": "ephemeral"}}],
            "tools": tools,
            "messages": self.transcript.messages,
        }
        redacted: dict[str, Any] = self.redactor.hide_tree(request)
        return redacted

    def _call(self) -> Any:
        import anthropic

        request = self._request()
        extra = {"temperature": 0} if self.agent.prices.temperature else {}
        self.budget.charge_call()
        started = time.monotonic()
        record: dict[str, Any] = {"call": self.budget.calls}
        self.transcript.calls.append(record)
        try:
            with warnings.catch_warnings(record=True) as caught:  # e.g. a deprecated model id
                warnings.simplefilter("always")
                reply = self.client.messages.create(
                    **request, extra_body=extra,
                    timeout=max(1.0, min(MAX_REQUEST_SECONDS, self.budget.remaining_seconds())),
                )
            self.warnings.update(str(w.message).splitlines()[0] for w in caught)
        except anthropic.APIError as exc:
            usage = exc.body.get("usage") if isinstance(exc.body, dict) else None
            if isinstance(usage, dict):
                self.budget.charge_usage(usage)
            record.update(error=self.redactor.hide(str(exc)), seconds=round(time.monotonic() - started, 2))
            self.transcript.save()
            raise Stop("api-error", _api_error_message(exc, self.client)) from None
        self.budget.charge_usage(reply.usage)
        record.update(
            id=reply.id, stop_reason=reply.stop_reason, seconds=round(time.monotonic() - started, 2),
            usage=reply.usage.model_dump(exclude_none=True),
        )
        return reply

    def _act_on(self, reply: Any) -> None:
        content: list[dict[str, Any]] = self.redactor.hide_tree([_block(b) for b in reply.content])
        self.transcript.messages.append({"role": "assistant", "content": content or [
            {"type": "text", "text": "(no content)"}]})
        uses = [b for b in content if b["type"] == "tool_use"]
        if not uses:
            self._reject("a turn without a tool call")
            self.transcript.messages.append(self._user(NUDGE))
            self.transcript.save()
            return
        results: list[dict[str, Any]] = []
        try:
            for use in uses:
                outcome = self.toolbox.execute(use["name"], use["input"])
                results.append({"type": "tool_result", "tool_use_id": use["id"],
                                "content": self.redactor.hide(outcome.text),
                                "is_error": outcome.rejected})
                self.repeats[outcome.key] += 1
                if outcome.rationale is not None:
                    self.rationale = self.redactor.hide(outcome.rationale)
                if self.bench.healed:
                    raise Stop("healed", "healed")
                if outcome.rationale is not None:
                    raise Stop("finished", f"the model finished: {self.rationale[:300]}")
                if self.repeats[outcome.key] >= LOOP_LIMIT:
                    raise Stop("loop", f"loop detected: the model repeated the same {use['name']} "
                                       f"call {LOOP_LIMIT} times")
                if outcome.rejected:
                    self._reject(f"{use['name']}: {outcome.text[:200]}")
                else:
                    self.rejections = 0
        finally:
            self.transcript.messages.append({"role": "user", "content": results})
            self.transcript.save()

    def _reject(self, what: str) -> None:
        self.rejections += 1
        if self.rejections >= MAX_REJECTIONS:
            raise Stop("rejected", f"{MAX_REJECTIONS} consecutive tool calls were rejected "
                                   f"(last: {what})")

    def _user(self, text: str) -> dict[str, Any]:
        return {"role": "user", "content": [{"type": "text", "text": self.redactor.hide(text)}]}


def _block(block: Any) -> dict[str, Any]:
    """A reply's content block as it must be sent back (thinking blocks keep their signature)."""
    if block.type == "text":
        return {"type": "text", "text": block.text}
    if block.type == "tool_use":
        return {"type": "tool_use", "id": block.id, "name": block.name, "input": block.input}
    if block.type == "thinking":
        return {"type": "thinking", "thinking": block.thinking, "signature": block.signature}
    if block.type == "redacted_thinking":
        return {"type": "redacted_thinking", "data": block.data}
    dumped: dict[str, Any] = block.model_dump(exclude_none=True)
    return dumped


def _api_error_message(exc: Exception, client: anthropic.Anthropic) -> str:
    import anthropic

    if isinstance(exc, anthropic.APIStatusError):
        what = f"HTTP {exc.status_code} ({_short(exc.message)})"
    elif isinstance(exc, anthropic.APITimeoutError):
        what = "the request timed out"
    else:
        what = f"cannot connect to {client.base_url} ({_short(str(exc))})"
    return (f"Anthropic API error: {what}, after {MAX_RETRIES} retries; the sandbox was discarded "
            "and your checkout is unchanged. Retry later, raise --selfheal-max-seconds, or use "
            "--selfheal-agent=builtin")


def _short(text: str) -> str:
    return text.strip().splitlines()[0][:200] if text.strip() else "no detail"


def create(settings: Settings, argument: str) -> Agent:
    return ClaudeAgent.from_settings(settings)
