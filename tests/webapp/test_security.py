"""Credential checks under concurrency: recording a use never fails the request."""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import Flask

from kb.users import Role
from tests.conftest import https_client

REQUESTS = 8


def test_first_uses_of_many_tokens_at_once_all_get_through(
    app: Flask, api_token: Callable[[Role], str]
) -> None:
    # Each first use writes the token's last-used time while other requests are writing theirs.
    tokens = [api_token(Role.AGENT) for _ in range(REQUESTS)]
    start = threading.Barrier(REQUESTS)
    statuses: list[int] = []

    def ask(token: str) -> None:
        client = https_client(app)
        start.wait()
        response = client.get(
            "/api/v1/drafts/drf_missing", headers={"Authorization": f"Bearer {token}"}
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=ask, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # 404: authenticated, then the (missing) draft was looked up; never 500 or 401.
    assert statuses == [404] * REQUESTS
