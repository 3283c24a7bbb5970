package dev.wrinklefree.kernels.parallel;

import dev.wrinklefree.kernels.PreparedWeights;
import dev.wrinklefree.kernels.QuantizedActivations;
import dev.wrinklefree.kernels.TernaryFormat;
import dev.wrinklefree.kernels.TernaryKernel;
import dev.wrinklefree.kernels.TernaryMatrix;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs any {@link TernaryKernel} on a fixed pool of threads by splitting the output rows: the calling
 * thread computes the first share and {@code threads - 1} daemon workers the others. It is itself a
 * {@code TernaryKernel}, so a decoder uses it without knowing.
 *
 * <p>Dispatch is built for calls that follow each other closely (one per layer in a decode step): a
 * worker that finishes spins for {@link #SPIN_PROPERTY} microseconds watching for the next job before it
 * parks, and the caller spins the same way while it waits. A dispatch then costs a few hundred
 * nanoseconds, against about a hundred microseconds for one 2560x2560 GEMV (measured by
 * {@code DispatchOverheadBenchmark}). Shares start at multiples of the delegate's
 * {@link TernaryKernel#rowAlignment()}.
 *
 * <p>Thread-safe: concurrent {@link #matmul} calls are serialized. {@link #close()} stops the workers;
 * a closed kernel refuses further calls. Nothing is allocated per call.
 */
public final class ParallelKernel implements TernaryKernel, AutoCloseable {
    /**
     * System property: how long idle threads spin before parking, in microseconds (default 50). Longer
     * keeps the next dispatch fast after longer gaps; shorter gives the cores back sooner.
     */
    public static final String SPIN_PROPERTY = "wrinklefree.parallel.spinMicros";

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final TernaryKernel delegate;
    private final int threads;
    private final long spinNanos;
    private final Worker[] workers;
    private final ReentrantLock callLock = new ReentrantLock();
    /** Row bounds of the shares of the current job: share i is [bounds[i], bounds[i+1]). */
    private final int[] bounds;
    private final AtomicInteger pending = new AtomicInteger();
    /** Bumped once per job; its volatile write publishes the job fields below to the workers. */
    private final AtomicLong generation = new AtomicLong();

    private PreparedWeights jobWeights;
    private QuantizedActivations jobActivations;
    private float[] jobOutput;
    private int jobOffset;
    private volatile Thread waiter;
    private volatile Throwable failure;
    private volatile boolean closed;

    private ParallelKernel(TernaryKernel delegate, int threads, long spinNanos) {
        this.delegate = delegate;
        this.threads = threads;
        this.spinNanos = spinNanos;
        this.bounds = new int[threads + 1];
        this.workers = new Worker[threads - 1];
        int pool = POOLS.incrementAndGet();
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            Thread t = new Thread(workers[i], "wrinklefree-kernel-" + pool + "-" + (i + 1));
            t.setDaemon(true);
            workers[i].thread = t;
        }
        for (Worker w : workers) {
            w.thread.start();
        }
    }

    /**
     * Wraps {@code delegate} to run on {@code threads} threads (the caller and {@code threads - 1} workers).
     *
     * @param threads 1 to 1024; 1 runs everything on the caller
     */
    public static ParallelKernel of(TernaryKernel delegate, int threads) {
        Objects.requireNonNull(delegate, "delegate");
        if (threads < 1 || threads > 1024) {
            throw new IllegalArgumentException("threads must be in [1, 1024], got " + threads);
        }
        String spin = System.getProperty(SPIN_PROPERTY, "50");
        long micros;
        try {
            micros = Long.parseLong(spin.trim());
        } catch (NumberFormatException e) {
            micros = -1;
        }
        if (micros < 0) {
            throw new IllegalArgumentException("-D" + SPIN_PROPERTY + " must be a non-negative number of microseconds, got '"
                    + spin + "'");
        }
        return new ParallelKernel(delegate, threads, TimeUnit.MICROSECONDS.toNanos(micros));
    }

    /** The kernel that computes each share. */
    public TernaryKernel delegate() {
        return delegate;
    }

    /** Threads that compute a call, the caller included. */
    public int threads() {
        return threads;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public boolean supports(TernaryFormat format) {
        return delegate.supports(format);
    }

    @Override
    public PreparedWeights prepare(TernaryMatrix w) {
        return delegate.prepare(w);
    }

    @Override
    public int rowAlignment() {
        return delegate.rowAlignment();
    }

    @Override
    public void matmul(PreparedWeights w, QuantizedActivations x, float[] y, int yOffset, int rowStart, int rowEnd) {
        TernaryKernel.checkArguments(w, x, y, yOffset, rowStart, rowEnd);
        int align = Math.max(1, delegate.rowAlignment());
        if (threads == 1 || rowEnd - rowStart <= align) {
            ensureOpen();
            delegate.matmul(w, x, y, yOffset, rowStart, rowEnd);
            return;
        }
        callLock.lock();
        try {
            ensureOpen();
            split(rowStart, rowEnd, align);
            jobWeights = w;
            jobActivations = x;
            jobOutput = y;
            jobOffset = yOffset;
            failure = null;
            pending.set(workers.length);
            generation.incrementAndGet();
            for (Worker wk : workers) {
                if (wk.parked) {
                    LockSupport.unpark(wk.thread);
                }
            }
            Throwable own = null;
            try {
                delegate.matmul(w, x, y, yOffset, bounds[0], bounds[1]);
            } catch (Throwable e) {
                own = e;
            }
            awaitWorkers();
            jobWeights = null;
            jobActivations = null;
            jobOutput = null;
            Throwable f = own != null ? own : failure;
            if (f instanceof RuntimeException re) {
                throw re;
            } else if (f instanceof Error err) {
                throw err;
            } else if (f != null) {
                throw new IllegalStateException("kernel worker failed", f);
            }
        } finally {
            callLock.unlock();
        }
    }

    /** Splits [start, end) into equal shares whose inner bounds are multiples of {@code align}. */
    private void split(int start, int end, int align) {
        long n = end - start;
        bounds[0] = start;
        for (int i = 1; i < threads; i++) {
            int b = start + (int) (n * i / threads);
            b = (int) Math.min(end, ((long) b + align - 1) / align * align);
            bounds[i] = Math.max(b, bounds[i - 1]);
        }
        bounds[threads] = end;
    }

    private void awaitWorkers() {
        long deadline = System.nanoTime() + spinNanos;
        while (pending.get() != 0) {
            if (System.nanoTime() - deadline < 0) {
                Thread.onSpinWait();
                continue;
            }
            waiter = Thread.currentThread();
            while (pending.get() != 0) {
                LockSupport.park(this);
            }
            waiter = null;
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("ParallelKernel(" + delegate.name() + ", " + threads + " threads) is closed");
        }
    }

    /** Stops the worker threads and waits for them; idempotent. Later calls to {@link #matmul} throw. */
    @Override
    public void close() {
        callLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            generation.incrementAndGet();
            for (Worker w : workers) {
                LockSupport.unpark(w.thread);
            }
        } finally {
            callLock.unlock();
        }
        boolean interrupted = false;
        for (Worker w : workers) {
            while (w.thread.isAlive()) {
                try {
                    w.thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Worker implements Runnable {
        private final int share;
        private Thread thread;
        private volatile boolean parked;
        private long seen;

        Worker(int share) {
            this.share = share;
        }

        @Override
        public void run() {
            while (true) {
                awaitJob();
                if (closed) {
                    return;
                }
                try {
                    delegate.matmul(jobWeights, jobActivations, jobOutput, jobOffset, bounds[share], bounds[share + 1]);
                } catch (Throwable e) {
                    failure = e;
                }
                if (pending.decrementAndGet() == 0) {
                    Thread w = waiter;
                    if (w != null) {
                        LockSupport.unpark(w);
                    }
                }
            }
        }

        private void awaitJob() {
            long deadline = System.nanoTime() + spinNanos;
            long g;
            while ((g = generation.get()) == seen) {
                if (System.nanoTime() - deadline < 0) {
                    Thread.onSpinWait();
                    continue;
                }
                parked = true;
                // Dekker-style handshake with matmul(): it bumps generation, then reads parked.
                if (generation.get() == seen) {
                    LockSupport.park(this);
                }
                parked = false;
            }
            seen = g;
        }
    }
}
