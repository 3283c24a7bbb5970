package dev.wrinklefree.kernels.ffm;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

class HeapSegmentsTest {
    @Test
    void sameArrayGivesTheSameSegmentAndEveryArrayItsOwn() {
        float[] a = {1f, 2f};
        float[] b = {3f, 4f};
        MemorySegment sa = HeapSegments.of(a);
        assertSame(sa, HeapSegments.of(a));
        MemorySegment sb = HeapSegments.of(b);
        assertNotSame(sa, sb);
        assertEquals(2f, sa.getAtIndex(ValueLayout.JAVA_FLOAT, 1));
        assertEquals(3f, sb.getAtIndex(ValueLayout.JAVA_FLOAT, 0));
        assertSame(sa.heapBase().orElseThrow(), a);
    }

    @Test
    void evictedArraysGetAFreshSegmentOverTheRightArray() {
        int n = 3 * HeapSegments.SLOTS;
        int[][] arrays = new int[n][];
        for (int i = 0; i < n; i++) {
            arrays[i] = new int[] {i};
            assertEquals(i, HeapSegments.of(arrays[i]).getAtIndex(ValueLayout.JAVA_INT, 0));
        }
        for (int i = 0; i < n; i++) { // the first ones were evicted long ago: still the right array
            MemorySegment s = HeapSegments.of(arrays[i]);
            assertSame(arrays[i], s.heapBase().orElseThrow());
            assertEquals(4, s.byteSize());
        }
    }

    @Test
    void eachElementTypeViewsItsOwnArray() {
        byte[] bytes = {7, 8, 9};
        short[] shorts = {-1, 5};
        assertEquals(3, HeapSegments.of(bytes).byteSize());
        assertEquals(5, HeapSegments.of(shorts).getAtIndex(ValueLayout.JAVA_SHORT, 1));
    }
}
