"""Running the pipeline off the event loop, with requests that arrive together batched.

:class:`PipelinePool` is where ``nlp.pipe`` runs: one thread over a pipeline in the server's
process (``workers=1``), or ``workers`` processes that each load their own pipeline (spaCy
pipelines are not thread-safe, and Python threads would share one core anyway).

:class:`Batcher` sits in front of it. Each request's documents are one job on a queue; as soon
as a worker is free, it takes every job that is waiting (up to ``max_batch_docs`` documents
and ``max_batch_chars`` characters) and runs them through one ``nlp.pipe`` call. So a lone
request waits for nothing, and when requests come faster than the pipeline answers, the ones
that queued up meanwhile go through together. The event loop only queues and hands over, so
``/healthz`` and the page answer while a long article is being processed.
"""
import asyncio
import logging
import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from spacy.language import Language

from ..loading import load
from .worker import (
    WorkItem,
    WorkResult,
    init_worker,
    pipeline_info,
    process_items,
    worker_info,
    worker_process_items,
)

logger = logging.getLogger("spacy_quotes")


class PipelineError(Exception):
    """The pipeline (or a worker process) failed on a whole batch."""


class PipelinePool:
    """Where the pipeline runs.

    nlp (Optional[Language]): a loaded pipeline, run in one thread of this process
        (``workers`` must be 1).
    model (Optional[str]): with ``nlp`` None, the pipeline to load (None: the default one):
        in this process for ``workers=1``, in each worker process otherwise.
    workers (int): how many batches run at once.
    """

    def __init__(self, nlp: Optional[Language] = None, model: Optional[str] = None, workers: int = 1) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        if nlp is not None and workers > 1:
            raise ValueError(
                "workers > 1 runs one pipeline per worker process, loaded from `model`: "
                "pass model (a name or path), not a loaded nlp"
            )
        self.workers = workers
        self.model = model
        self.nlp = nlp
        self.processes = workers > 1
        self._executor: Optional[Executor] = None
        self._info: Optional[Dict[str, Any]] = None
        if not self.processes:
            if self.nlp is None:
                self.nlp = load(model)
            self._info = pipeline_info(self.nlp)

    def _get_executor(self) -> Executor:
        if self._executor is None:
            if self.processes:
                # spawn: a forked copy of a process with torch / BLAS threads can hang
                self._executor = ProcessPoolExecutor(
                    max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                    initializer=init_worker, initargs=(self.model,),
                )
            else:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="spacy-quotes-pipeline")
        return self._executor

    @property
    def info(self) -> Dict[str, Any]:
        """RETURNS (Dict[str, Any]): the pipeline's name, version and pipes (empty until a
        worker process has loaded it)."""
        return dict(self._info or {})

    async def start(self) -> None:
        """Start the workers and wait until each has its pipeline loaded (worker processes:
        one warm-up call each, at the same time, so that they load side by side)."""
        if not self.processes:
            self._get_executor()
            return
        loop = asyncio.get_running_loop()
        executor = self._get_executor()
        try:
            infos = await asyncio.gather(*(loop.run_in_executor(executor, worker_info) for _ in range(self.workers)))
        except BrokenProcessPool as err:
            raise PipelineError(f"the worker processes could not load the pipeline {self.model or '(default)'}: {err}") from None
        self._info = infos[0]
        logger.info("spacy_quotes: server: %d worker processes ready (%s)", self.workers, self._info.get("model"))

    async def run(self, items: List[WorkItem]) -> List[WorkResult]:
        """Process one batch in a worker.

        items (List[WorkItem]): the documents.
        RETURNS (List[WorkResult]): one per document.
        RAISES (PipelineError): when the worker fails on the whole batch (a broken worker
            process is replaced, so the next batch runs again).
        """
        loop = asyncio.get_running_loop()
        executor = self._get_executor()
        try:
            if self.processes:
                return await loop.run_in_executor(executor, worker_process_items, items)
            assert self.nlp is not None
            return await loop.run_in_executor(executor, process_items, self.nlp, items)
        except BrokenProcessPool:
            logger.error("spacy_quotes: server: a worker process died; starting new ones")
            if self._executor is executor:
                self._executor = None
                executor.shutdown(wait=False, cancel_futures=True)
            raise PipelineError("a worker process died while processing these documents (out of memory?)") from None
        except Exception as err:  # the pipeline raised outside of its error handlers
            logger.exception("spacy_quotes: server: the pipeline failed on a batch")
            raise PipelineError(f"the pipeline failed: {type(err).__name__}: {err}") from None

    def close(self) -> None:
        """Stop the workers (waiting for the batches that are running)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None


@dataclass
class _Job:
    items: List[WorkItem]
    future: "asyncio.Future[List[WorkResult]]"
    chars: int


@dataclass
class BatchStats:
    """How the requests were batched: the figures ``/healthz`` shows.

    batches (int): ``nlp.pipe`` calls made.
    jobs (int): requests processed.
    documents (int): documents processed.
    largest_batch (int): the most requests in one batch.
    queued_jobs (int): requests waiting for a worker now.
    running_batches (int): batches being processed now.
    retried_jobs (int): requests run again on their own after a pipeline error in their batch.
    """

    batches: int = 0
    jobs: int = 0
    documents: int = 0
    largest_batch: int = 0
    queued_jobs: int = 0
    running_batches: int = 0
    retried_jobs: int = 0

    def as_dict(self) -> Dict[str, int]:
        """RETURNS (Dict[str, int]): the figures."""
        return dict(self.__dict__)


class Batcher:
    """Queue requests' documents and run those that wait together in one batch.

    pool (PipelinePool): where batches run; at most ``pool.workers`` at once.
    max_batch_docs (int): the most documents in one batch (a larger request still goes alone).
    max_batch_chars (int): the most characters in one batch (same).
    """

    def __init__(self, pool: PipelinePool, *, max_batch_docs: int = 64, max_batch_chars: int = 1_000_000) -> None:
        self.pool = pool
        self.max_batch_docs = max_batch_docs
        self.max_batch_chars = max_batch_chars
        self.stats = BatchStats()
        self._queue: Optional["asyncio.Queue[_Job]"] = None
        self._slots: Optional[asyncio.Semaphore] = None
        self._dispatcher: Optional["asyncio.Task[None]"] = None
        self._running: set = set()
        self._held: Optional[_Job] = None  # taken off the queue but did not fit the last batch
        self._loop: Optional[asyncio.AbstractEventLoop] = None

    def _start(self) -> None:
        loop = asyncio.get_running_loop()
        if self._dispatcher is None or self._dispatcher.done() or self._loop is not loop:
            # (a new event loop: a test client without its context manager runs each request
            # in a loop of its own)
            self._loop = loop
            self._held = None
            self._queue = asyncio.Queue()
            self._slots = asyncio.Semaphore(self.pool.workers)
            self._dispatcher = loop.create_task(self._dispatch(), name="spacy-quotes-batcher")

    async def submit(self, items: List[WorkItem]) -> List[WorkResult]:
        """Process one request's documents.

        items (List[WorkItem]): the documents.
        RETURNS (List[WorkResult]): one per document, in order.
        RAISES (PipelineError): when their batch failed as a whole.
        """
        if not items:
            return []
        self._start()
        assert self._queue is not None
        future: "asyncio.Future[List[WorkResult]]" = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Job(items, future, sum(len(i.doc.text) for i in items)))
        self.stats.queued_jobs += 1
        return await future

    async def _next_job(self) -> _Job:
        assert self._queue is not None
        if self._held is not None:
            job, self._held = self._held, None
            return job
        return await self._queue.get()

    async def _dispatch(self) -> None:
        assert self._queue is not None and self._slots is not None
        while True:
            batch: List[_Job] = []
            while not batch:
                job = await self._next_job()
                if not job.future.cancelled():  # the client went away while it waited
                    batch.append(job)
                else:
                    self.stats.queued_jobs -= 1
            try:
                # a job in hand, wait for a free worker; the jobs that queue up meanwhile join it
                await self._slots.acquire()
            except BaseException:
                batch[0].future.cancel()
                raise
            try:
                n_docs, n_chars = len(batch[0].items), batch[0].chars
                while not self._queue.empty():
                    job = self._queue.get_nowait()
                    if job.future.cancelled():
                        self.stats.queued_jobs -= 1
                        continue
                    if n_docs + len(job.items) > self.max_batch_docs or n_chars + job.chars > self.max_batch_chars:
                        self._held = job
                        break
                    batch.append(job)
                    n_docs += len(job.items)
                    n_chars += job.chars
            except BaseException:
                self._slots.release()
                for job in batch:
                    if not job.future.done():
                        job.future.cancel()
                raise
            self.stats.queued_jobs -= len(batch)
            task = asyncio.get_running_loop().create_task(self._run(batch))
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _run(self, batch: List[_Job]) -> None:
        assert self._slots is not None
        items = [item for job in batch for item in job.items]
        self.stats.running_batches += 1
        try:
            results = await self.pool.run(items)
        except PipelineError as err:
            for job in batch:
                if not job.future.done():
                    job.future.set_exception(err)
            return
        finally:
            self.stats.running_batches -= 1
            self._slots.release()
        self.stats.batches += 1
        self.stats.jobs += len(batch)
        self.stats.documents += len(items)
        self.stats.largest_batch = max(self.stats.largest_batch, len(batch))
        pos = 0
        for job in batch:
            n = len(job.items)
            job_results = results[pos:pos + n]
            pos += n
            if len(batch) > 1 and any(r.error is not None for r in job_results):
                # A pipeline error skips its whole nlp.pipe batch: this job may only have been
                # batched with the one that failed, so it runs again on its own.
                self._retry(job)
            elif not job.future.done():
                job.future.set_result(job_results)

    def _retry(self, job: _Job) -> None:
        async def again() -> None:
            assert self._slots is not None
            async with self._slots:
                try:
                    results = await self.pool.run(job.items)
                except PipelineError as err:
                    if not job.future.done():
                        job.future.set_exception(err)
                    return
            self.stats.retried_jobs += 1
            if not job.future.done():
                job.future.set_result(results)

        task = asyncio.get_running_loop().create_task(again())
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def close(self) -> None:
        """Stop taking jobs; the waiting ones are cancelled, the running ones finish."""
        if self._dispatcher is not None:
            self._dispatcher.cancel()
            try:
                await self._dispatcher
            except (asyncio.CancelledError, Exception):
                pass
            self._dispatcher = None
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)
        if self._queue is not None:
            while not self._queue.empty():
                job = self._queue.get_nowait()
                if not job.future.done():
                    job.future.cancel()
        if self._held is not None and not self._held.future.done():
            self._held.future.cancel()
        self._held = None


__all__ = ["PipelinePool", "Batcher", "BatchStats", "PipelineError"]
