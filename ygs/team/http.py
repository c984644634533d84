"""A small JSON-over-HTTPS client for Jira and Slack (stdlib `urllib`, nothing to install).

Network faults become `YgsError`s that name the service and a remedy: unreachable is exit 2
(bad input: a wrong URL, or a service that is down), a timeout exit 5 (DESIGN). HTTP error
statuses are returned to the caller, which knows what a 401 or a 429 means for its service.
Credentials only travel over HTTPS; plain HTTP is accepted for a loopback host (local fakes).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from ygs.errors import Exit, YgsError

TIMEOUT_S = 30.0
LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    text: str

    def json(self, what: str):
        try:
            return json.loads(self.text)
        except ValueError:
            raise YgsError(
                f"{what} answered HTTP {self.status} with something that is not JSON",
                remedy="check the base URL: it should be the service's API root",
            ) from None


def check_url(url: str, what: str, setting: str) -> str:
    """`url` without a trailing slash, if it is HTTPS (or HTTP to a loopback host)."""
    parts = urllib.parse.urlsplit(url.strip())
    local = parts.scheme == "http" and parts.hostname in LOOPBACK
    if not parts.hostname or not (parts.scheme == "https" or local):
        raise YgsError(
            f"{setting} {url!r} is not an https:// URL",
            remedy=f"set {setting} to the {what} address, e.g. https://example.atlassian.net",
        )
    return url.strip().rstrip("/")


def call(
    method: str,
    url: str,
    *,
    what: str,
    headers: dict[str, str] | None = None,
    body: dict | None = None,
    timeout: float = TIMEOUT_S,
) -> Response:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json; charset=utf-8")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    local = urllib.parse.urlsplit(url).hostname in LOOPBACK
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({})) if local else None
    try:
        with (opener.open if opener else urllib.request.urlopen)(request, timeout=timeout) as reply:
            return Response(reply.status, dict(reply.headers), _text(reply.read()))
    except urllib.error.HTTPError as err:
        return Response(err.code, dict(err.headers or {}), _text(err.read()))
    except TimeoutError:
        raise YgsError(
            f"{what} did not answer within {timeout:g} s",
            code=Exit.UNAVAILABLE,
            remedy="check the network and retry",
        ) from None
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        if isinstance(reason, TimeoutError):
            raise YgsError(
                f"{what} did not answer within {timeout:g} s",
                code=Exit.UNAVAILABLE,
                remedy="check the network and retry",
            ) from None
        host = urllib.parse.urlsplit(url).netloc
        raise YgsError(
            f"{what} is unreachable at {host}: {reason}",
            remedy="check the URL, the network or VPN, and that the service is up",
        ) from None


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")
