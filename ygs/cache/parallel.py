"""Per-file work over forked workers, for large cold runs.

    results = fan_out(items, work)              # == work(items), computed in slices
    results = deal(items, work)                 # work(chunks) in each process, chunks
                                                # taken by whichever process is free
    results, closing = stream(items, work)      # the same in workers only, each chunk's
                                                # result sent back as soon as it is done

`work` takes a list of items and returns a list (or any picklable value; see `merge`).
With fewer than MIN_ITEMS items, one idle core (`workers`), no `os.fork`, or threads
running, it is simply `work(items)`. Otherwise the items are cut into one contiguous
slice per worker; the parent works on the first while forked children work on the others
(they share the parent's memory copy-on-write, so the catalogue is not sent to them) and
send back their pickled results through a pipe. A child that fails is not trusted: its
slice is worked on again in the parent, which then raises what `work` raises. Results
come back in item order. `YGS_WORKERS=N` sets the number of processes (1 turns workers off).
`deal` and `stream` hand out chunks through a pipe of chunk numbers instead, so a process
that the machine holds up (other work on it) takes fewer of them.
"""

from __future__ import annotations

import os
import pickle
import struct
import sys
from collections.abc import Callable, Generator, Iterator
from typing import Any

MIN_ITEMS = 2000
# Each worker holds its own slice's parse on top of the shared catalogue: past 4 the wall
# time gained is small next to the memory spent (10,000 PRDs: ~30 MB a worker).
MAX_WORKERS = 4
PF_KTHREAD = 0x00200000  # a task flag (linux/sched.h): a kernel thread


def workers(env: dict[str, str] | None = None) -> int:
    """YGS_WORKERS, else the cores that are idle now: the usable ones less the processes
    already running (on a machine busy with other work, more processes only add memory)."""
    env = os.environ if env is None else env
    wanted = env.get("YGS_WORKERS", "")
    if wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return idle_workers(cores, _busy())


def idle_workers(cores: int, busy: float) -> int:
    """One worker per core left idle by `busy` other processes: at least 1, at most 4."""
    return max(1, min(cores, MAX_WORKERS, int(cores - busy + 0.5)))


def _busy(proc: str = "/proc") -> float:
    """How many other tasks want a core now. On Linux: when the runnable count of
    /proc/loadavg shows others at all, the user-space tasks in state R other than this one
    (kernel threads, such as a memory monitor waking for a moment, are no competitors; the
    load average lags and counts runs that just ended). Elsewhere the one-minute load
    average."""
    try:
        with open(f"{proc}/loadavg", encoding="ascii") as handle:
            others = int(handle.read().split()[3].split("/")[0]) - 1
    except (OSError, ValueError, IndexError):
        try:
            return os.getloadavg()[0]
        except (AttributeError, OSError):
            return 0.0
    if others <= 0:
        return 0
    try:
        return min(others, _running_user_tasks(proc, os.getpid()))
    except OSError:
        return others


def _running_user_tasks(proc: str, me: int) -> int:
    """Threads of user processes in state R, this process's own and its children's left out
    (the check's own `git status`, begun before the walk, is part of this run's work)."""
    count = 0
    for pid in os.listdir(proc):
        if not pid.isdigit() or int(pid) == me:
            continue
        try:
            tasks = os.listdir(f"{proc}/{pid}/task")
        except OSError:  # gone meanwhile
            continue
        for task in tasks:
            state, parent, flags = _task_state(f"{proc}/{pid}/task/{task}/stat")
            count += state == "R" and parent != me and not flags & PF_KTHREAD
    return count


def _task_state(path: str) -> tuple[str, int, int]:
    """(state, parent pid, flags) of a task's stat line ("", 0, 0 when it is gone or
    unreadable). The name, in parentheses, may hold spaces and parentheses: the fields
    follow the last ')'."""
    try:
        with open(path, "rb") as handle:
            line = handle.read()
        fields = line[line.rindex(b")") + 2 :].split()
        return fields[0].decode("ascii", "replace"), int(fields[1]), int(fields[6])
    except (OSError, ValueError, IndexError):
        return "", 0, 0


def _forking(count: int, total: int, floor: int | None = None) -> bool:
    """Whether `total` items go to `count` processes: two or more, enough items (at least
    `floor`, default MIN_ITEMS), `os.fork` and no thread running (a fork copies only the
    calling one)."""
    import threading

    least = MIN_ITEMS if floor is None else floor
    return (
        count >= 2
        and total >= max(least, 2)
        and hasattr(os, "fork")
        and threading.active_count() == 1
    )


