"""What each model costs and accepts: the one price table, overridable per run."""

from __future__ import annotations

from dataclasses import dataclass

from ...errors import ConfigError


@dataclass(frozen=True)
class ModelInfo:
    """US dollars per million tokens; cache writes cost 1.25x input, cache reads 0.1x."""

    input: float
    output: float
    temperature: bool = True  # accepts temperature 0 (newer models reject sampling options)

    @property
    def cache_write(self) -> float:
        return self.input * 1.25

    @property
    def cache_read(self) -> float:
        return self.input * 0.1


# Longest prefix wins, so dated ids ("claude-sonnet-4-5-20250929") find their family.
# Models from Sonnet 4.6 / Opus 4.6 on reject a non-default temperature, so it is not sent.
PRICES: dict[str, ModelInfo] = {
    "claude-sonnet-5-5": ModelInfo(2.0, 10.0, temperature=False),
    "claude-sonnet-5": ModelInfo(2.0, 10.0, temperature=False),
    "claude-opus-5-5": ModelInfo(4.0, 20.0, temperature=False),
    "claude-opus-5": ModelInfo(5.0, 25.0, temperature=False),
    "claude-sonnet-4-6": ModelInfo(3.0, 15.0, temperature=False),
    "claude-opus-4-6": ModelInfo(5.0, 25.0, temperature=False),
    "claude-opus-4-5": ModelInfo(5.0, 25.0),
    "claude-sonnet-4-5": ModelInfo(3.0, 15.0),
    "claude-sonnet-4": ModelInfo(3.0, 15.0),
    "claude-haiku-4-5": ModelInfo(1.0, 5.0),
    "claude-opus-4-1": ModelInfo(15.0, 75.0),
    "claude-opus-4": ModelInfo(15.0, 75.0),
}


def model_info(model: str, override: str = "") -> ModelInfo:
    """The model's prices; `override` is 'INPUT,OUTPUT' from --selfheal-model-price."""
    known = max((p for p in PRICES if model.startswith(p)), key=len, default=None)
    if override:
        entered, produced = (float(v) for v in override.split(","))
        return ModelInfo(entered, produced, PRICES[known].temperature if known else False)
    if known is None:
        raise ConfigError(
            f"no price known for model {model!r}, so the dollar budget cannot be enforced: "
            "pass --selfheal-model-price INPUT,OUTPUT (US dollars per million tokens)"
        )
    return PRICES[known]
