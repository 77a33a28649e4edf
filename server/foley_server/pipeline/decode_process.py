"""Decoding in child processes, frames handed over through shared memory.

PyAV lets go of the GIL around every FFmpeg call and must take it back several times a frame; in a
process where analysis and generation run Python at the same time, each take-back waits for the
interpreter's switch interval, and decoding a long clip slowed by a third (measured with
bench/pipeline_vs_decode.py). A child process has a GIL of its own, and a ring of frame slots in
shared memory lets it run ahead without this process taking part in every frame.

Children are started once and kept (starting one imports the main module and PyAV again, ~0.2 s):
one per clip being decoded at the same time, idle ones reused.
"""

from __future__ import annotations

import multiprocessing as mp
import signal
import threading
from collections.abc import Iterator
from multiprocessing import shared_memory
from pathlib import Path

import numpy as np

from ..errors import FoleyError, MediaError
from .media import analysis_size, decode_frames

SLOTS = 32  # frames a child may run ahead: ~1 s of video, about 1 MB at 144p
# Frames announced to the parent at a time: a wake-up per frame let the parent's thread take the
# child's core 3000 times in a 2-minute clip and made decoding ~7 % slower than in one process.
BATCH = 8
_POLL_S = 0.2  # how often a blocked side looks whether the other one gave up
_STOP_WAIT_S = 5.0  # a child asked to stop that has not within this is killed
# Header of the shared block: frame height and width (set by the child before its first wake-up;
# frames never change size), and the parent's stop request.
# Protocol: the child posts one wake-up per BATCH frames written, then at the end sends
# (frames written, error) through its pipe and posts one more. Frames are read only up to what a
# wake-up or that message vouches for, so no unsynchronised counter is ever trusted (weakly ordered
# CPUs such as Apple silicon could show a counter before the frame data).
# The fields are whole aligned int64 stores through numpy: struct.pack_into clears the bytes before
# writing them, and a reader at that moment saw a frame size of 0 (found by a stress run).
_ROWS, _COLS, _STOP = range(3)
_HEADER_BYTES = 8 * 3


def _context() -> mp.context.BaseContext:
    """spawn: a clean interpreter, safe however many threads this process runs, on every OS."""
    return mp.get_context("spawn")


class _Ring:
    """The shared block: header, one time per slot, then the frame slots."""

    def __init__(self, shm: shared_memory.SharedMemory, slot_bytes: int) -> None:
        self.shm = shm
        self.header = np.ndarray((3,), dtype=np.int64, buffer=shm.buf)
        self.times = np.ndarray((SLOTS,), dtype=np.float64, buffer=shm.buf, offset=_HEADER_BYTES)
        self.data = np.ndarray((SLOTS, slot_bytes), dtype=np.uint8, buffer=shm.buf, offset=_HEADER_BYTES + 8 * SLOTS)

    @staticmethod
    def size(slot_bytes: int) -> int:
        return _HEADER_BYTES + 8 * SLOTS + SLOTS * slot_bytes

    def get(self, field: int) -> int:
        return int(self.header[field])

    def set(self, field: int, value: int) -> None:
        self.header[field] = value

    def close(self) -> None:
        del self.header, self.times, self.data  # numpy views must go before the mapping can close
        self.shm.close()


def _serve(conn, free, filled) -> None:
    """Child process: decode each requested range into its ring, then say how it ended."""
    # The parent decides what an interrupt stops, and stops or ends this child itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = mp.parent_process()
    while True:
        try:
            request = conn.recv()
        except EOFError:  # the parent is gone (killed): so is our work
            return
        if request is None:
            return
        if request == "ready?":
            conn.send("ready")
            continue
        shm_name, slot_bytes, path, start_s, duration_s, height, fps, threads = request
        # Attaching registers the block with the resource tracker this child shares with its
        # parent (a set: no second entry); the parent unlinks it.
        ring = _Ring(shared_memory.SharedMemory(name=shm_name), slot_bytes)
        written, error = 0, None
        try:
            for t, frame in decode_frames(path, start_s, duration_s, height=height, fps=fps, threads=threads):
                while not free.acquire(timeout=_POLL_S):
                    if ring.get(_STOP) or (parent is not None and not parent.is_alive()):
                        break
                else:
                    if frame.nbytes > slot_bytes:
                        raise MediaError(f"{path}: a frame of {frame.shape[1]}x{frame.shape[0]} is larger than the "
                                         "analysis size probed from the file (the stream changes resolution)")
                    slot = written % SLOTS
                    ring.times[slot] = t
                    ring.data[slot, : frame.nbytes] = frame.reshape(-1)
                    if written == 0:  # every frame has the first one's size (decode_frames scales to it)
                        ring.set(_ROWS, frame.shape[0])
                        ring.set(_COLS, frame.shape[1])
                    written += 1
                    if written % BATCH == 0:
                        filled.release()
                    if not ring.get(_STOP):
                        continue
                break  # asked to stop
        except Exception as exc:  # reaches the parent as a message; the child serves on
            error = (type(exc).__name__, str(exc))
        finally:
            ring.close()
        try:
            conn.send((written, error))
        except OSError:  # the parent is gone
            return
        filled.release()