def fan_out(
    items: list,
    work: Callable[[list], Any],
    *,
    min_items: int | None = None,
    merge: Callable[[list[Any]], Any] | None = None,
    then: Callable[[Any], Any] | None = None,
) -> Any:
    """`work(items)`, computed in slices over forked workers when there are many items.
    `merge` joins the slices' results (default: concatenate lists). `then(result)` is
    applied to each slice's result in this process, to its own slice's at once, while the
    workers still work (its return value is ignored)."""
    count = workers()
    then = then or _nothing
    if not _forking(count, len(items), min_items):
        result = work(items)
        then(result)
        return result if merge is None else merge([result])
    count = min(count, len(items))
    size = -(-len(items) // count)
    slices = [items[i : i + size] for i in range(0, len(items), size)]
    sys.stdout.flush()
    sys.stderr.flush()
    children = [_spawn(work, part) for part in slices[1:]]
    results = [work(slices[0])]
    then(results[0])
    for (pid, read_fd), part in zip(children, slices[1:], strict=True):
        results.append(_collect(pid, read_fd, work, part))
        then(results[-1])
    if merge is not None:
        return merge(results)
    return [x for result in results for x in result]


def deal(
    items: list,
    work: Callable[[Iterator[list]], Any],
    *,
    most: int = 256,
    then: Callable[[Any], Any] | None = None,
) -> list:
    """`work` in each process over the chunks of `items` it takes (at most `most` items
    each), whoever is free taking the next: a machine busy with other work slows one
    process more than another. One result per process, the parent's first; each chunk is
    in exactly one of them, and a process's chunks come in item order, but which ones is
    not known beforehand. `then` as for `fan_out`. A child that fails is not trusted: the
    chunks it may have taken are worked on again in the parent. With fewer than
    MIN_ITEMS items, one idle core or no `os.fork`: `[work(chunks)]`."""
    count = min(workers(), len(items))
    then = then or _nothing
    if not _forking(count, len(items)):
        result = work(items[i : i + most] for i in range(0, len(items), most))
        then(result)
        return [result]
    chunks = _chunked(items, most, count)
    sys.stdout.flush()
    sys.stderr.flush()
    queue = _queue(len(chunks))
    children = [_spawn(lambda _: _taking(queue, chunks, work), None) for _ in range(count - 1)]
    taken, result = _taking(queue, chunks, work)
    os.close(queue)
    then(result)
    results = [result]
    for pid, read_fd in children:
        done = _collect(pid, read_fd, lambda _: None, None)
        if done is None:  # failed: its chunks are among those no one reports
            continue
        taken.extend(done[0])
        results.append(done[1])
        then(done[1])
    missing = sorted(set(range(len(chunks))).difference(taken))
    if missing:
        results.append(work(chunks[n] for n in missing))
        then(results[-1])
    return results


_NUMBER = struct.Struct("<I")  # a chunk's number in the queue
_QUEUE_MAX = 4096  # chunk numbers a pipe holds at least (a write past 16 KB may block)


def _taking(queue: int, chunks: list[list], work: Callable[[Iterator[list]], Any]):
    """(the numbers of the chunks taken, `work` over them, `_taken` from the queue)."""
    taken: list[int] = []
    return taken, work(_taken(queue, chunks, taken))


def stream(
    items: list,
    work: Callable[[Iterator[list]], Generator[Any, None, Any]],
    *,
    most: int = 256,
    then: Callable[[Any], Any] | None = None,
) -> tuple[list, list]:
    """`work` over the chunks of `items` (at most `most` items each) in worker processes,
    each taking the next chunk when it is free, while this process takes in what they
    send as it comes: a machine busy with other work slows one more than another, and what
    this process does with each result (`then(result)`) is done by the time the last
    chunk is. `work(chunks)` yields one result for each chunk it takes, once done with it
    (its chunks come in item order), and returns a closing result. Returns (the chunks'
    results, in chunk order; the closing results). A chunk no worker finished is worked on
    again here (raising what `work` raises). With fewer than MIN_ITEMS items, one idle core
    or no `os.fork`: all in this process."""
    count = min(workers(), len(items))
    then = then or _nothing
    chunks = _chunked(items, most, count)
    results: list = [_NONE] * len(chunks)
    closing: list = []

    def take(numbered: Iterator[tuple[int, Any]]) -> None:
        for number, value in numbered:
            if number < 0:
                closing.append(value)
            else:
                results[number] = value
                then(value)

    if _forking(count, len(items)):
        sys.stdout.flush()
        sys.stderr.flush()
        queue = _queue(len(chunks))
        children = [_spawn_streaming(queue, chunks, work) for _ in range(count)]
        os.close(queue)
        take(_frames(children))
    missing = [n for n, value in enumerate(results) if value is _NONE]
    if missing or not closing:
        taken: list[int] = []
        take(_driven(work(_listed(chunks, missing, taken)), taken))
    return results, closing


_NONE = object()  # no result yet
_FRAME = struct.Struct("<iQ")  # a frame's chunk number (-1: the closing result), its size


def _chunked(items: list, most: int, count: int) -> list[list]:
    """Chunks of at most `most` items, a few for each of `count` processes (one held up
    hands the rest to the others), each at most a share of what is left after it, so the
    last ones are small and the processes end close together."""
    chunks, start, total = [], 0, len(items)
    least = min(most, 16)
    while start < total:
        size = max(least, min(most, -(-(total - start) // (count * 2))))
        chunks.append(items[start : start + size])
        start += size
    if len(chunks) > _QUEUE_MAX:  # the queue must fit its pipe: equal chunks
        size = -(-total // _QUEUE_MAX)
        chunks = [items[i : i + size] for i in range(0, total, size)]
    return chunks


def _queue(count: int) -> int:
    """The read end of a pipe holding the chunk numbers 0..count-1, its write end closed."""
    queue, feed = os.pipe()
    os.write(feed, b"".join(_NUMBER.pack(n) for n in range(count)))
    os.close(feed)  # all are queued: a read past the last one ends at once
    return queue


def _listed(chunks: list[list], numbers: list[int], taken: list[int]) -> Iterator[list]:
    for number in numbers:
        taken.append(number)
        yield chunks[number]


def _driven(gen: Generator, taken: list[int]) -> Iterator[tuple[int, Any]]:
    """(chunk number, result) for each result `gen` yields, then (-1, what it returns):
    the chunk a result is for is the last one `gen` took."""
    while True:
        try:
            value = next(gen)
        except StopIteration as stop:
            yield -1, stop.value
            return
        yield taken[-1], value


def _spawn_streaming(queue: int, chunks: list[list], work) -> tuple[int, int]:
    """A child that works on the chunks it takes from `queue`, and sends each result
    (then the closing one) as a frame through a pipe, as soon as it has it."""
    read_fd, write_fd = os.pipe()
    _roomy(write_fd)
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            os.close(read_fd)
            taken: list[int] = []
            with os.fdopen(write_fd, "wb") as out:
                for number, value in _driven(work(_taken(queue, chunks, taken)), taken):
                    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
                    out.write(_FRAME.pack(number, len(data)))
                    out.write(data)
                    out.flush()
            status = 0
        finally:
            os._exit(status)
    os.close(write_fd)
    return pid, read_fd


def _roomy(fd: int) -> None:
    """Let the pipe hold several chunks' results (Linux): a worker then goes on while this
    process takes in another's."""
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 1 << 20)
    except (ImportError, AttributeError, OSError):
        pass


def _taken(queue: int, chunks: list[list], taken: list[int]) -> Iterator[list]:
    """The chunks read from the queue, each when asked for (pipe reads of a few bytes are
    atomic), their numbers noted in `taken`."""
    while len(raw := os.read(queue, _NUMBER.size)) == _NUMBER.size:
        number = _NUMBER.unpack(raw)[0]
        taken.append(number)
        yield chunks[number]


def _frames(children: list[tuple[int, int]]) -> Iterator[tuple[int, Any]]:
    """(chunk number, result) of each whole frame the children send, as they come. A
    child that fails is waited for; what it sent whole is kept (its chunk results stand
    alone), the rest is dropped."""
    import selectors

    pending = {fd: (pid, bytearray()) for pid, fd in children}
    with selectors.DefaultSelector() as select:
        for fd in pending:
            select.register(fd, selectors.EVENT_READ)
        while pending:
            for key, _ in select.select():
                fd = key.fd
                pid, buffer = pending[fd]
                data = os.read(fd, 1 << 20)
                if not data:
                    select.unregister(fd)
                    os.close(fd)
                    del pending[fd]
                    os.waitpid(pid, 0)
                    continue
                buffer += data
                yield from _whole_frames(buffer)


def _whole_frames(buffer: bytearray) -> Iterator[tuple[int, Any]]:
    """The whole frames at the start of `buffer`, taken out of it."""
    start = 0
    while len(buffer) - start >= _FRAME.size:
        number, size = _FRAME.unpack_from(buffer, start)
        end = start + _FRAME.size + size
        if len(buffer) < end:
            break
        value = pickle.loads(memoryview(buffer)[start + _FRAME.size : end])
        start = end
        yield number, value
    del buffer[:start]


def _nothing(_result: Any) -> None:
    return None


def _spawn(work: Callable[[list], Any], part: list) -> tuple[int, int]:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: work, send, and leave without running the parent's exit code
        status = 1
        try:
            os.close(read_fd)
            data = pickle.dumps(work(part), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_fd, "wb") as out:
                out.write(data)
            status = 0
        finally:
            os._exit(status)
    os.close(write_fd)
    return pid, read_fd


def _collect(pid: int, read_fd: int, work: Callable[[list], Any], part: list) -> Any:
    with os.fdopen(read_fd, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if status == 0 and data:
        try:
            return pickle.loads(data)
        except Exception:
            pass
    return work(part)  # the child failed: do its share here (and raise what it raised)
