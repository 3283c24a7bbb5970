package dev.wrinklefree.runtime.parallel;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThreadTeamTest {
    @Test
    void everyMemberRunsEveryTaskOnce() {
        for (int size : new int[] {1, 2, 3, 5}) {
            try (ThreadTeam team = new ThreadTeam(size)) {
                for (int round = 0; round < 2000; round++) {
                    AtomicLong mask = new AtomicLong();
                    AtomicInteger calls = new AtomicInteger();
                    team.run((m, n) -> {
                        assertEquals(size, n);
                        mask.getAndUpdate(v -> v | (1L << m));
                        calls.incrementAndGet();
                    });
                    assertEquals(size, calls.get(), "all members ran before run() returned");
                    assertEquals((1L << size) - 1, mask.get());
                }
            }
        }
    }

    @Test
    void workersParkAndWakeUp() throws InterruptedException {
        System.setProperty(ThreadTeam.SPIN_PROPERTY, "0");
        try (ThreadTeam team = new ThreadTeam(3)) {
            for (int round = 0; round < 200; round++) {
                AtomicInteger calls = new AtomicInteger();
                team.run((m, n) -> calls.incrementAndGet());
                assertEquals(3, calls.get());
                if (round % 50 == 0) {
                    Thread.onSpinWait();
                }
            }
        } finally {
            System.clearProperty(ThreadTeam.SPIN_PROPERTY);
        }
    }

    @Test
    void aFailureInAWorkerReachesTheCaller() {
        try (ThreadTeam team = new ThreadTeam(2)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> team.run((m, n) -> {
                if (m == 1) {
                    throw new IllegalStateException("boom in worker");
                }
            }));
            assertEquals("boom in worker", e.getMessage());
            AtomicInteger calls = new AtomicInteger();
            team.run((m, n) -> calls.incrementAndGet());
            assertEquals(2, calls.get(), "the team still works after a failure");
        }
    }

    @Test
    void closedTeamRefusesWork() {
        ThreadTeam team = new ThreadTeam(2);
        team.close();
        assertThrows(IllegalStateException.class, () -> team.run((m, n) -> { }));
        assertThrows(IllegalArgumentException.class, () -> new ThreadTeam(0));
    }

    @Test
    void sharesCoverTheRangeInAlignedPieces() {
        for (int n : new int[] {1, 7, 100, 2560, 6912}) {
            for (int members = 1; members <= 4; members++) {
                for (int align : new int[] {1, 4, 16}) {
                    int prev = 0;
                    for (int m = 0; m < members; m++) {
                        int s = ThreadTeam.shareStart(n, m, members, align);
                        int e = ThreadTeam.shareStart(n, m + 1, members, align);
                        assertEquals(prev, s);
                        assertTrue(s % align == 0 || s == n);
                        assertTrue(e >= s);
                        prev = e;
                    }
                    assertEquals(n, prev);
                }
            }
        }
    }
}
