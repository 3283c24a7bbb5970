package dev.wrinklefree.runtime.parallel;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThreadTeamTest {
    /** A task of {@code n} chunks claimed from a counter, each marking its slot. */
    static final class Chunks implements ThreadTeam.Task {
        final int[] done;
        final AtomicInteger next = new AtomicInteger();
        final AtomicLong members = new AtomicLong();

        Chunks(int n) {
            done = new int[n];
        }

        @Override
        public void run(int member, int count) {
            members.getAndUpdate(v -> v | (1L << member));
            for (int c = next.getAndIncrement(); c < done.length; c = next.getAndIncrement()) {
                done[c]++;
            }
        }
    }

    @Test
    void everyChunkIsDoneExactlyOnce() {
        for (int size : new int[] {1, 2, 3, 5}) {
            try (ThreadTeam team = new ThreadTeam(size)) {
                for (int round = 0; round < 3000; round++) {
                    Chunks c = new Chunks(1 + round % 97);
                    team.run(c);
                    for (int i = 0; i < c.done.length; i++) {
                        assertEquals(1, c.done[i], "chunk " + i + " of round " + round);
                    }
                    assertTrue((c.members.get() & 1) == 1, "the caller always takes part");
                }
            }
        }
    }

    @Test
    void workersJoinAnOpenRun() {
        try (ThreadTeam team = new ThreadTeam(3)) {
            for (int round = 0; round < 20; round++) {
                AtomicInteger joined = new AtomicInteger();
                team.run((m, n) -> {
                    if (m != 0) {
                        joined.incrementAndGet();
                        return;
                    }
                    // The caller keeps the run open until a worker has joined (or gives up after 10 s).
                    long end = System.nanoTime() + 10_000_000_000L;
                    while (joined.get() == 0 && System.nanoTime() < end) {
                        Thread.onSpinWait();
                    }
                });
                assertTrue(joined.get() >= 1, "a worker joined round " + round);
            }
        }
    }

    @Test
    void workersParkAndWakeUp() throws InterruptedException {
        System.setProperty(ThreadTeam.SPIN_PROPERTY, "0");
        try (ThreadTeam team = new ThreadTeam(3)) {
            for (int round = 0; round < 200; round++) {
                Chunks c = new Chunks(50);
                team.run(c);
                for (int d : c.done) {
                    assertEquals(1, d);
                }
            }
        } finally {
            System.clearProperty(ThreadTeam.SPIN_PROPERTY);
        }
    }

    @Test
    void aFailureReachesTheCallerAndTheTeamGoesOn() {
        try (ThreadTeam team = new ThreadTeam(2)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> team.run((m, n) -> {
                throw new IllegalStateException("boom in member " + m);
            }));
            assertTrue(e.getMessage().startsWith("boom in member"));
            Chunks c = new Chunks(10);
            team.run(c);
            for (int d : c.done) {
                assertEquals(1, d, "the team still works after a failure");
            }
        }
    }

    @Test
    void closedTeamRefusesWork() {
        ThreadTeam team = new ThreadTeam(2);
        team.close();
        assertThrows(IllegalStateException.class, () -> team.run((m, n) -> { }));
        assertThrows(IllegalArgumentException.class, () -> new ThreadTeam(0));
    }
}
