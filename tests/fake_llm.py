"""The one thing tests fake: a remote model server. Faked honestly, as a tiny real HTTP server on
127.0.0.1 speaking the OpenAI chat-completions protocol (``/v1/chat/completions``), Ollama's
(``/api/chat``) and OpenAI's embeddings (``/v1/embeddings``: a hashed bag of words, so texts that
share words are close), so Tandem's real llama-index clients, prompt files and parsing all run.

Each test scripts the replies (text, a function of the request, an HTTP error, or a stall past
the client's timeout) and reads back exactly what the server received.

Registered for the whole suite by ``pytest_plugins`` in ``tests/conftest.py``.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

Reply = str | Callable[[str], str]  # a fixed answer, or one written from the user prompt


@dataclass(frozen=True)
class Scripted:
    answer: Reply = "NO_ANSWER"
    status: int = 200
    stall_seconds: float = 0.0


class FakeLlm:
    """Scripted replies in order (the last one repeats); every request is kept."""

    def __init__(self, server: ThreadingHTTPServer, closing: threading.Event) -> None:
        self.server = server
        self.closing = closing
        self.script: deque[Scripted] = deque()
        self.requests: list[dict[str, Any]] = []

    @property
    def openai_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/v1"

    @property
    def ollama_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def answers(self, *replies: Reply) -> None:
        self.script.extend(Scripted(reply) for reply in replies)

    def fails(self, status: int) -> None:
        self.script.append(Scripted(status=status))

    def stalls(self, seconds: float) -> None:
        self.script.append(Scripted(stall_seconds=seconds))

    def reset(self) -> None:
        self.script.clear()
        self.requests.clear()

    @property
    def prompts(self) -> list[str]:
        """Everything the model was shown, one string per request (system + user)."""
        return [
            "\n".join(str(m.get("content", "")) for m in request["body"].get("messages", []))
            for request in self.requests
        ]

    def next_reply(self) -> Scripted:
        if len(self.script) > 1:
            return self.script.popleft()
        return self.script[0] if self.script else Scripted()


def _handler(fake: FakeLlm) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            fake.requests.append({"path": self.path, "body": body, "headers": dict(self.headers)})
            reply = fake.next_reply()
            if reply.stall_seconds:
                fake.closing.wait(reply.stall_seconds)
            if reply.status != 200:
                self._send(reply.status, {"error": {"message": "scripted failure"}})
                return
            if self.path.endswith("/embeddings"):
                self._send(200, _embeddings(body))
                return
            messages = body.get("messages") or [{}]
            user = str(messages[-1].get("content", ""))
            text = reply.answer(user) if callable(reply.answer) else reply.answer
            if self.path.startswith("/api/chat"):
                self._send(200, _ollama(body, text))
            else:
                self._send(200, _openai(body, text))

        def _send(self, status: int, document: dict[str, Any]) -> None:
            payload = json.dumps(document).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (a timeout test): nobody to answer

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: test output shows only what fails."""

    return Handler


def _openai(body: dict[str, Any], text: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", ""),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


EMBEDDING_DIM = 64


def embed_words(text: str) -> list[float]:
    """The fake embedding model: each word adds ±1 to a dimension chosen by its hash."""
    vector = [0.0] * EMBEDDING_DIM
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        digest = hashlib.blake2b(word.encode(), digest_size=2).digest()
        vector[digest[0] % EMBEDDING_DIM] += 1.0 if digest[1] % 2 else -1.0
    return vector


def _embeddings(body: dict[str, Any]) -> dict[str, Any]:
    texts = body.get("input") or []
    texts = [texts] if isinstance(texts, str) else texts
    return {
        "object": "list",
        "model": body.get("model", ""),
        "data": [
            {"object": "embedding", "index": i, "embedding": embed_words(str(text))}
            for i, text in enumerate(texts)
        ],
        "usage": {"prompt_tokens": 1, "total_tokens": 1},
    }


def _ollama(body: dict[str, Any], text: str) -> dict[str, Any]:
    return {
        "model": body.get("model", ""),
        "created_at": "2026-01-01T00:00:00Z",
        "message": {"role": "assistant", "content": text},
        "done": True,
        "done_reason": "stop",
    }


@contextmanager
def running_fake_llm() -> Iterator[FakeLlm]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    closing = threading.Event()
    fake = FakeLlm(server, closing)
    server.RequestHandlerClass = _handler(fake)
    server.daemon_threads = True
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        closing.set()  # wakes stalled handlers, so none outlives the test
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def fake_llm() -> Iterator[FakeLlm]:
    """A fresh fake LLM server for one test."""
    with running_fake_llm() as fake:
        yield fake
