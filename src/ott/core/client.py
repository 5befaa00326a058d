"""The one HTTP client services use to call each other: retries, a circuit breaker, correlation.

Every call goes through `ServiceClient.request`:

* the caller's correlation id (from the request context) is forwarded in `x-correlation-id`;
* connect errors, timeouts and 502/503/504 answers are retried with exponential backoff and
  jitter, except that POST and PATCH are only retried when the request cannot have reached
  the server (connect errors, connect/pool timeouts);
* transport errors and 5xx answers count as failures for the service's `CircuitBreaker`;
  4xx answers are the caller's business: they count as successes and are returned;
* when the call cannot succeed, `ServiceUnavailable` is raised -- no httpx exception escapes.
"""

from __future__ import annotations

import enum
import time
from collections.abc import AsyncIterable, AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any, Self

import httpx
import structlog
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)

from ott.core.context import CORRELATION_HEADER, current_correlation_id
from ott.core.errors import ServiceUnavailable

log = structlog.get_logger(__name__)

Headers = Mapping[str, str] | Sequence[tuple[str, str]]
_Primitive = str | int | float | bool | None
# What httpx accepts as query parameters (a plain Sequence of pairs is not among them).
Params = (
    httpx.QueryParams
    | Mapping[str, _Primitive | Sequence[_Primitive]]
    | list[tuple[str, _Primitive]]
    | tuple[tuple[str, _Primitive], ...]
)
Content = bytes | str | AsyncIterable[bytes]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
RETRYABLE_STATUSES = frozenset({502, 503, 504})

# Errors raised before the request was sent: safe to retry whatever the method.
_NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Errors an idempotent request may be retried on.
_TRANSIENT_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


