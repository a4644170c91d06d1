package io.tether;

import io.tether.internal.Tasks;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The executors {@link AsyncExecutors} wraps with: every task becomes a resource linked where it is
 * submitted ({@code Tasks}), and the wrapper's views ({@code shutdownNow}, futures) hand back the
 * application's own tasks.
 */
final class ExecutorWrappers {

  private ExecutorWrappers() {}

  static <V> List<Callable<V>> wrapAll(Collection<? extends Callable<V>> tasks) {
    Objects.requireNonNull(tasks, "tasks must not be null");
    List<Callable<V>> wrapped = new ArrayList<>(tasks.size());
    for (Callable<V> task : tasks) {
      wrapped.add(
          new Tasks.OneShotCallable<>(
              Objects.requireNonNull(task, "tasks must not contain null"),
              ResourceTypes.EXECUTOR_TASK));
    }
    return wrapped;
  }

  static class ContextExecutor<E extends Executor> implements Executor {
    final E delegate;

    ContextExecutor(E delegate) {
      this.delegate = delegate;
    }

    @Override
    public void execute(Runnable command) {
      Tasks.OneShot task =
          new Tasks.OneShot(
              Objects.requireNonNull(command, "command must not be null"),
              ResourceTypes.EXECUTOR_TASK);
      try {
        delegate.execute(task);
      } catch (RuntimeException | Error e) {
        Tasks.dropped(task);
        throw e;
      }
    }

    @Override
    public String toString() {
      return "AsyncExecutors.wrap(" + delegate + ")";
    }
  }

  static class ContextExecutorService<E extends ExecutorService> extends ContextExecutor<E>
      implements ExecutorService {

    ContextExecutorService(E delegate) {
      super(delegate);
    }

    @Override
    public void shutdown() {
      delegate.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
      List<Runnable> pending = delegate.shutdownNow();
      List<Runnable> own = new ArrayList<>(pending.size());
      for (Runnable r : pending) {
        Object task = Tasks.unwrap(r);
        own.add(task instanceof Runnable ? (Runnable) task : r);
        Tasks.dropped(r);
      }
      return own;
    }

    @Override
    public boolean isShutdown() {
      return delegate.isShutdown();
    }

    @Override
    public boolean isTerminated() {
      return delegate.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
      return delegate.awaitTermination(timeout, unit);
    }

    @Override
    public <T> Future<T> submit(Callable<T> task) {
      Tasks.OneShotCallable<T> wrapped =
          new Tasks.OneShotCallable<>(
              Objects.requireNonNull(task, "task must not be null"), ResourceTypes.EXECUTOR_TASK);
      try {
        return delegate.submit(wrapped);
      } catch (RuntimeException | Error e) {
        Tasks.dropped(wrapped);
        throw e;
      }
    }

    @Override
    public <T> Future<T> submit(Runnable task, T result) {
      Tasks.OneShot wrapped =
          new Tasks.OneShot(
              Objects.requireNonNull(task, "task must not be null"), ResourceTypes.EXECUTOR_TASK);
      try {
        return delegate.submit(wrapped, result);
      } catch (RuntimeException | Error e) {
        Tasks.dropped(wrapped);
        throw e;
      }
    }

    @Override
    public Future<?> submit(Runnable task) {
      return submit(task, null);
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks)
        throws InterruptedException {
      return delegate.invokeAll(wrapAll(tasks));
    }

    @Override
    public <T> List<Future<T>> invokeAll(
        Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
        throws InterruptedException {
      return delegate.invokeAll(wrapAll(tasks), timeout, unit);
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks)
        throws InterruptedException, ExecutionException {
      return delegate.invokeAny(wrapAll(tasks));
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
        throws InterruptedException, ExecutionException, TimeoutException {
      return delegate.invokeAny(wrapAll(tasks), timeout, unit);
    }
  }

  static final class ContextScheduledExecutorService
      extends ContextExecutorService<ScheduledExecutorService> implements ScheduledExecutorService {

    ContextScheduledExecutorService(ScheduledExecutorService delegate) {
      super(delegate);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
      Tasks.OneShot task =
          new Tasks.OneShot(
              Objects.requireNonNull(command, "command must not be null"),
              ResourceTypes.SCHEDULED_TASK);
      try {
        return delegate.schedule(task, delay, unit);
      } catch (RuntimeException | Error e) {
        Tasks.dropped(task);
        throw e;
      }
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
      Tasks.OneShotCallable<V> task =
          new Tasks.OneShotCallable<>(
              Objects.requireNonNull(callable, "callable must not be null"),
              ResourceTypes.SCHEDULED_TASK);
      try {
        return delegate.schedule(task, delay, unit);
      } catch (RuntimeException | Error e) {
        Tasks.dropped(task);
        throw e;
      }
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(
        Runnable command, long initialDelay, long period, TimeUnit unit) {
      Tasks.Periodic task =
          new Tasks.Periodic(Objects.requireNonNull(command, "command must not be null"));
      try {
        return new PeriodicFuture(
            delegate.scheduleAtFixedRate(task, initialDelay, period, unit), task);
      } catch (RuntimeException | Error e) {
        Tasks.dropped(task);
        throw e;
      }
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(
        Runnable command, long initialDelay, long delay, TimeUnit unit) {
      Tasks.Periodic task =
          new Tasks.Periodic(Objects.requireNonNull(command, "command must not be null"));
      try {
        return new PeriodicFuture(
            delegate.scheduleWithFixedDelay(task, initialDelay, delay, unit), task);
      } catch (RuntimeException | Error e) {
        Tasks.dropped(task);
        throw e;
      }
    }
  }

  /** The future of a periodic task: a successful cancel ends the task's resource. */
  private static final class PeriodicFuture implements ScheduledFuture<Object> {
    private final ScheduledFuture<?> delegate;
    private final Tasks.Periodic task;

    PeriodicFuture(ScheduledFuture<?> delegate, Tasks.Periodic task) {
      this.delegate = delegate;
      this.task = task;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = delegate.cancel(mayInterruptIfRunning);
      if (cancelled) {
        task.cancelled();
      }
      return cancelled;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return delegate.getDelay(unit);
    }

    @Override
    public int compareTo(Delayed o) {
      return delegate.compareTo(o instanceof PeriodicFuture ? ((PeriodicFuture) o).delegate : o);
    }

    @Override
    public boolean isCancelled() {
      return delegate.isCancelled();
    }

    @Override
    public boolean isDone() {
      return delegate.isDone();
    }

    @Override
    public Object get() throws InterruptedException, ExecutionException {
      return delegate.get();
    }

    @Override
    public Object get(long timeout, TimeUnit unit)
        throws InterruptedException, ExecutionException, TimeoutException {
      return delegate.get(timeout, unit);
    }

    @Override
    public boolean equals(Object o) {
      return o == this;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(this);
    }
  }
}
