package dev.wrinklefree.runtime.parallel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed team of threads that runs one task at a time on all of them, the caller included, and returns
 * when every member is done. Made for the many short parallel sections of a decode step: no allocation
 * per {@link #run}, workers spin briefly between sections and then park.
 *
 * <p>System property {@value #SPIN_PROPERTY} sets how many spin iterations a worker waits for the next task
 * before parking (default {@value #DEFAULT_SPINS}; 0 parks at once, which is kinder to a shared machine and
 * slower).
 *
 * <p>{@link #run} must not be called concurrently or from inside a task. Thread-safe otherwise.
 */
public final class ThreadTeam implements AutoCloseable {
    /** System property: spin iterations before a waiting worker parks. */
    public static final String SPIN_PROPERTY = "wrinklefree.threads.spin";
    static final int DEFAULT_SPINS = 20_000;

    /** Work for every member of a team. */
    @FunctionalInterface
    public interface Task {
        /**
         * Runs this member's share.
         *
         * @param member  0 for the calling thread, 1..size-1 for the workers
         * @param members the team size
         */
        void run(int member, int members);
    }

    private final int size;
    private final Worker[] workers;
    private final int spins;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile Task task;
    private volatile long epoch;
    private volatile boolean closed;
    private volatile Throwable failure;

    /**
     * Starts {@code size - 1} daemon worker threads.
     *
     * @param size team size including the caller, at least 1
     */
    public ThreadTeam(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("a thread team needs at least 1 member, got " + size);
        }
        this.size = size;
        this.spins = Integer.getInteger(SPIN_PROPERTY, DEFAULT_SPINS);
        this.workers = new Worker[size - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            Thread t = new Thread(workers[i], "wrinklefree-team-" + (i + 1));
            t.setDaemon(true);
            workers[i].thread = t;
            t.start();
        }
    }

    /** Members, the caller included. */
    public int size() {
        return size;
    }

    /**
     * Runs {@code t} on every member and waits for all. An exception thrown by any member is rethrown here
     * (the first one) after all have finished.
     */
    public void run(Task t) {
        if (closed) {
            throw new IllegalStateException("thread team is closed");
        }
        if (size == 1) {
            t.run(0, 1);
            return;
        }
        failure = null;
        task = t;
        pending.set(workers.length);
        epoch++;
        for (Worker w : workers) {
            if (w.parked) {
                LockSupport.unpark(w.thread);
            }
        }
        try {
            t.run(0, size);
        } catch (Throwable e) {
            recordFailure(e);
        }
        int spin = 0;
        while (pending.get() != 0) {
            if (++spin < 1_000_000) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        task = null;
        Throwable f = failure;
        if (f != null) {
            failure = null;
            if (f instanceof RuntimeException re) {
                throw re;
            }
            if (f instanceof Error er) {
                throw er;
            }
            throw new IllegalStateException(f);
        }
    }

    private void recordFailure(Throwable e) {
        synchronized (this) {
            if (failure == null) {
                failure = e;
            }
        }
    }

    /** Stops the workers (they finish the current task first). */
    @Override
    public void close() {
        closed = true;
        for (Worker w : workers) {
            LockSupport.unpark(w.thread);
        }
    }

    /** First index of member {@code member}'s share of {@code n} items split evenly in multiples of {@code align}. */
    public static int shareStart(int n, int member, int members, int align) {
        long units = (n + (long) align - 1) / align;
        long start = units * member / members * align;
        return (int) Math.min(n, start);
    }

    private final class Worker implements Runnable {
        final int index;
        Thread thread;
        volatile boolean parked;
        long seen;

        Worker(int index) {
            this.index = index;
        }

        @Override
        public void run() {
            while (true) {
                int spin = 0;
                long e;
                while ((e = epoch) == seen) {
                    if (closed) {
                        return;
                    }
                    if (spin < spins) {
                        spin++;
                        Thread.onSpinWait();
                    } else {
                        parked = true;
                        // Re-check after announcing: the caller unparks only workers it sees parked.
                        if (epoch == seen && !closed) {
                            LockSupport.park(this);
                        }
                        parked = false;
                    }
                }
                seen = e;
                Task t = task;
                try {
                    if (t != null) {
                        t.run(index, size);
                    }
                } catch (Throwable ex) {
                    recordFailure(ex);
                } finally {
                    pending.decrementAndGet();
                }
            }
        }
    }
}
