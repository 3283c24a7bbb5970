package dev.wrinklefree.runtime.generate;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns token pieces (bytes that may split a UTF-8 character across tokens) into text as soon as whole
 * characters are complete. Bytes that can never form a character are emitted as U+FFFD.
 */
public final class Utf8Stream {
    private byte[] pending = new byte[16];
    private int n;

    /** Adds bytes and returns the text completed so far (possibly empty). */
    public String push(byte[] piece) {
        if (n + piece.length > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, n + piece.length));
        }
        System.arraycopy(piece, 0, pending, n, piece.length);
        n += piece.length;
        int complete = completePrefix();
        if (complete == 0) {
            return "";
        }
        String s = new String(pending, 0, complete, StandardCharsets.UTF_8);
        System.arraycopy(pending, complete, pending, 0, n - complete);
        n -= complete;
        return s;
    }

    /** Whatever is left (an incomplete character comes out as U+FFFD). */
    public String flush() {
        String s = new String(pending, 0, n, StandardCharsets.UTF_8);
        n = 0;
        return s;
    }

    /** Length of the longest prefix that does not end inside a still-completable character. */
    private int completePrefix() {
        // Look back at most 3 bytes for the start of a multi-byte sequence that is not yet complete.
        for (int back = 1; back <= Math.min(3, n); back++) {
            int b = pending[n - back] & 0xFF;
            if ((b & 0xC0) == 0x80) {
                continue; // continuation byte: keep looking for the lead
            }
            int need = (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 1;
            return need > back ? n - back : n;
        }
        return n;
    }
}
