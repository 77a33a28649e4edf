"""Progress events over WebSockets: one job's, or every job's; the current state first, then as they happen."""

from __future__ import annotations

import asyncio
import time

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from ...jobs.store import JobStore
from ..dependencies import HubDep, StoreDep
from ..event_hub import EventHub, Subscriber
from ..refusals import shown

router = APIRouter(prefix="/v1", tags=["events"])


@router.websocket("/jobs/{job_id}/events")
async def job_events(websocket: WebSocket, job_id: str, store: StoreDep, hub: HubDep) -> None:
    if store.get(job_id) is None:
        await websocket.accept()  # then close with a reason the client can read (a refused handshake has none)
        await websocket.close(code=4404, reason=f"no job {shown(job_id, 100)}")
        return
    await _stream(websocket, job_id, store, hub)


@router.websocket("/events")
async def all_events(websocket: WebSocket, store: StoreDep, hub: HubDep) -> None:
    await _stream(websocket, None, store, hub)


async def _stream(websocket: WebSocket, job_id: str | None, store: JobStore, hub: EventHub) -> None:
    """Current state first (late subscribers catch up), then events as they happen."""
    await websocket.accept()
    subscriber = hub.subscribe(job_id)
    try:
        jobs_now = [store.get(job_id)] if job_id else store.unfinished()
        for job in jobs_now:
            if job is not None:
                await websocket.send_json({"type": "state", "job_id": job.id, "state": job.state,
                                           "clips": store.clips(job.id), "message": job.error or "", "t": time.time()})
        # A watcher notices the client going away even while no event is due, so a closed
        # connection never lingers (or holds up shutdown); the sending loop itself stays one
        # await per event, cheap enough for hundreds of subscribers.
        watcher = asyncio.ensure_future(_until_disconnect(websocket, subscriber))
        try:
            while (text := await subscriber.next()) is not None:
                await websocket.send_text(text)
        finally:
            watcher.cancel()
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        hub.unsubscribe(subscriber)


async def _until_disconnect(websocket: WebSocket, subscriber: Subscriber) -> None:
    """Read (and ignore) what the client sends until it leaves, then end its subscription."""
    try:
        while (await websocket.receive())["type"] != "websocket.disconnect":
            pass
    except (WebSocketDisconnect, RuntimeError):
        pass
    subscriber.close()
