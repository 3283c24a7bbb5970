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
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs any {@link TernaryKernel} on a fixed pool of threads by splitting the output rows: the calling
 * thread and {@code threads - 1} daemon workers each compute one contiguous chunk of rows (chunk
 * boundaries at multiples of the delegate's {@link TernaryKernel#rowAlignment()}).
 *
 * <p>Owner first, then stealing: thread {@code i} (the caller is 0) claims chunk {@code i} first, so from
 * call to call the same thread reads the same rows and a hot matrix stays split across the cores' private
 * caches (a 2560x2560 layout of 1.5 MB does not fit one 1 MB L2, its halves fit two); claiming the next
 * free chunk instead let the halves swap cores between calls. A thread that has finished its own chunk
 * then takes any chunk nobody has claimed yet, so a worker that the operating system has not scheduled
 * (on a loaded machine, for milliseconds) costs nothing: the caller computes its chunk as well instead of
 * waiting for it. A call never waits for a thread that has not started a chunk (it does wait for one that
 * was preempted in the middle of one).
 *
 * <p>Dispatch is built for calls that follow each other closely (one per layer in a decode step): an
 * idle worker spins for {@link #SPIN_PROPERTY} microseconds watching for the next job before it parks,
 * and the caller spins the same way while it waits for chunks in progress. {@code DispatchOverheadBenchmark}
 * measures the cost of one call against a 2560x2560 GEMV.
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
    /** Row bounds of the chunks of the current job: chunk i is [bounds[i], bounds[i+1]). */
    private final int[] bounds;
    /**
     * Job generation; a new value publishes a job. One contiguous chunk per thread streams weights best:
     * with 4 per thread, cold 2560x2560 TQ2_0 on 2 threads fell from 70 to 49 G weights/s (shorter runs of
     * contiguous weights defeat the hardware prefetchers).
     */
    private final AtomicLong state = new AtomicLong();
    /**
     * Per chunk: {@code -g} while job {@code g} offers it, {@code g} once a thread has claimed it. Claiming is
     * a CAS from {@code -g} to {@code g}, so a worker still looking at an older job can never claim a chunk
     * of a newer one (it expects a different value), whatever it reads of the newer job's fields.
     */
    private final AtomicLongArray claims;
    /** Chunks of the current job finished (or failed). */
    private final AtomicInteger done = new AtomicInteger();

    private long generation;
    // Job fields: written by the caller before it publishes the job through state, read by whoever claims a chunk.
    private volatile int chunkCount;
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
        this.claims = new AtomicLongArray(threads);
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

    /** The kernel that computes each chunk. */
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
            int n = split(rowStart, rowEnd, align);
            jobWeights = w;
            jobActivations = x;
            jobOutput = y;
            jobOffset = yOffset;
            failure = null;
            done.set(0);
            chunkCount = n;
            long g = ++generation;
            for (int c = 0; c < n; c++) {
                claims.set(c, -g);
            }
            state.set(g);
            for (Worker wk : workers) {
                if (wk.parked) {
                    LockSupport.unpark(wk.thread);
                }
            }
            runChunks(g, 0);
            awaitChunks(n);
            jobWeights = null;
            jobActivations = null;
            jobOutput = null;
            Throwable f = failure;
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

    /** Splits [start, end) into up to bounds.length - 1 chunks whose inner bounds are multiples of {@code align}. */
    private int split(int start, int end, int align) {
        long rows = end - start;
        int n = (int) Math.min(bounds.length - 1, (rows + align - 1) / align);
        bounds[0] = start;
        int count = 0;
        for (int i = 1; i < n; i++) {
            int b = start + (int) (rows * i / n);
            b = (int) Math.min(end, ((long) b + align - 1) / align * align);
            if (b > bounds[count]) {
                bounds[++count] = b;
            }
        }
        if (end > bounds[count]) {
            bounds[++count] = end;
        }
        return count;
    }

    /** Claims chunk {@code c} for job {@code g}; false if another thread has it (or the job is over). */
    private boolean claim(long g, int c) {
        return claims.get(c) == -g && claims.compareAndSet(c, -g, g);
    }

    /** Computes chunk {@code self} of job {@code g} if nobody has claimed it, then any chunk still unclaimed. */
    private void runChunks(long g, int self) {
        int n = chunkCount;
        for (int i = 0; i < n; i++) {
            int c = (self + i) % n;
            if (!claim(g, c)) {
                continue;
            }
            try {
                delegate.matmul(jobWeights, jobActivations, jobOutput, jobOffset, bounds[c], bounds[c + 1]);
            } catch (Throwable e) {
                failure = e;
            }
            if (done.incrementAndGet() == n) {
                Thread t = waiter;
                if (t != null) {
                    LockSupport.unpark(t);
                }
            }
        }
    }

    private void awaitChunks(int n) {
        long deadline = System.nanoTime() + spinNanos;
        while (done.get() != n) {
            if (System.nanoTime() - deadline < 0) {
                Thread.onSpinWait();
                continue;
            }
            waiter = Thread.currentThread();
            while (done.get() != n) {
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
            state.set(++generation); // wakes spinning workers; no chunk to claim
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
        /** This worker's own chunk: 1..threads-1 (the caller's is 0). */
        private final int index;
        private Thread thread;
        private volatile boolean parked;
        private long seen;

        Worker(int index) {
            this.index = index;
        }

        @Override
        public void run() {
            while (true) {
                long g = awaitJob();
                if (closed) {
                    return;
                }
                runChunks(g, index);
            }
        }

        /** Waits for a job generation it has not seen: spins, then parks. */
        private long awaitJob() {
            long deadline = System.nanoTime() + spinNanos;
            long g;
            while ((g = state.get()) == seen) {
                if (System.nanoTime() - deadline < 0) {
                    Thread.onSpinWait();
                    continue;
                }
                parked = true;
                // Dekker-style handshake with matmul(): it publishes state, then reads parked.
                if (state.get() == seen) {
                    LockSupport.park(this);
                }
                parked = false;
            }
            seen = g;
            return g;
        }
    }
}
