"""The LLM that drafting may use: a small ``ChatModel`` protocol and its llama-index backends.

Drafting asks a model one question (a system prompt and a user prompt) and gets text back. The
backends are llama-index's ``OpenAILike`` (any OpenAI-compatible server: vLLM, llama.cpp server,
LM Studio, OpenAI) and ``Ollama``, chosen by ``llm_provider``. Neither downloads anything: no
tokenizer is configured (so tiktoken is never asked for an encoding), and the only address
contacted is ``llm_base_url``.

Errors of the HTTP clients are mapped at this boundary, so drafting sees one family::

    LlmError                 the model gave no usable answer (drafting falls back to extractive)
     ├── LlmTimeout          no answer within llm_timeout_seconds
     ├── LlmUnavailable      the server could not be reached
     ├── LlmRefused          the server answered with an HTTP error status
     └── LlmBadAnswer        the server answered, but with no text
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from kb.settings import Settings

if TYPE_CHECKING:
    from llama_index.core.llms import LLM


class ChatModel(Protocol):
    """A model that answers one system + user prompt with text."""

    @property
    def name(self) -> str:
        """What to record with a draft: provider and model, never the key."""

    def answer(self, system: str, user: str) -> str: ...


class LlmError(Exception):
    """The model gave no usable answer; ``reason`` is a short code safe to log."""

    reason = "error"


class LlmTimeout(LlmError):
    reason = "timeout"


class LlmUnavailable(LlmError):
    reason = "unavailable"


class LlmRefused(LlmError):
    reason = "http_error"

    def __init__(self, message: str, status: int | None) -> None:
        super().__init__(message)
        self.status = status


class LlmBadAnswer(LlmError):
    reason = "bad_answer"


class LlamaIndexChat:
    """A llama-index LLM as a ``ChatModel``: one chat call, its errors mapped to ``LlmError``."""

    def __init__(self, llm: LLM, *, name: str) -> None:
        self.llm = llm
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    def answer(self, system: str, user: str) -> str:
        from llama_index.core.llms import ChatMessage

        messages = [
            ChatMessage(role="system", content=system),
            ChatMessage(role="user", content=user),
        ]
        try:
            response = self.llm.chat(messages)
        except Exception as exc:
            raise _mapped(exc) from exc
        text = response.message.content
        if not text or not text.strip():
            raise LlmBadAnswer("The model answered with no text.")
        return text


def chat_model(settings: Settings) -> ChatModel | None:
    """The configured model, or None when drafting is extractive only (the default).

    Nothing is contacted here: the clients connect on the first question.
    """
    if settings.llm_provider == "none":
        return None
    name = f"{settings.llm_provider}:{settings.llm_model}"
    llm = _BUILDERS[settings.llm_provider](settings)
    return LlamaIndexChat(llm, name=name)


def _openai_compatible(settings: Settings) -> LLM:
    from llama_index.llms.openai_like import OpenAILike

    built: LLM = OpenAILike(
        model=settings.llm_model,
        api_base=settings.llm_base_url,
        # The client insists on a key; local servers ignore it. An explicit placeholder also
        # keeps an OPENAI_API_KEY in the environment from being sent to a server it wasn't for.
        api_key=settings.llm_api_key or "not-needed",
        is_chat_model=True,
        context_window=settings.llm_context_window,
        max_tokens=settings.llm_max_tokens,
        temperature=settings.llm_temperature,
        timeout=settings.llm_timeout_seconds,
        # No retries: an agent is waiting, and the extractive draft is ready at once.
        max_retries=0,
        tokenizer=None,  # no tiktoken: nothing to download, and max_tokens is set anyway
    )
    return built


def _ollama(settings: Settings) -> LLM:
    from llama_index.llms.ollama import Ollama

    headers = {"Authorization": f"Bearer {settings.llm_api_key}"} if settings.llm_api_key else None
    built: LLM = Ollama(
        model=settings.llm_model,
        base_url=settings.llm_base_url,
        temperature=settings.llm_temperature,
        # Set explicitly: left at -1, the client asks the server for the model's window first.
        context_window=settings.llm_context_window,
        request_timeout=settings.llm_timeout_seconds,
        additional_kwargs={"num_predict": settings.llm_max_tokens},
        is_function_calling_model=False,
        headers=headers,
    )
    return built


_BUILDERS: dict[str, Callable[[Settings], LLM]] = {"openai": _openai_compatible, "ollama": _ollama}


def _mapped(exc: Exception) -> LlmError:
    """The client's exception as ours; messages carry no prompt text (they may be logged)."""
    import httpx
    import ollama
    import openai

    if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException | TimeoutError):
        return LlmTimeout("The model did not answer in time.")
    if isinstance(exc, openai.APIStatusError):
        return LlmRefused(f"The model's server answered {exc.status_code}.", exc.status_code)
    if isinstance(exc, ollama.ResponseError):
        return LlmRefused(f"The model's server answered {exc.status_code}.", exc.status_code)
    if isinstance(exc, openai.APIConnectionError | httpx.TransportError | ConnectionError):
        return LlmUnavailable("The model's server could not be reached.")
    return LlmBadAnswer(f"The model's answer could not be read ({type(exc).__name__}).")
