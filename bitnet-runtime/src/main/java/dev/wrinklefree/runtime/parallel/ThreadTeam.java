package dev.wrinklefree.runtime.parallel;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed team of threads for the many short parallel sections of a decode step. {@link #run} hands a task
 * to the calling thread and to every worker that joins in time; tasks share their work out dynamically
 * (each member claims chunks from a counter until none are left), so the caller may end up doing all of
 * it. The caller waits only for workers that joined: a worker the operating system has not scheduled yet
 * costs nothing, which keeps a busy or oversubscribed machine at single-thread speed instead of stalling
 * every section for a scheduler time slice. No allocation per {@link #run}; workers spin briefly between
 * sections, then park.
 *
 * <p>System property {@value #SPIN_PROPERTY} sets how many spin iterations a worker waits for the next task
 * before parking (default {@value #DEFAULT_SPINS}; 0 parks at once, which is kinder to a shared machine).
 *
 * <p>{@link #run} must not be called concurrently or from inside a task. Thread-safe otherwise.
 */
public final class ThreadTeam implements AutoCloseable {
    /** System property: spin iterations before a waiting worker parks. */
    public static final String SPIN_PROPERTY = "wrinklefree.threads.spin";
    static final int DEFAULT_SPINS = 20_000;

    /** Low 31 bits of {@link #gate}: workers inside the current task; bit 31: no more may join; high 32: run number. */
    private static final long ACTIVE_MASK = 0x7FFF_FFFFL;
    private static final long CLOSED = 0x8000_0000L;

    /** Work for the members of a team. */
    @FunctionalInterface
    public interface Task {
        /**
         * Runs this member's part: claims work until none is left. Members that join late find none.
         *
         * @param member  0 for the calling thread, 1..size-1 for the workers
         * @param members the team size
         */
        void run(int member, int members);
    }

    private final int size;
    private final Worker[] workers;
    private final int spins;
    /** Run number, join state and active count of the current task, in one word so joining and closing race safely. */
    private final AtomicLong gate = new AtomicLong(CLOSED);
    private volatile Task task;
    private volatile boolean closed;
    private volatile Throwable failure;
    private long runs;

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
     * Runs {@code t} on the caller and on the workers that join before the caller has finished its part,
     * and returns when all who joined are done. An exception thrown by any of them is rethrown here (the
     * first one).
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
        long run = ++runs;
        gate.set(run << 32); // open, nobody inside; publishes the task
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
        long g = gate.getAndUpdate(v -> v | CLOSED);
        int spin = 0;
        while ((g & ACTIVE_MASK) != 0) {
            if (++spin < 1_000_000) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
            g = gate.get();
        }
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

    private final class Worker implements Runnable {
        final int index;
        Thread thread;
        volatile boolean parked;
        /** The last run this worker has dealt with (joined or found closed). */
        long seen;

        Worker(int index) {
            this.index = index;
        }

        @Override
        public void run() {
            while (!closed) {
                long g = gate.get();
                long run = g >>> 32;
                if (run == seen) {
                    waitForNext();
                    continue;
                }
                seen = run;
                if (!join(run)) {
                    continue; // closed before this worker got here: the others did the work
                }
                try {
                    Task t = task;
                    if (t != null) {
                        t.run(index, size);
                    }
                } catch (Throwable ex) {
                    recordFailure(ex);
                } finally {
                    gate.decrementAndGet();
                }
            }
        }

        /** Joins run {@code run} if it is still open. */
        private boolean join(long run) {
            while (true) {
                long g = gate.get();
                if ((g >>> 32) != run || (g & CLOSED) != 0) {
                    return false;
                }
                if (gate.compareAndSet(g, g + 1)) {
                    return true;
                }
            }
        }

        private void waitForNext() {
            int spin = 0;
            while ((gate.get() >>> 32) == seen && !closed) {
                if (spin < spins) {
                    spin++;
                    Thread.onSpinWait();
                } else {
                    parked = true;
                    // Re-check after announcing: the caller unparks only workers it sees parked.
                    if ((gate.get() >>> 32) == seen && !closed) {
                        LockSupport.park(this);
                    }
                    parked = false;
                }
            }
        }
    }
}