class CircuitState(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Stops calling a service that keeps failing, then probes it with one trial call.

    Closed: calls go through; `failure_threshold` consecutive failures open the circuit.
    Open: `before_call` raises `ServiceUnavailable` at once, until `reset_timeout` has passed.
    Half-open: one trial call is let through (others are still rejected); its success closes
    the circuit, its failure opens it again for another `reset_timeout`.
    """

    def __init__(
        self,
        name: str,
        *,
        failure_threshold: int = 5,
        reset_timeout: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        self.name = name
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self._clock = clock
        self._state = CircuitState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._trial_in_flight = False

    @property
    def state(self) -> CircuitState:
        if (
            self._state is CircuitState.OPEN
            and self._clock() - self._opened_at >= self.reset_timeout
        ):
            self._set_state(CircuitState.HALF_OPEN)
        return self._state

    @property
    def failures(self) -> int:
        """Consecutive failures seen while closed."""
        return self._failures

    def before_call(self) -> None:
        """Raise `ServiceUnavailable` (code "circuit_open") if the call must not be made."""
        state = self.state
        if state is CircuitState.CLOSED:
            return
        if state is CircuitState.HALF_OPEN and not self._trial_in_flight:
            self._trial_in_flight = True
            return
        raise ServiceUnavailable(
            f"Service '{self.name}' is unavailable (circuit open)",
            code="circuit_open",
            details={"service": self.name},
        )

    def record_success(self) -> None:
        self._failures = 0
        self._trial_in_flight = False
        if self._state is not CircuitState.CLOSED:
            self._set_state(CircuitState.CLOSED)

    def record_failure(self) -> None:
        self._trial_in_flight = False
        self._failures += 1
        if self._state is CircuitState.HALF_OPEN or (
            self._state is CircuitState.CLOSED and self._failures >= self.failure_threshold
        ):
            self._open()

    def release(self) -> None:
        """A call let through ended without a verdict (e.g. cancelled): free the trial slot."""
        self._trial_in_flight = False

    def _open(self) -> None:
        self._opened_at = self._clock()
        self._set_state(CircuitState.OPEN)

    def _set_state(self, state: CircuitState) -> None:
        if state is self._state:
            return
        log.warning(
            "circuit_state_changed",
            service=self.name,
            previous=self._state.value,
            state=state.value,
            failures=self._failures,
        )
        self._state = state


class _AttemptError(Exception):
    """One attempt failed; `retryable` says whether another attempt may be made."""

    def __init__(self, error: str, *, retryable: bool) -> None:
        super().__init__(error)
        self.error = error
        self.retryable = retryable


class ServiceClient:
    """A keep-alive HTTP client for one service, with retries and a circuit breaker."""

    def __init__(
        self,
        name: str,
        base_url: str,
        *,
        timeout: float = 5.0,
        connect_timeout: float = 1.0,
        retries: int = 2,
        backoff_initial: float = 0.05,
        backoff_max: float = 1.0,
        breaker: CircuitBreaker | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        max_connections: int = 100,
    ) -> None:
        self.name = name
        self.retries = max(0, retries)
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.breaker = breaker or CircuitBreaker(name)
        self._connect_timeout = connect_timeout
        self._http = httpx.AsyncClient(
            base_url=base_url,
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
            transport=transport,
        )

    @property
    def base_url(self) -> httpx.URL:
        return self._http.base_url

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json: Any = None,
        content: Content | None = None,
        headers: Headers | None = None,
        read_timeout: float | None = None,
    ) -> httpx.Response:
        """Call the service; returns any answer below 500, else raises `ServiceUnavailable`.
        `read_timeout` overrides the client's for a call known to be slow. `content` may be
        an async iterator of chunks, sent as it is produced (then a call is retried only if
        nothing was sent: a stream cannot be replayed)."""
        return await self._call(
            method,
            path,
            params=params,
            json=json,
            content=content,
            headers=headers,
            read_timeout=read_timeout,
            stream=False,
        )

    @asynccontextmanager
    async def stream(
        self, method: str, path: str, *, headers: Headers | None = None
    ) -> AsyncIterator[httpx.Response]:
        """`request` whose answer's body is left unread: the block reads it as it arrives
        (`response.aiter_raw()`), and the connection is released when the block ends. Retried
        and counted by the breaker like `request`, up to the answer's head."""
        response = await self._call(
            method,
            path,
            params=None,
            json=None,
            content=None,
            headers=headers,
            read_timeout=None,
            stream=True,
        )
        try:
            yield response
        finally:
            await response.aclose()

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Params | None,
        json: Any,
        content: Content | None,
        headers: Headers | None,
        read_timeout: float | None,
        stream: bool,
    ) -> httpx.Response:
        method = method.upper()
        request_headers = httpx.Headers(headers)
        correlation_id = current_correlation_id()
        if correlation_id and CORRELATION_HEADER not in request_headers:
            request_headers[CORRELATION_HEADER] = correlation_id
        streamed = content is not None and not isinstance(content, bytes | str)
        idempotent = method in IDEMPOTENT_METHODS and not streamed
        attempts = 0

        async def attempt() -> httpx.Response:
            nonlocal attempts
            attempts += 1
            self.breaker.before_call()  # raises ServiceUnavailable: never retried
            try:
                request = self._http.build_request(
                    method,
                    path,
                    params=params,
                    json=json,
                    content=content,
                    headers=request_headers,
                    timeout=(
                        httpx.USE_CLIENT_DEFAULT
                        if read_timeout is None
                        else httpx.Timeout(read_timeout, connect=self._connect_timeout)
                    ),
                )
                response = await self._http.send(request, stream=stream)
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                self.breaker.record_failure()
                retryable = isinstance(exc, _NOT_SENT_ERRORS) or (
                    idempotent and isinstance(exc, _TRANSIENT_ERRORS)
                )
                raise _AttemptError(_describe(exc), retryable=retryable) from exc
            except BaseException:  # cancelled: no verdict on the service
                self.breaker.release()
                raise
            if response.status_code >= 500:
                self.breaker.record_failure()
                await response.aclose()
                raise _AttemptError(
                    f"HTTP {response.status_code} {response.reason_phrase}",
                    retryable=idempotent and response.status_code in RETRYABLE_STATUSES,
                )
            self.breaker.record_success()
            return response

        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.retries + 1),
            wait=wait_random_exponential(multiplier=self.backoff_initial, max=self.backoff_max),
            retry=retry_if_exception(lambda exc: isinstance(exc, _AttemptError) and exc.retryable),
            before_sleep=lambda state: self._log_retry(method, path, state),
            reraise=True,
        )
        try:
            return await retrying(attempt)
        except _AttemptError as exc:
            log.warning(
                "service_call_failed",
                service=self.name,
                method=method,
                path=path,
                attempts=attempts,
                error=exc.error,
            )
            raise ServiceUnavailable(
                f"Service '{self.name}' is unavailable",
                details={"service": self.name, "error": exc.error, "attempts": attempts},
            ) from None

    async def get(
        self, path: str, *, params: Params | None = None, headers: Headers | None = None
    ) -> httpx.Response:
        return await self.request("GET", path, params=params, headers=headers)

    async def post(
        self,
        path: str,
        *,
        params: Params | None = None,
        json: Any = None,
        content: Content | None = None,
        headers: Headers | None = None,
    ) -> httpx.Response:
        return await self.request(
            "POST", path, params=params, json=json, content=content, headers=headers
        )

    async def put(
        self,
        path: str,
        *,
        params: Params | None = None,
        json: Any = None,
        content: Content | None = None,
        headers: Headers | None = None,
    ) -> httpx.Response:
        return await self.request(
            "PUT", path, params=params, json=json, content=content, headers=headers
        )

    async def delete(
        self, path: str, *, params: Params | None = None, headers: Headers | None = None
    ) -> httpx.Response:
        return await self.request("DELETE", path, params=params, headers=headers)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def _log_retry(self, method: str, path: str, state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        log.info(
            "service_call_retry",
            service=self.name,
            method=method,
            path=path,
            attempt=state.attempt_number,
            error=str(error),
            wait=round(state.next_action.sleep, 3) if state.next_action else None,
        )


def _describe(exc: Exception) -> str:
    message = str(exc)
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__
