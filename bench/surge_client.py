"""The surge's client (bench/surge.py): a bounded asyncio HTTP/1.1 client for the seal
requests, and an SMTP sink that takes the receipt mails. Standard library only, loopback only.
"""

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Job:
    """One seal: a provider's API token, the tender and the draft it seals."""

    token: str
    slug: str
    kvk: str
    draft_pk: int


async def http(port: int, method: str, path: str, token: str, timeout: float):
    """One request on a fresh connection (``Connection: close``), as behind the TLS proxy
    (``X-Forwarded-Proto: https``); the status and the JSON body (None if not JSON)."""

    async def exchange():
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            writer.write(
                (
                    f"{method} {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
                    f"Authorization: Token {token}\r\nX-Forwarded-Proto: https\r\n"
                    "Accept: application/json\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                ).encode()
            )
            await writer.drain()
            return await reader.read()
        finally:
            writer.close()

    raw = await asyncio.wait_for(exchange(), timeout)
    head, _, body = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    try:
        return status, json.loads(body)
    except ValueError:
        return status, None


@dataclass
class Outcome:
    job: Job
    status: int | None = None
    latency: float | None = None
    lateness: float = 0.0  # seconds the start waited past its slot for a free client
    finished: float = 0.0
    error: str = ""
    content_hash: str = ""


async def smtp_sink(reader, writer, received: list) -> None:
    """Just enough SMTP to take Django's mails: counts messages, stores nothing."""

    def reply(text: str) -> None:
        writer.write(f"{text}\r\n".encode())

    reply("220 surge sink")
    try:
        while line := await reader.readline():
            verb = line[:4].upper()
            if verb == b"DATA":
                reply("354 end with .")
                while (await reader.readline()) not in (b".\r\n", b""):
                    pass
                received.append(time.monotonic())
                reply("250 queued")
            elif verb == b"QUIT":
                reply("221 bye")
                break
            else:  # EHLO, HELO, MAIL, RCPT, RSET, NOOP
                reply("250 ok")
            await writer.drain()
        await writer.drain()
    finally:
        writer.close()


def seal_path(slug: str) -> str:
    return f"/api/v1/portal/tenders/{slug}/submission/seal/"


async def seal(job: Job, *, port: int, timeout: float, outcome: Outcome | None = None) -> Outcome:
    """POST the seal of ``job``: the status, latency and receipt hash, or the error."""
    outcome = outcome or Outcome(job)
    start = time.monotonic()
    try:
        outcome.status, body = await http(port, "POST", seal_path(job.slug), job.token, timeout)
        if outcome.status // 100 != 2:
            outcome.error = f"{outcome.status} {json.dumps(body, ensure_ascii=False)}"
        elif not isinstance(body, dict) or body.get("state") != "sealed":
            outcome.error = f"{outcome.status} without a sealed receipt"
        else:
            outcome.content_hash = body.get("content_hash", "")
    except (OSError, TimeoutError, ValueError, IndexError) as error:
        outcome.error = f"{type(error).__name__}: {error}"
    outcome.finished = time.monotonic()
    outcome.latency = outcome.finished - start
    return outcome


async def server_ready(*, port: int, process, job: Job) -> None:
    """Wait until the server answers ``job``'s provider (a read), at most 60 s."""
    path = f"/api/v1/portal/tenders/{job.slug}/submission/"
    for _ in range(600):
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited while starting (see its log)")
        try:
            status, _ = await http(port, "GET", path, job.token, 5)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        if status != 200:
            raise RuntimeError(f"the server answers {status} to {path}")
        return
    raise RuntimeError("gunicorn did not answer within 60 s")


@dataclass(frozen=True)
class Load:
    concurrency: int  # requests in flight at most
    window: float  # seconds over which the starts are spread
    burst: bool  # start everything at once instead
    timeout: float  # per request


async def surge(jobs: list[Job], *, port: int, load: Load, t0: float) -> list[Outcome]:
    """Fire the seals: job ``i`` starts at ``t0 + i * window / n`` (every job at ``t0`` in a
    burst), as soon as one of ``concurrency`` client slots is free."""
    slots = asyncio.Semaphore(load.concurrency)
    step = 0.0 if load.burst else load.window / len(jobs)

    async def fire(index: int, job: Job) -> Outcome:
        slot = t0 + index * step
        await asyncio.sleep(max(0.0, slot - time.monotonic()))
        async with slots:
            outcome = Outcome(job, lateness=time.monotonic() - slot)
            return await seal(job, port=port, timeout=load.timeout, outcome=outcome)

    return list(await asyncio.gather(*(fire(i, job) for i, job in enumerate(jobs))))


async def session(
    *,
    port: int,
    process,
    sink,
    mails: list,
    warmup: list[Job],
    jobs: list[Job],
    load: Load,
    before_surge: Callable[[], object],
) -> tuple[list[Outcome], float]:
    """With the SMTP sink listening on ``sink``: wait for the server, seal the ``warmup``
    drafts (every worker's first seal pays for imports and templates; not measured), run
    ``before_surge`` (in a thread: it uses the database), then the surge. The outcomes and
    the surge's start (``time.monotonic``)."""
    server = await asyncio.start_server(lambda r, w: smtp_sink(r, w, mails), sock=sink)
    try:
        await server_ready(port=port, process=process, job=warmup[0])
        for round_ in range(2):
            warm = await asyncio.gather(
                *(seal(job, port=port, timeout=60) for job in warmup[round_::2])
            )
            failed = [o.error for o in warm if o.error]
            if failed:
                raise RuntimeError(f"warm-up seal failed: {failed[0][:300]}")
        await asyncio.sleep(0.5)  # the warm-up's receipt mails
        mails.clear()
        await asyncio.to_thread(before_surge)
        t0 = time.monotonic()
        outcomes = await surge(jobs, port=port, load=load, t0=t0)
        await asyncio.sleep(1.0)  # the last receipt mails leave after the last response
        return outcomes, t0
    finally:
        server.close()
