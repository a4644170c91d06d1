package io.tether.examples;

import io.tether.AsyncLocalStorage;
import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A pool of worker threads that add two numbers, whose callbacks run in the context of the code
 * that submitted each task: the {@code AsyncResource} worker pool of Node's documentation.
 *
 * <p>The Node original, from {@code async_context.md} ({@code WorkerPoolTaskInfo} is in {@link
 * WorkerPoolTaskInfo}; {@code task_processor.js} answers each message {@code {a, b}} with {@code a
 * + b}):
 *
 * <pre>{@code
 * export default class WorkerPool extends EventEmitter {
 *   constructor(numThreads) {
 *     super();
 *     this.numThreads = numThreads;
 *     this.workers = [];
 *     this.freeWorkers = [];
 *     this.tasks = [];
 *
 *     for (let i = 0; i < numThreads; i++)
 *       this.addNewWorker();
 *
 *     // Any time the kWorkerFreedEvent is emitted, dispatch
 *     // the next task pending in the queue, if any.
 *     this.on(kWorkerFreedEvent, () => {
 *       if (this.tasks.length > 0) {
 *         const { task, callback } = this.tasks.shift();
 *         this.runTask(task, callback);
 *       }
 *     });
 *   }
 *
 *   addNewWorker() {
 *     const worker = new Worker(new URL('task_processor.js', import.meta.url));
 *     worker.on('message', (result) => {
 *       worker[kTaskInfo].done(null, result);
 *       worker[kTaskInfo] = null;
 *       this.freeWorkers.push(worker);
 *       this.emit(kWorkerFreedEvent);
 *     });
 *     worker.on('error', (err) => {
 *       if (worker[kTaskInfo])
 *         worker[kTaskInfo].done(err, null);
 *       else
 *         this.emit('error', err);
 *       this.workers.splice(this.workers.indexOf(worker), 1);
 *       this.addNewWorker();
 *     });
 *     this.workers.push(worker);
 *     this.freeWorkers.push(worker);
 *     this.emit(kWorkerFreedEvent);
 *   }
 *
 *   runTask(task, callback) {
 *     if (this.freeWorkers.length === 0) {
 *       // No free threads, wait until a worker thread becomes free.
 *       this.tasks.push({ task, callback });
 *       return;
 *     }
 *
 *     const worker = this.freeWorkers.pop();
 *     worker[kTaskInfo] = new WorkerPoolTaskInfo(callback);
 *     worker.postMessage(task);
 *   }
 *
 *   close() {
 *     for (const worker of this.workers) worker.terminate();
 *   }
 * }
 *
 * // Usage:
 * const pool = new WorkerPool(os.availableParallelism());
 *
 * let finished = 0;
 * for (let i = 0; i < 10; i++) {
 *   pool.runTask({ a: 42, b: 100 }, (err, result) => {
 *     console.log(i, err, result);
 *     if (++finished === 10)
 *       pool.close();
 *   });
 * }
 * }</pre>
 *
 * <p>How the Java differs, and why:
 *
 * <ul>
 *   <li>Java has no event loop: a worker thread delivers its own result, so callbacks run on the
 *       worker threads. That is exactly the case {@code WorkerPoolTaskInfo} is for: each callback
 *       still runs in its submitter's context.
 *   <li>The task info is created in {@link #runTask}, when the task is submitted, even if it must
 *       wait in the queue. Node's version creates it when the task is dispatched, which for a
 *       queued task is inside the freed-worker event: run under Node 24 with each {@code runTask}
 *       inside {@code als.run(i, ...)}, the callbacks of queued tasks see {@code undefined} instead
 *       of {@code i}.
 *   <li>The pool is shared by threads, so its lists are guarded by one lock; a callback runs
 *       outside it.
 *   <li>The usage submits each task inside {@code SUBMITTER.run(i, ...)} and every callback prints
 *       the store it sees beside Node's {@code i err result}: {@code 0 null 142 (store: 0)}. The
 *       lines are printed in task order once all ten are done, and the pool is closed by the
 *       submitting thread, which can wait for the workers to end (a callback cannot wait for its
 *       own thread).
 * </ul>
 *
 * <p>Invariants: {@code workers}, {@code freeWorkers}, {@code tasks} and {@code closed} are read
 * and written only under {@code lock}. A worker is in {@code freeWorkers} exactly when it has no
 * task; its {@code taskInfo} is set by the thread that dispatches to it before the task is put in
 * its inbox (so the queue's hand-off publishes it) and cleared by the worker's own thread.
 */
public final class WorkerPool implements AutoCloseable {

  /** The task of Node's {@code task_processor.js}: add {@code a} and {@code b}. */
  public record Task(int a, int b) {}

  /** Node's {@code (err, result)} callback: exactly one of the two is non-null. */
  @FunctionalInterface
  public interface TaskCallback {
    /**
     * Receives the outcome of a task.
     *
     * @param err why the task failed, or {@code null}
     * @param result the task's result, or {@code null} if it failed
     */
    void call(Throwable err, Integer result);
  }

  /** The number the usage submits in each {@code run(i, ...)}, read back by its callback. */
  static final AsyncLocalStorage<Integer> SUBMITTER = new AsyncLocalStorage<>("submitter");

  /** Node's {@code kWorkerFreedEvent}. */
  static final String WORKER_FREED_EVENT = "workerFreed";

  private final EventEmitter events = new EventEmitter();
  private final Object lock = new Object();
  private final List<Worker> workers = new ArrayList<>();
  private final Deque<Worker> freeWorkers = new ArrayDeque<>();
  private final Deque<QueuedTask> tasks = new ArrayDeque<>();
  private boolean closed;
  private int workersStarted;

  /**
   * Starts a pool of {@code numThreads} worker threads.
   *
   * @param numThreads how many workers; at least 1
   */
  public WorkerPool(int numThreads) {
    if (numThreads < 1) {
      throw new IllegalArgumentException("numThreads must be at least 1, was " + numThreads);
    }
    for (int i = 0; i < numThreads; i++) {
      addNewWorker();
    }
    // Any time the freed event is emitted, dispatch the next task pending in the queue, if any.
    events.on(WORKER_FREED_EVENT, this::dispatchQueued);
  }

  /**
   * Runs the usage of Node's documentation on as many workers as there are processors, printing to
   * standard output.
   *
   * @param args ignored
   * @throws InterruptedException if interrupted while waiting for the tasks
   */
  public static void main(String[] args) throws InterruptedException {
    run(System.out, Runtime.getRuntime().availableProcessors());
  }

  /**
   * Submits ten tasks {@code {a: 42, b: 100}}, the i-th inside {@code SUBMITTER.run(i, ...)}, to a
   * pool of {@code numThreads} workers, and prints one line per callback, in task order: {@code i
   * err result (store: s)}, where {@code s} is what the callback's {@code SUBMITTER.getStore()}
   * returned.
   *
   * @param out where to print
   * @param numThreads how many workers
   * @throws InterruptedException if interrupted while waiting for the tasks
   */
  public static void run(PrintStream out, int numThreads) throws InterruptedException {
    int count = 10;
    String[] lines = new String[count];
    CountDownLatch finished = new CountDownLatch(count);
    try (WorkerPool pool = new WorkerPool(numThreads)) {
      for (int i = 0; i < count; i++) {
        int n = i;
        SUBMITTER.run(
            i,
            () ->
                pool.runTask(
                    new Task(42, 100),
                    (err, result) -> {
                      lines[n] =
                          n + " " + err + " " + result + " (store: " + SUBMITTER.getStore() + ")";
                      finished.countDown();
                    }));
      }
      if (!finished.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException(
            "only " + (count - finished.getCount()) + " of " + count + " tasks finished in 30 s");
      }
    }
    for (String line : lines) {
      out.println(line);
    }
  }

  /**
   * Submits {@code task}: a free worker takes it at once, or it waits in the queue for the next
   * freed worker. Either way {@code callback} runs, on a worker thread, in the context current
   * here.
   *
   * @param task the numbers to add
   * @param callback receives the sum, or the failure
   * @throws IllegalStateException if the pool is closed
   */
  public void runTask(Task task, TaskCallback callback) {
    Objects.requireNonNull(task, "task must not be null");
    // Created here, in the submitter's context, even when the task has to wait (see class doc).
    WorkerPoolTaskInfo info = new WorkerPoolTaskInfo(callback);
    Worker worker;
    synchronized (lock) {
      worker = closed ? null : freeWorkers.poll();
      if (worker == null && !closed) {
        // No free threads, wait until a worker thread becomes free.
        tasks.add(new QueuedTask(task, info));
        return;
      }
    }
    if (worker == null) {
      info.emitDestroy();
      throw new IllegalStateException("the pool is closed");
    }
    worker.postMessage(task, info);
  }

  /**
   * Terminates the workers, dropping the tasks still queued, and waits for the worker threads to
   * end (except the calling thread, when a callback closes the pool). Idempotent.
   */
  @Override
  public void close() {
    List<Worker> stopping;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      stopping = new ArrayList<>(workers);
      workers.clear();
      freeWorkers.clear();
      tasks.clear();
    }
    for (Worker worker : stopping) {
      worker.thread.interrupt(); // Node's worker.terminate()
    }
    boolean interrupted = false;
    for (Worker worker : stopping) {
      while (worker.thread != Thread.currentThread()) {
        try {
          worker.thread.join();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** The worker threads alive now, for tests. */
  List<Thread> threads() {
    synchronized (lock) {
      List<Thread> threads = new ArrayList<>(workers.size());
      for (Worker worker : workers) {
        threads.add(worker.thread);
      }
      return threads;
    }
  }

  private void addNewWorker() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      Worker worker = new Worker("worker-pool-" + workersStarted++);
      workers.add(worker);
      freeWorkers.push(worker);
      // Started under the lock, so that close() either sees the thread or stops it being started.
      worker.thread.start();
    }
    events.emit(WORKER_FREED_EVENT);
  }

  private void dispatchQueued() {
    QueuedTask next;
    Worker worker;
    synchronized (lock) {
      if (tasks.isEmpty() || freeWorkers.isEmpty()) {
        return;
      }
      next = tasks.poll();
      worker = freeWorkers.pop();
    }
    worker.postMessage(next.task, next.info);
  }

  /** Node's {@code worker.on('message')}: the task is done, the worker free again. */
  private void onMessage(Worker worker, int result) {
    WorkerPoolTaskInfo info = worker.taskInfo;
    worker.taskInfo = null;
    try {
      info.done(null, result);
    } finally {
      synchronized (lock) {
        if (!closed) {
          freeWorkers.push(worker);
        }
      }
      events.emit(WORKER_FREED_EVENT);
    }
  }

  /** Node's {@code worker.on('error')}: the task failed and its worker is replaced. */
  private void onError(Worker worker, RuntimeException err) {
    WorkerPoolTaskInfo info = worker.taskInfo;
    worker.taskInfo = null;
    try {
      info.done(err, null);
    } finally {
      synchronized (lock) {
        workers.remove(worker);
      }
      addNewWorker();
    }
  }

  private record QueuedTask(Task task, WorkerPoolTaskInfo info) {}

  /** A worker thread and its inbox: Node's {@code Worker} running {@code task_processor.js}. */
  private final class Worker implements Runnable {
    final Thread thread;
    private final BlockingQueue<Task> inbox = new LinkedBlockingQueue<>();

    /** Node's {@code worker[kTaskInfo]}: the task this worker is computing, if any. */
    volatile WorkerPoolTaskInfo taskInfo;

    Worker(String name) {
      thread = new Thread(this, name);
    }

    /** Node's {@code worker.postMessage(task)}, with {@code worker[kTaskInfo] = info} before it. */
    void postMessage(Task task, WorkerPoolTaskInfo info) {
      taskInfo = info;
      inbox.add(task);
    }

    @Override
    public void run() {
      while (true) {
        Task task;
        try {
          task = inbox.take();
        } catch (InterruptedException e) {
          return; // terminated
        }
        int result;
        try {
          result = Math.addExact(task.a(), task.b());
        } catch (ArithmeticException e) {
          onError(this, e); // a worker that throws dies, as a Node worker on an uncaught error
          return;
        }
        try {
          onMessage(this, result);
        } catch (RuntimeException e) {
          // A callback threw: report it as uncaught, and keep the worker, which is free again.
          thread.getUncaughtExceptionHandler().uncaughtException(thread, e);
        }
      }
    }
  }
}