class _Child:
    """One decoder process with its two semaphores: free slots, and a wake-up for new frames or the end."""

    def __init__(self) -> None:
        ctx = _context()
        self.free, self.filled = ctx.Semaphore(SLOTS), ctx.Semaphore(0)
        self.conn, child_conn = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child_conn, self.free, self.filled),
                                   name="foley-decode", daemon=True)
        # Born with SIGINT blocked (the mask survives fork and exec): a terminal's Ctrl-C reaches the
        # whole process group, and a child still importing would print a traceback of its own.
        masking = hasattr(signal, "pthread_sigmask")
        before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}) if masking else None
        try:
            self.process.start()
        finally:
            if masking:
                signal.pthread_sigmask(signal.SIG_SETMASK, before)
        child_conn.close()

    def alive(self) -> bool:
        return self.process.is_alive()

    def kill(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()


class _Pool:
    """Idle children, reused; a child that misbehaved is killed, never returned."""

    def __init__(self) -> None:
        self._idle: list[_Child] = []
        self._lock = threading.Lock()

    def take(self) -> _Child:
        return self.take_idle_or_none() or _Child()

    def take_idle_or_none(self) -> _Child | None:
        with self._lock:
            while self._idle:
                child = self._idle.pop()
                if child.alive():
                    return child
        return None

    def give_back(self, child: _Child) -> None:
        with self._lock:
            self._idle.append(child)

    def close_idle(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for child in idle:
            try:
                child.conn.send(None)
            except OSError:
                pass
            child.process.join(timeout=_STOP_WAIT_S)
            if child.process.is_alive():
                child.kill()


_pool = _Pool()


def warm_up(wait: bool = False) -> None:
    """Have a decoder child starting before the first clip needs it (a server at start, a CLI run early on).

    Starting one takes 0.1-1 s (a fresh interpreter imports the main module and PyAV); with
    `wait`, return only once it is ready (benchmarks keep that out of their timings).
    """
    child = _pool.take_idle_or_none() or _Child()
    if wait:
        child.conn.send("ready?")
        child.conn.recv()
    _pool.give_back(child)


def shutdown() -> None:
    """End the idle decoder children (a server stopping; a benchmark that wants their peak memory)."""
    _pool.close_idle()


def decode_frames_elsewhere(
    path: str | Path, start_s: float, duration_s: float, *, height: int, frame_size: tuple[int, int],
    fps: float = 0, threads: bool | None = None,
) -> Iterator[tuple[float, np.ndarray]]:
    """`decode_frames` run in a child process: the same frames, times and errors.

    `frame_size` is the (width, height) of the source picture (from `probe_video`); it sizes the
    shared slots. Closing the iterator early stops the child's decoding.
    """
    width, rows = analysis_size(frame_size[0], frame_size[1], height)
    slot_bytes = width * rows
    shm = shared_memory.SharedMemory(create=True, size=_Ring.size(slot_bytes))
    ring = _Ring(shm, slot_bytes)
    ring.header[:] = 0
    child = _pool.take()
    child.conn.send((shm.name, slot_bytes, str(path), start_s, duration_s, height, fps, threads))
    reader = _Reader(child, ring, path)
    ended = healthy = False
    try:
        while True:
            end = reader.wait()
            yield from reader.frames_until(end[0] if end else reader.announced)
            if end is None:
                continue
            ended = True
            reader.settle(end[0])
            healthy = True
            error = end[1]
            if error is not None:
                kind, message = error
                if kind == "MediaError":
                    raise MediaError(message)
                raise FoleyError(f"decoding {path} failed ({kind}: {message}); re-export or re-copy the media")
            return
    finally:
        if not ended:
            healthy = reader.stop()
        ring.close()
        shm.unlink()
        if healthy:
            _pool.give_back(child)
        else:
            child.kill()


class _Reader:
    """The parent's side of one range: wake-ups taken, frames read, and putting the child back as it was."""

    def __init__(self, child: _Child, ring: _Ring, path: str | Path) -> None:
        self.child, self.ring, self.path = child, ring, path
        self.read = self.wakeups = self.announced = 0

    def wait(self) -> tuple[int, tuple | None] | None:
        """Block for the next wake-up; (frames written, error) once the child has ended, else None."""
        while not self.child.filled.acquire(timeout=_POLL_S):
            if not self.child.alive():
                raise FoleyError(f"the decoder process for {self.path} ended unexpectedly (exit code "
                                 f"{self.child.process.exitcode}); if this repeats, check free memory and report it")
        self.wakeups += 1
        if self.child.conn.poll():
            return self.child.conn.recv()
        self.announced += BATCH
        return None

    def frames_until(self, count: int) -> Iterator[tuple[float, np.ndarray]]:
        rows, cols = self.ring.get(_ROWS), self.ring.get(_COLS)
        while self.read < count:
            slot = self.read % SLOTS
            frame = self.ring.data[slot, : rows * cols].reshape(rows, cols).copy()
            t = float(self.ring.times[slot])
            self.child.free.release()
            self.read += 1
            yield t, frame

    def settle(self, written: int) -> None:
        """After the end: give back unread slots and take the wake-ups still due, so the next range starts clean."""
        for _ in range(written - self.read):
            self.child.free.release()
        for _ in range(written // BATCH + 1 - self.wakeups):
            self.child.filled.acquire()

    def stop(self) -> bool:
        """Stop a child mid-range; False if it did not stop (it is then killed, not reused)."""
        self.ring.set(_STOP, 1)
        try:
            if not self.child.alive() or not self.child.conn.poll(_STOP_WAIT_S):
                return False
            message = self.child.conn.recv()
        except (EOFError, OSError):  # it died meanwhile
            return False
        self.settle(message[0])
        return True
